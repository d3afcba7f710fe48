#!/bin/bash
# test-plugin-errors.sh - plugins that cannot work are reported clearly:
#  - dmtcp_launch --with-plugin of a missing file, of a non-ELF file and
#    of an executable (not a shared object) fails before starting;
#  - a plugin built for another plugin API version is refused by name
#    and the program runs (and checkpoints) without it;
#  - a plugin that crashes in its PRECHECKPOINT hook: the process dies
#    with a message naming the plugin, the file and the event, and the
#    checkpoint ends (fails) instead of hanging.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

P=$B/tests/plugin

launch_fails() { # EXPECTED-MESSAGE PLUGIN
	local out rc
	out=$(timeout 20 "$BIN/dmtcp_launch" --join-coordinator \
		--with-plugin "$2" "$P/plugin_app" 2>&1 </dev/null)
	rc=$?
	[ $rc -ne 0 ] || t_fail "dmtcp_launch --with-plugin $2 succeeded"
	grep -q -- "$1" <<<"$out" || t_fail "dmtcp_launch --with-plugin $2: '$out' does not say '$1'"
	t_log "--with-plugin $2: exit $rc: $out"
}

scenario() {
	local out rc
	t_coord_start
	launch_fails "No such file" "$T/nonexistent.so"
	echo "not a library" >"$T/text.so"
	launch_fails "not an ELF shared object" "$T/text.so"
	launch_fails "not a shared object" "$P/plugin_app"

	export PLUGIN_LOG=$T/plugin.log
	T_LAUNCH_OPTS=(--with-plugin "$P/libbad_version.so")
	PROGS=$P t_launch plugin_app
	t_wait_ready
	grep -q "plugin 'old_plugin' was built for plugin API version 2" "$T/app.err" ||
		t_fail "no refusal message for the old plugin: $(cat "$T/app.err")"
	t_checkpoint
	t_kill "$APP_PID"

	export PLUGIN_CRASH_AT=PRECHECKPOINT
	T_LAUNCH_OPTS=(--with-plugin "$P/libevent_logger.so")
	PROGS=$P t_launch plugin_app
	t_wait_ready
	out=$(timeout -k 5 60 "$BIN/dmtcp_command" -p "$COORD_PORT" --bcheckpoint 2>&1)
	rc=$?
	t_log "bcheckpoint with a crashing plugin: exit $rc: $out"
	[ $rc -ne 124 ] || t_fail "the checkpoint hung"
	[ $rc -ne 0 ] || t_fail "the checkpoint succeeded: $out"
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "the process with the crashing plugin"
	grep -q "plugin 'event_logger' from $P/libevent_logger.so crashed with SEGV in its DMTCP_EVENT_PRECHECKPOINT hook" "$T/app.err" ||
		t_fail "no message naming the plugin: $(cat "$T/app.err")"
}

t_main t_run errors scenario
