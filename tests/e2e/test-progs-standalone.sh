#!/bin/bash
# test-progs-standalone.sh - every tests/progs program PASSes without the
# tool (ckpts=0 restarts=0), so a failure under checkpoint/restart is the
# tool's and not the program's.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

PROGRAMS="threads_tls heap_pattern signals_timers file_offsets mmap_file
	dlopen_lib sparse_reserve interrupted_calls api static_hello
	ghost_files open_files"

scenario() {
	local p pid line
	for p in $PROGRAMS; do
		t_have "$PROGS/$p"
		rm -f "$TEST_STOP_FILE"
		"$PROGS/$p" </dev/null >"$T/app.log" 2>"$T/app.err" &
		pid=$!
		t_track "$pid"
		t_wait "$T_TIMEOUT" "READY from $p" t_is_ready "$pid"
		sleep 0.5
		touch "$TEST_STOP_FILE"
		t_wait_exit "$pid" "$T_TIMEOUT" "$p after the stop file"
		line=$(grep -a -E "^(PASS|FAIL) ${p}[ :]" "$T/app.log" | tail -n 1)
		t_log "$p: ${line:-no result} (exit status $T_RC)"
		[ "$line" = "PASS $p ckpts=0 restarts=0" ] && [ "$T_RC" -eq 0 ] ||
			t_fail "$p without the tool: ${line:-no PASS/FAIL line}, exit status $T_RC"
	done
}

DMTCP_TEST_NO_USER=1 t_main t_run standalone scenario
