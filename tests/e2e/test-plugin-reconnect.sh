#!/bin/bash
# test-plugin-reconnect.sh - the reconnect plugin keeps fd 100 of
# tests/plugin/ext_app connected to an echo server OUTSIDE the
# computation: closed before each checkpoint, reopened on resume, and at
# restart connected to a NEW server whose port dmtcp_restart passes in
# its environment ($ECHO_PORT, read with dmtcp_get_restart_env).  Two
# checkpoint/kill/restart cycles; every echo is checked by the program
# and each new server must have served it.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

P=$B/tests/plugin

start_server() { # TAG -> sets ECHO_PORT
	rm -f "$T/$1.port"
	"$P/echo_server" "$1" "$T/$1.port" >"$T/$1.log" 2>&1 &
	t_track $!
	t_wait "$T_TIMEOUT" "echo server $1" test -s "$T/$1.port"
	ECHO_PORT=$(cat "$T/$1.port")
	export ECHO_PORT
}

served() { # TAG: the server answered at least 3 lines
	[ "$(grep -c " got " "$T/$1.log")" -ge 3 ]
}

resumed() {
	grep -aq "^reconnect RESUME port=" "$T/plugin.log" ||
		t_fail "the plugin did not reconnect on resume: $(cat "$T/plugin.log")"
}

# between the kill and the restart: a new server on a new port
next_server() { start_server "srv$T_CYCLE"; }

# the restarted program talks to the server started for this cycle
reconnected() {
	t_wait "$T_TIMEOUT" "the new server srv$T_CYCLE to serve the restarted program" \
		served "srv$T_CYCLE"
	grep -aq "^reconnect RESTART port=$ECHO_PORT$" "$T/plugin.log" ||
		t_fail "the plugin did not connect to the new port $ECHO_PORT: $(cat "$T/plugin.log")"
}

scenario() {
	export PLUGIN_LOG=$T/plugin.log
	start_server srv0
	T_LAUNCH_OPTS=(--with-plugin "$P/libreconnect.so")
	t_coord_start
	PROGS=$P t_launch ext_app
	t_wait_ready
	t_wait "$T_TIMEOUT" "srv0 to serve" served srv0
	T_AFTER_CKPT=resumed T_AFTER_KILL=next_server \
		T_AFTER_RESTART=reconnected t_more_cycles "$APP_PID" 2
	t_finish "$CUR_PID" ext_app 2
}

t_main t_modes scenario
