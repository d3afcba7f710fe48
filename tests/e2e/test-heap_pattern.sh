#!/bin/bash
# test-heap_pattern.sh - tests/progs/heap_pattern through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles heap_pattern 2
}

t_main t_modes scenario
