#!/bin/bash
# test-pgid_sid.sh - tests/progs/pgid_sid: a process whose group and
# session leaders are outside the computation (this script's), a child
# leading a group of its own and a grandchild in it: pid, ppid, pgid and
# sid of every process are the same after each of two restarts (run
# without a terminal, as scripts and batch jobs do).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	local i cur
	export T_NPEERS=3
	t_coord_start
	t_launch pgid_sid
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "3 running peers" t_peers_running 3
	t_log "$(grep -a '^ids ' "$T/app.log")"
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" pgid_sid 2
}

t_main t_modes scenario
