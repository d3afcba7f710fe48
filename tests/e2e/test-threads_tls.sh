#!/bin/bash
# test-threads_tls.sh - tests/progs/threads_tls through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles threads_tls 2
}

t_main t_modes scenario
