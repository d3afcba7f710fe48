#!/bin/bash
# test-fork_pipe.sh - a parent, child and grandchild (own process group)
# exchanging numbers through two pipes: 2 checkpoint/kill/restart cycles
# with data in flight; pids, ppids, groups, exit statuses and every number
# are checked by the program itself; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=3

scenario() {
	local i cur
	t_coord_start
	t_launch fork_pipe
	t_wait "$T_TIMEOUT" "READY in $T/app.log" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "3 running peers" t_peers_running 3
	sleep "$T_SETTLE"
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		[ ${#CKPT_IMAGES[@]} -eq 3 ] ||
			t_fail "expected 3 images, got ${#CKPT_IMAGES[@]}"
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" fork_pipe 2
}

t_main t_modes scenario
