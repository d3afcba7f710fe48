#!/bin/bash
# test-file_offsets.sh - tests/progs/file_offsets through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles file_offsets 2
}

t_main t_modes scenario
