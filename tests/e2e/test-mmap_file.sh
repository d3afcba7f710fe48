#!/bin/bash
# test-mmap_file.sh - tests/progs/mmap_file through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles mmap_file 2
}

t_main t_modes scenario
