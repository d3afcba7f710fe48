#!/bin/bash
# test-dlopen_lib.sh - tests/progs/dlopen_lib through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles dlopen_lib 2
}

t_main t_modes scenario
