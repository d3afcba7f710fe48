#!/bin/bash
# test-exec_env.sh - programs that exec with an environment of their own.
#  env: a child execs with a replaced environment that sets its own
#       LD_PRELOAD (a library that does not exist); it must stay in the
#       computation: two images per checkpoint, its sequence numbers reach
#       the parent without gap or repeat through 3 checkpoint/kill/restart
#       cycles, and it reports restarts=3 with LD_PRELOAD = ours, then its
#       own entry.  The parent's failed execve first changed nothing
#       (tests/progs/exec_env.c checks).
#  raw: a child leaves through a raw execve system call with an empty
#       environment: the checkpoint must fail, naming the process, instead
#       of succeeding with its image missing.
# gzip and raw images, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

two_images() {
	[ ${#CKPT_IMAGES[@]} -eq 2 ] ||
		t_fail "expected 2 images (parent and exec'd child), got ${#CKPT_IMAGES[@]}"
}

scenario_env() {
	local line
	export T_NPEERS=2
	T_AFTER_CKPT=two_images t_cycles exec_env 3
	line=$(grep -a '^CHILD ' "$T/app.log" | tail -n 1)
	t_log "child: $line"
	[[ "$line" =~ ^CHILD\ ckpts=3\ restarts=3\ seq=[0-9]+$ ]] ||
		t_fail "the exec'd child was not checkpointed and restarted 3 times: '$line'"
}

scenario_raw() {
	local out rc pid
	export T_NPEERS=2
	T_COORD_OPTS=(--ckpt-timeout 5)	# the stalled process: fail soon
	t_coord_start
	t_launch exec_env raw
	t_wait "$T_TIMEOUT" "RAWCHILD in app.log" grep -aq '^RAWCHILD ' "$T/app.log"
	pid=$(sed -n 's/^RAWCHILD //p' "$T/app.log")
	t_track "$pid"	# no marker in its empty environment: kill it by pid
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	out=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" \
		--bcheckpoint 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	[ "$rc" -ne 0 ] || t_fail "the checkpoint succeeded with a process outside control"
	grep -q "FAILED=.*$pid" <<<"$out" ||
		t_fail "no FAILED= line naming process $pid"
	kill -KILL "$pid" 2>/dev/null
	touch "$TEST_STOP_FILE"
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "exec_env raw"
	grep -aq '^PASS exec_env-raw' "$T/app.log" || t_fail "parent: $(grep -a FAIL "$T/app.log")"
}

both() {
	t_run env scenario_env && t_run raw scenario_raw
}

t_main t_modes both
