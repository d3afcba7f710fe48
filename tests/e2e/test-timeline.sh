#!/bin/bash
# test-timeline.sh - dmtcp_launch --timeline DIR --interval-ms 100
# --ckpt-on-crash: every generation stays in DIR as a snapshot (SNAP
# record: tag, trigger), the program's dmtcp_checkpoint_tagged() and
# dmtcp_command --tag name snapshots, DMTCP_SNAPSHOT_SIGNAL takes one,
# the crash is the last snapshot, a restart of an older snapshot that
# crashes again adds snapshots and changes none of the old ones, a
# process parked for a debugger obeys --kill, and a checkpoint a
# debugger blocks fails saying so instead of hanging.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# tl_field DIR FIELD...: one line per snapshot of `dmtcp_inspect --json
# timeline DIR`: the fields asked, tab-separated
tl_field() {
	local dir=$1
	shift
	"$BIN/dmtcp_inspect" --json timeline "$dir" | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    print("\t".join(str(s[f]) for f in sys.argv[1:]))' "$@"
}

gen_of() { # image name -> generation number
	sed -E 's/.*_0*([0-9]+)(_crash(-[0-9]+)?)?\.dmtcp$/\1/' <<<"${1##*/}"
}

story() {
	local tl=$T/tl st n crash last g img sums
	T_LAUNCH_OPTS=(--timeline "$tl" --interval-ms 100 --ckpt-on-crash)
	t_launch list_corrupt 40
	st=0
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt to crash"
	wait "$APP_PID" || st=$?
	[ "$st" -eq 139 ] || t_fail "exit status $st, expected 139 (SIGSEGV): $(tail -3 "$T/app.err")"
	t_command --status >"$T/status" || t_fail "status failed"
	grep -q '^INTERVAL_MS=100$' "$T/status" || t_fail "no INTERVAL_MS=100: $(cat "$T/status")"
	grep -q '^TIMELINE=yes$' "$T/status" || t_fail "no TIMELINE=yes: $(cat "$T/status")"
	n=$(ls "$tl"/ckpt_list_corrupt_*[0-9].dmtcp 2>/dev/null | wc -l)
	[ "$n" -ge 4 ] || t_fail "$n snapshots in $tl, expected >= 4 (0.6 s at 100 ms): $(ls "$tl")"
	crash=$(ls "$tl"/ckpt_list_corrupt_*_crash.dmtcp 2>/dev/null)
	[ "$(wc -w <<<"$crash")" -eq 1 ] || t_fail "expected one crash image in $tl: $(ls "$tl")"
	last=0
	for img in "$tl"/ckpt_list_corrupt_*[0-9].dmtcp; do
		g=$(gen_of "$img")
		[ "$g" -gt "$last" ] && last=$g
	done
	[ "$(gen_of "$crash")" -gt "$last" ] ||
		t_fail "crash image $crash is not after the last generation $last"
	t_log "$n snapshots, generations 1..$last, crash $crash"
	# the program's own tagged snapshot and the crash's record
	tl_field "$tl" trigger tag >"$T/tags" || t_fail "dmtcp_inspect timeline failed"
	grep -q "^api	list started$" "$T/tags" ||
		t_fail "no snapshot taken by the program with its tag: $(cat "$T/tags")"
	[ "$(tail -n 1 "$T/tags")" = "crash	" ] ||
		t_fail "the last snapshot is not the crash, untagged: $(cat "$T/tags")"
	grep -c "^interval	$" "$T/tags" | grep -qv '^0$' ||
		t_fail "no interval snapshot: $(cat "$T/tags")"

	# restart an early snapshot: it runs into the crash again
	sums=$(md5sum "$tl"/*.dmtcp)
	img=$(ls "$tl"/ckpt_list_corrupt_*_00002.dmtcp)
	st=0
	timeout -k 5 "$T_TIMEOUT" "$BIN/dmtcp_restart" -p "$COORD_PORT" "$img" \
		</dev/null >"$T/rst.log" 2>&1 || st=$?
	[ "$st" -ne 0 ] || t_fail "restart of $img did not crash again: $(tail -3 "$T/rst.log")"
	md5sum --quiet -c <<<"$sums" >"$T/md5.out" 2>&1 ||
		t_fail "a snapshot changed after restarting an older one: $(cat "$T/md5.out")"
	[ "$(ls "$tl"/ckpt_list_corrupt_*_crash*.dmtcp | wc -l)" -eq 2 ] ||
		t_fail "the second crash did not add its own image: $(ls "$tl")"
	t_log "restart of generation 2 crashed again; old snapshots unchanged"
}

tags_and_signal() {
	local tl=$T/tl2 out img g0 g1
	export DMTCP_SNAPSHOT_SIGNAL=SIGUSR1
	T_LAUNCH_OPTS=(--timeline "$tl" --interval-ms 60000)
	t_launch list_corrupt 1000
	unset DMTCP_SNAPSHOT_SIGNAL
	t_wait_ready
	out=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" \
		--tag "before the bug" -bc 2>&1) || t_fail "tagged checkpoint failed: $out"
	tl_field "$tl" trigger tag >"$T/tags2" || t_fail "dmtcp_inspect timeline failed"
	grep -q "^command	before the bug$" "$T/tags2" ||
		t_fail "dmtcp_command --tag: no snapshot with that tag: $(cat "$T/tags2")"
	out=$(timeout -k 5 10 "$BIN/dmtcp_command" -p "$COORD_PORT" \
		--tag "$(printf 'bad\001tag')" -c 2>&1) && t_fail "a tag with a control character was accepted"
	g0=$(t_command --status | sed -n 's/^GENERATION=//p')
	kill -USR1 "$APP_PID"
	t_wait "$T_TIMEOUT" "a snapshot after SIGUSR1" eval \
		'g1=$(t_command --status | sed -n "s/^GENERATION=//p"); [ "$g1" -gt "$g0" ] && t_peers_running 1'
	t_wait "$T_TIMEOUT" "the signal's snapshot in the timeline" eval \
		'tl_field "$tl" trigger | grep -q "^signal$"'
	t_log "DMTCP_SNAPSHOT_SIGNAL: generation $g0 -> $g1, trigger signal"
	t_kill "$APP_PID"
}

parked_kill() {
	local img=$1 pid
	"$BIN/dmtcp_restart" -p "$COORD_PORT" --stop-for-debugger \
		--pid-file "$T/parked.pid" "$img" </dev/null >"$T/parked.log" 2>&1 &
	pid=$!
	t_track "$pid"
	t_wait "$T_TIMEOUT" "parked pid file" test -s "$T/parked.pid"
	t_command --kill >/dev/null 2>&1
	t_wait_exit "$pid" "$T_TIMEOUT" "the parked process after --kill"
	t_log "a process parked for a debugger obeyed --kill"
}

# a whole computation restored for a debugger: the child of a fork,
# chosen with --debug-pid, gets the debugger; both run on once it
# detached (the child crashes again: a new crash image)
whole_computation() {
	local tl=$T/tl3 imgs cpid hp out n0 pid st
	T_LAUNCH_OPTS=(--timeline "$tl" --interval-ms 100 --ckpt-on-crash)
	t_launch list_corrupt 40 fork
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt fork to end"
	wait "$APP_PID"
	imgs=$(ls "$tl"/ckpt_list_corrupt_*_00002.dmtcp)
	[ "$(wc -w <<<"$imgs")" -eq 2 ] || t_fail "generation 2 of the fork run is not 2 images: $imgs"
	cpid=$(ls "$tl"/ckpt_list_corrupt_*_crash.dmtcp | sed -E 's/.*_[0-9a-f]+-([0-9]+)-[0-9a-f]+_[0-9]+_crash.*/\1/')
	n0=$(ls "$tl"/*_crash*.dmtcp | wc -l)
	# shellcheck disable=SC2086
	"$BIN/dmtcp_restart" -p "$COORD_PORT" --stop-for-debugger --debug-pid "$cpid" \
		--pid-file "$T/w.pid" --pids-file "$T/w.pids" $imgs </dev/null >"$T/w.log" 2>&1 &
	pid=$!
	t_track "$pid"
	t_wait "$T_TIMEOUT" "the pid file" test -s "$T/w.pid"
	[ "$(wc -l <"$T/w.pids")" -eq 2 ] || t_fail "--pids-file: $(cat "$T/w.pids")"
	grep -q "^$cpid $(cat "$T/w.pid") " "$T/w.pids" ||
		t_fail "--pid-file $(cat "$T/w.pid") is not the child $cpid's in $(cat "$T/w.pids")"
	out=$(t_command --bcheckpoint 2>&1) && t_fail "a checkpoint of a parked computation was accepted: $out"
	grep -q "parked for a debugger" <<<"$out" || t_fail "refused checkpoint does not say why: $out"
	if command -v gdb >/dev/null; then
		out=$(timeout -k 5 60 gdb -q -batch -iex 'set sysroot /' -p "$(cat "$T/w.pid")" \
			-ex 'print iteration' 2>&1)
		grep -qE '^\$1 = [0-9]+' <<<"$out" || t_fail "gdb on the child: $out"
		t_log "gdb on the restored child: $(grep -E '^\$1' <<<"$out")"
	fi
	st=0
	t_wait_exit "$pid" "$T_TIMEOUT" "the restored computation to run on and end"
	wait "$pid" || st=$?
	[ "$(ls "$tl"/*_crash*.dmtcp | wc -l)" -gt "$n0" ] ||
		t_fail "the released child did not run into its crash again (status $st): $(tail -3 "$T/w.log")"
	t_log "the whole computation ran on after the debugger left"
}

# --keep K: the newest K snapshots stay (full images: no chain parents)
keep_newest() {
	local tl=$T/tl4 n
	T_LAUNCH_OPTS=(--timeline "$tl" --interval-ms 100 --keep 3 --no-incremental)
	t_launch list_corrupt 100
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt to crash"
	wait "$APP_PID"
	n=$(ls "$tl"/ckpt_list_corrupt_*[0-9].dmtcp | wc -l)
	[ "$n" -ge 1 ] && [ "$n" -le 3 ] || t_fail "--keep 3 left $n snapshots: $(ls "$tl")"
	[ "$(t_command --status | sed -n 's/^GENERATION=//p')" -gt 3 ] ||
		t_fail "fewer than 4 generations: --keep 3 not tried"
	ls "$tl"/ckpt_list_corrupt_*_00001.dmtcp >/dev/null 2>&1 &&
		t_fail "--keep 3 kept the first snapshot: $(ls "$tl")"
	t_log "--keep 3: $n snapshots left"
}

held_by_debugger() {
	local gpid out st t0
	command -v gdb >/dev/null || { t_log "no gdb: debugger-held case not run"; return; }
	T_LAUNCH_OPTS=()
	# a new computation: the earlier ones' 100 ms interval is gone
	t_launch list_corrupt 1000
	t_wait_ready
	gdb -q -batch -p "$APP_PID" -ex 'shell sleep 15' >/dev/null 2>&1 &
	gpid=$!
	t_track "$gpid"
	t_wait "$T_TIMEOUT" "gdb to attach" eval \
		"grep -q 'TracerPid:[[:space:]]*[1-9]' /proc/$APP_PID/status"
	st=0
	out=$(timeout -k 5 12 "$BIN/dmtcp_command" -p "$COORD_PORT" -bc 2>&1) || st=$?
	[ "$st" -ne 0 ] && [ "$st" -ne 124 ] ||
		t_fail "checkpoint of a process gdb holds: status $st (124 = hung): $out"
	grep -q "stopped by a debugger" <<<"$out" ||
		t_fail "the failed checkpoint does not say a debugger holds the thread: $out"
	t_log "checkpoint under a debugger failed with: $(grep -m1 'debugger' <<<"$out")"
	kill "$gpid" 2>/dev/null
	wait "$gpid" 2>/dev/null
	t_wait "$T_TIMEOUT" "the program to run again" t_peers_running 1
	t_kill "$APP_PID"
}

scenario() {
	t_coord_start
	story
	parked_kill "$(ls "$T"/tl/ckpt_list_corrupt_*_00002.dmtcp)"
	t_wait "$T_TIMEOUT" "0 peers" t_peers 0
	tags_and_signal
	whole_computation
	keep_newest
	held_by_debugger
}

t_main t_run timeline scenario
