#!/bin/bash
# test-crash.sh - dmtcp_launch --ckpt-on-crash: a program that dies of
# SIGSEGV (and one that calls abort()) leaves ckpt_*_crash.dmtcp; the
# process still dies of the original signal; dmtcp_inspect bt shows the
# crashing thread in crash_level0 <- crash_level1 <- crash_level2; and
# dmtcp_restart --gdb of the crash image stops at the faulting
# instruction in crash_level0.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

one() { # mode signal-number
	local mode=$1 sig=$2 img st bt out
	rm -f "$DMTCP_CHECKPOINT_DIR"/ckpt_crasher_*
	"$BIN/dmtcp_launch" --join-coordinator --ckpt-on-crash \
		"$PROGS/crasher" "$mode" </dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	st=0
	wait "$APP_PID" || st=$?
	[ "$st" -eq $((128 + sig)) ] ||
		t_fail "$mode: exit status $st, expected $((128 + sig)) ($(cat "$T/app.err"))"
	img=$(ls "$DMTCP_CHECKPOINT_DIR"/ckpt_crasher_*_crash.dmtcp 2>/dev/null | head -n 1)
	[ -n "$img" ] || t_fail "$mode: no crash image in $DMTCP_CHECKPOINT_DIR ($(cat "$T/app.err"))"
	grep -q "_crash.dmtcp" "$T/app.err" ||
		t_fail "$mode: no message naming the crash image on stderr"
	[ "$(stat -c %a "$img")" = 600 ] || t_fail "$mode: $img is not mode 0600"
	t_log "$mode: crash image $img"
	bt=$("$BIN/dmtcp_inspect" bt "$img" 2>&1) || t_fail "$mode: inspect bt failed: $bt"
	for f in crash_level0 crash_level1 crash_level2 main; do
		grep -q "$f" <<<"$bt" || t_fail "$mode: backtrace lacks $f: $bt"
	done
	if [ "$mode" = segv ] && command -v gdb >/dev/null; then
		out=$(timeout -k 5 60 "$BIN/dmtcp_restart" --gdb "$img" -- -batch \
			-ex continue -ex bt 2>&1) || true
		grep -q "SIGSEGV" <<<"$out" ||
			t_fail "restart --gdb of the crash image: no SIGSEGV: $out"
		grep -qE "^#0 .*crash_level0" <<<"$out" ||
			t_fail "restart --gdb: fault not in crash_level0: $out"
		t_log "gdb stopped at the fault in crash_level0"
	fi
}

scenario() {
	t_coord_start
	one segv 11
	one abort 6
}

t_main t_modes scenario
