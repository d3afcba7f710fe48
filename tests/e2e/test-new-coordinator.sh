#!/bin/bash
# test-new-coordinator.sh - checkpoint under one coordinator, quit it,
# restart with a fresh coordinator on another port (the restart script's
# -p option), checkpoint and restart again under the new one.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	local old_port old_pid script
	t_coord_start coordA "$T/ckpt"
	t_launch threads_tls
	t_wait_ready
	t_checkpoint
	script=$COORD_CKPTDIR/dmtcp_restart_script.sh
	t_kill "$APP_PID"
	old_port=$COORD_PORT
	old_pid=$COORD_PID
	t_command --quit >/dev/null 2>&1
	t_wait_exit "$old_pid" "$T_TIMEOUT" "coordinator after --quit"

	# a new coordinator on another port, with its own ckpt dir
	t_coord_start coordB "$T/ckptB"
	if [ "$COORD_PORT" = "$old_port" ]; then
		t_coord_start coordC "$T/ckptB"
	fi
	[ "$COORD_PORT" != "$old_port" ] || t_fail "could not get another port"
	# the restarted process must not find the old port in its environment
	export DMTCP_COORD_PORT=$old_port
	T_RESTART_CMD=("$script" -p "$COORD_PORT")
	t_restart
	unset T_RESTART_CMD
	export DMTCP_COORD_PORT=$COORD_PORT
	t_checkpoint
	t_kill "$RST_PID"
	t_restart
	t_finish "$RST_PID" threads_tls 2
}

t_main t_modes scenario
