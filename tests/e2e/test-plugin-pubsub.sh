#!/bin/bash
# test-plugin-pubsub.sh - tests/plugin/pubsub_app (a parent and its
# forked child) with the kvexchange plugin, two checkpoint/kill/restart
# cycles: at every restart each process publishes a fresh token in the
# coordinator's key-value database, passes a global barrier and reads the
# other one's token; each must read exactly what the other published in
# that restart.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

P=$B/tests/plugin

token() { # FILE RANK RESTART WHAT -> value
	sed -n "s/^kv rank=$2 restart=$3 $4=\\([^ ]*\\).*/\\1/p" "$1"
}

check_exchange() { # restart number
	local log=$T/plugin.log r=$1 p0 p1 s0 s1
	t_wait "$T_TIMEOUT" "both ranks to read their peer's token" \
		eval "[ \$(grep -c '^kv rank=[01] restart=$r peer=' '$log') -eq 2 ]"
	grep -a FAILED "$log" && t_fail "a publish or query failed"
	p0=$(token "$log" 0 "$r" published)
	p1=$(token "$log" 1 "$r" published)
	s0=$(token "$log" 0 "$r" peer)
	s1=$(token "$log" 1 "$r" peer)
	t_log "restart $r: rank0 published $p0, read $s0; rank1 published $p1, read $s1"
	[ -n "$p0" ] && [ -n "$p1" ] || t_fail "missing published tokens: $(cat "$log")"
	[ "$s0" = "$p1" ] || t_fail "rank 0 read '$s0', rank 1 published '$p1'"
	[ "$s1" = "$p0" ] || t_fail "rank 1 read '$s1', rank 0 published '$p0'"
	[[ $p0 == r0-n$r-* && $p1 == r1-n$r-* ]] ||
		t_fail "tokens are not from restart $r: $p0 $p1"
}

scenario() {
	local i cur
	export PLUGIN_LOG=$T/plugin.log T_NPEERS=2
	T_LAUNCH_OPTS=(--with-plugin "$P/libkvexchange.so")
	t_coord_start
	PROGS=$P t_launch pubsub_app
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "2 running peers" t_peers_running 2
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		t_kill "$cur"
		t_restart
		cur=$RST_PID
		check_exchange "$i"
	done
	t_finish "$cur" pubsub_app 2
}

t_main t_modes scenario
