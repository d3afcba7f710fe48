#!/bin/bash
# test-plugin-events.sh - three plugins stacked on tests/plugin/plugin_app
# (--with-plugin libsleep1.so:libsleep2.so --with-plugin
# libevent_logger.so), two checkpoint/kill/restart cycles:
#  - fork/exec/thread/init events reach the plugins (POST_EXEC in the
#    exec'd /bin/true, ATFORK_CHILD in the child);
#  - checkpoint events go to the plugins in load order (sleep1, sleep2,
#    logger), resume/restart/running in reverse (logger, sleep2, sleep1),
#    with PRESUSPEND < PRECHECKPOINT < RESUME < RUNNING and the running
#    state 0 inside the checkpoint;
#  - the two sleep() wrappers chain: sleep1 enter, sleep2 enter, sleep2
#    leave, sleep1 leave;
#  - the application's API checks (restart environment, generation,
#    computation id, image name) pass.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

P=$B/tests/plugin

# t_in_order FILE LINE...: each LINE (exact) occurs in FILE, in this order.
t_in_order() {
	local f=$1 from=0 n
	shift
	for l in "$@"; do
		n=$(awk -v want="$l" -v from="$from" \
			'NR > from && $0 == want { print NR; exit }' "$f")
		[ -n "$n" ] || t_fail "$(basename "$f"): no '$l' after line $from; log:
$(cat "$f")"
		from=$n
	done
}

t_has() { # FILE LINE
	grep -aqxF "$2" "$1" || t_fail "$(basename "$1"): no '$2'; log:
$(cat "$1")"
}

check_wrappers() { # FILE
	t_in_order "$1" "sleep1 enter 0" "sleep2 enter 0" "sleep2 leave 0" \
		"sleep1 leave 0"
}

check_ckpt() { # FILE GENERATION
	t_in_order "$1" "sleep1 PRESUSPEND" "sleep2 PRESUSPEND" \
		"logger PRESUSPEND pid=$PID0" \
		"sleep1 PRECHECKPOINT" "sleep2 PRECHECKPOINT" \
		"logger PRECHECKPOINT generation=$2 running_state=0" \
		"logger RESUME restart=0 running_state=0" "sleep2 RESUME" \
		"sleep1 RESUME" \
		"logger RUNNING restart=0 running_state=1" "sleep2 RUNNING" \
		"sleep1 RUNNING"
	t_has "$1" "logger THREAD_RESUME restart=0"
}

check_restart() { # FILE
	t_in_order "$1" "logger RESTART restart=1 running_state=0" \
		"sleep2 RESTART" "sleep1 RESTART" \
		"logger RUNNING restart=1 running_state=1" "sleep2 RUNNING" \
		"sleep1 RUNNING"
	t_has "$1" "logger THREAD_RESUME restart=1"
	check_wrappers "$1"
}

scenario() {
	local i cur log=$T/plugin.log
	export PLUGIN_LOG=$log
	T_LAUNCH_OPTS=(--with-plugin "$P/libsleep1.so:$P/libsleep2.so"
		--with-plugin "$P/libevent_logger.so")
	t_coord_start
	PROGS=$P t_launch plugin_app
	t_wait_ready
	PID0=$APP_PID
	# launch: INIT in load order... reverse (inward event), fork, exec
	t_in_order "$log" "logger INIT pid=$PID0" "sleep2 INIT" "sleep1 INIT"
	t_has "$log" "logger ATFORK_PREPARE pid=$PID0"
	t_has "$log" "logger ATFORK_PARENT pid=$PID0"
	t_has "$log" "logger PRE_EXEC /bin/true"
	t_has "$log" "logger POST_EXEC pid=$(awk '/^logger ATFORK_CHILD pid=/ { sub("pid=", "", $3); print $3; exit }' "$log")"
	t_has "$log" "logger PTHREAD_START pid=$PID0"
	check_wrappers "$log"
	cur=$APP_PID
	for i in 1 2; do
		mv "$log" "$T/plugin.launch$i.log"
		t_checkpoint
		sleep 0.3
		check_ckpt "$log" "$i"
		check_wrappers "$log"
		mv "$log" "$T/plugin.ckpt$i.log"
		t_kill "$cur"
		export PLUGIN_RESTART_VAR=restart-$i
		t_restart
		cur=$RST_PID
		sleep 0.3
		check_restart "$log"
	done
	t_finish "$cur" plugin_app 2
	t_has "$log" "logger EXIT pid=$PID0"
}

t_main t_modes scenario
