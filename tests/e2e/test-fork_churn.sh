#!/bin/bash
# test-fork_churn.sh - checkpoints taken while processes are being
# created: tests/progs/fork_churn makes children without a pause (fork,
# fork+exec, posix_spawn, vfork+exec, from two threads) and checks each
# child's token and exit status, so a child left out of a checkpoint (it
# was forked or exec'ing as the checkpoint started) fails the program
# after the restart (no token: EOF; no child to reap: ECHILD).  Four
# cycles, each checkpoint at a different moment of the churn.  gzip and
# raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# The number of processes changes all the time: the restart is running
# once the coordinator has the restarted processes running, however many.
t_rst_running() { # pid
	local out
	if ! t_alive "$1"; then
		wait "$1"
		t_fail "restart (pid $1) exited with status $? before the program ran again (see restart.$RST_N.log)"
	fi
	out=$(t_command --status 2>&1) || return 1
	grep -qE '^[[:space:]]*RUNNING=yes[[:space:]]*$' <<<"$out" &&
		! grep -qE '^[[:space:]]*NUM_PEERS=0[[:space:]]*$' <<<"$out"
}

t_peers_running() { # any number: see above
	local out
	out=$(t_command --status 2>&1) || return 1
	grep -qE '^[[:space:]]*RUNNING=yes[[:space:]]*$' <<<"$out"
}

created() {
	sed -n 's/^created \([0-9]*\) children$/\1/p' "$T/app.log"
}

scenario() {
	local i cur pause
	t_coord_start
	t_launch fork_churn
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	cur=$APP_PID
	for i in 1 2 3 4; do
		# a different moment of the churn each time
		pause=$(printf '0.%03d' $(((RANDOM % 400) + 100)))
		sleep "$pause"
		t_checkpoint
		t_log "checkpoint $i after ${pause}s: ${#CKPT_IMAGES[@]} images"
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	sleep 0.5
	t_finish "$cur" fork_churn 4
	t_log "$(created) children created in all"
}

t_main t_modes scenario
