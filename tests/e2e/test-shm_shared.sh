#!/bin/bash
# test-shm_shared.sh - MAP_SHARED anonymous memory and a memfd shared by a
# parent and its child stay shared across 2 checkpoint/kill/restart
# cycles (the program checks counters and a pattern); gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

scenario() {
	local i cur
	t_coord_start
	t_launch shm_shared
	t_wait "$T_TIMEOUT" "READY in $T/app.log" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "2 running peers" t_peers_running 2
	sleep "$T_SETTLE"
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" shm_shared 2
}

t_main t_modes scenario
