#!/bin/bash
# test-shm_shared.sh - MAP_SHARED anonymous memory and a memfd shared by a
# parent and its child stay shared across 2 checkpoint/kill/restart
# cycles (the program checks counters and a pattern); gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

scenario() {
	t_cycles shm_shared 2
}

t_main t_modes scenario
