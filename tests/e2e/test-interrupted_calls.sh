#!/bin/bash
# test-interrupted_calls.sh - tests/progs/interrupted_calls through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles interrupted_calls 2
}

t_main t_modes scenario
