#!/bin/bash
# test-fifo_pair.sh - tests/progs/fifo_pair: a named pipe between two
# processes with records in flight at every checkpoint; two
# checkpoint/kill/restart cycles, nothing lost, duplicated or reordered.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	export T_NPEERS=2
	t_cycles fifo_pair 2
}

t_main t_modes scenario
