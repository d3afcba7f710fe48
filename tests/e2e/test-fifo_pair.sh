#!/bin/bash
# test-fifo_pair.sh - tests/progs/fifo_pair: a named pipe between two
# processes with records in flight at every checkpoint; two
# checkpoint/kill/restart cycles, nothing lost, duplicated or reordered.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	local i cur
	export T_NPEERS=2
	t_coord_start
	t_launch fifo_pair
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "2 running peers" t_peers_running 2
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" fifo_pair 2
}

t_main t_modes scenario
