#!/bin/bash
# test-inspect-bisect.sh - dmtcp_inspect bisect over a directory of
# generations of tests/progs/print_fixture (coordinator
# --keep-generations 0), which breaks its linked list at an iteration the
# checks do not assume: checkpoints are taken until the newest image
# shows the corruption.  The first bad snapshot bisect names must be the
# first image (by generation) in which print sees the list broken, and
# the one before it intact; --linear and --changes agree; the image
# paths it prints are accepted by dmtcp_inspect and dmtcp_restart;
# exit 1 when nothing matches, 2 on errors (unknown identifier, a value
# that cannot be evaluated anywhere, no such process).  Run on full
# images and on incremental ones (dmtcp_launch --incremental: pages read
# through each image's chain).  Then on a real timeline (dmtcp_launch
# --timeline --ckpt-on-crash) of tests/progs/list_corrupt, which
# corrupts a node's next pointer and later dies walking the list: bisect
# names the first snapshot with the bad pointer, and print reads the
# crash image's locals in the thread that got the signal.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

INSP=$BIN/dmtcp_inspect
EXPR='list_head->next->next->value < 0'

value_in() { # IMG EXPR: the printed value without its type
	"$INSP" print "$1" "$2" 2>/dev/null | sed 's/^([^)]*) //'
}

# bisect_ok OUT ARGS...: runs bisect, expects exit 0
bisect_ok() {
	local out=$1 rc
	shift
	timeout -k 2 "$T_TIMEOUT" "$INSP" bisect "$@" >"$out" 2>"$out.err"
	rc=$?
	[ $rc -eq 0 ] || t_fail "bisect $* exited $rc: $(cat "$out" "$out.err")"
}

scenario() {
	local i bad before prev="" img g out rc
	first_bad=""
	t_have "$INSP"
	T_COORD_OPTS=(--keep-generations 0)
	t_coord_start
	t_launch print_fixture "" 75
	t_wait_ready
	# snapshots until the list is broken (the program breaks it at
	# iteration 75, ~1.5 s of running), at least 3, at most 40
	for i in $(seq 40); do
		t_checkpoint
		[ "$i" -ge 3 ] && [ "$(value_in "${CKPT_IMAGES[0]}" "$EXPR")" = 1 ] && break
		sleep 0.1
	done
	[ "$(value_in "${CKPT_IMAGES[0]}" "$EXPR")" = 1 ] ||
		t_fail "the list was never broken in $i checkpoints"
	# what bisect must find: the first generation where EXPR is 1
	for img in $(ls "$COORD_CKPTDIR"/ckpt_print_fixture_*.dmtcp | sort); do
		if [ "$(value_in "$img" "$EXPR")" = 1 ]; then
			first_bad=$img
			break
		fi
		prev=$img
	done
	t_log "first bad image: $first_bad (before: ${prev:-none})"

	for mode in "" --linear; do
		bisect_ok "$T/b.out" $mode "$COORD_CKPTDIR" "$EXPR"
		bad=$(sed -n 's/^first bad: .*  \(\/.*\.dmtcp\)$/\1/p' "$T/b.out")
		before=$(sed -n 's/^before: .*  \(\/.*\.dmtcp\)$/\1/p' "$T/b.out")
		[ "$bad" = "$first_bad" ] ||
			t_fail "bisect $mode named '$bad', expected $first_bad: $(cat "$T/b.out")"
		[ "$before" = "$prev" ] ||
			t_fail "bisect $mode: before is '$before', expected $prev: $(cat "$T/b.out")"
		grep -qE "^ +$EXPR = \(int\) 1$" "$T/b.out" || t_fail "bisect $mode: no value 1"
		grep -qE "^ +$EXPR = \(int\) 0$" "$T/b.out" || t_fail "bisect $mode: no value 0"
	done
	# the first bad snapshot is printed first
	head -1 "$T/b.out" | grep -q '^first bad: #' || t_fail "first line: $(head -1 "$T/b.out")"
	[ "$(value_in "$bad" list_head-\>next-\>next-\>value)" = -1 ] || t_fail "value in $bad"
	[ "$(value_in "$before" list_head-\>next-\>next-\>value)" = 300 ] || t_fail "value in $before"
	[ "$(value_in "$bad" 'g_iter >= 75')" = 1 ] || t_fail "g_iter in $bad"
	[ "$(value_in "$before" 'g_iter < 75')" = 1 ] || t_fail "g_iter in $before"

	# --changes: the value of the node changes at the same snapshot
	bisect_ok "$T/c.out" --changes "$COORD_CKPTDIR" 'list_head->next->next->value'
	grep -q "^first bad: .*  $first_bad$" "$T/c.out" || t_fail "--changes: $(cat "$T/c.out")"
	grep -qE '= \(int\) -1$' "$T/c.out" || t_fail "--changes value: $(cat "$T/c.out")"
	# --pid (the virtual pid of the image) and --prog select the same
	g=$("$INSP" info "$first_bad" | sed -n 's/^pid: *//p')
	bisect_ok "$T/p.out" --pid "$g" "$COORD_CKPTDIR" "$EXPR"
	[ "$(head -4 "$T/p.out")" = "$(head -4 "$T/b.out")" ] || t_fail "--pid $g: $(cat "$T/p.out")"
	grep -q "^(process $g, print_fixture; " "$T/p.out" || t_fail "--pid $g: no process line"
	bisect_ok "$T/p.out" --prog print_fixture --json "$COORD_CKPTDIR" "$EXPR"
	python3 - "$T/p.out" "$first_bad" <<'PY' || t_fail "bisect --json: $(cat "$T/p.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["found"] and d["first_bad"]["image"] == sys.argv[2], d
assert d["first_bad"]["value"] == "1" and d["before"]["value"] == "0", d
assert d["first_bad"]["number"] == d["before"]["number"] + 1, d
assert d["pid"] > 0, d
PY
	# nothing matches: exit 1; errors: exit 2
	timeout -k 2 "$T_TIMEOUT" "$INSP" bisect "$COORD_CKPTDIR" 'g_iter < 0' >"$T/n.out" 2>&1
	rc=$?
	[ $rc -eq 1 ] || t_fail "bisect of a false EXPR exited $rc: $(cat "$T/n.out")"
	grep -q "no snapshot" "$T/n.out" || t_fail "no-match message: $(cat "$T/n.out")"
	for e in nosuch '*(int *)g_iter' 'g_array['; do
		for mode in "" --linear; do
			timeout -k 2 "$T_TIMEOUT" "$INSP" bisect $mode "$COORD_CKPTDIR" "$e" >"$T/e.out" 2>&1
			rc=$?
			[ $rc -eq 2 ] || t_fail "bisect $mode '$e' exited $rc: $(cat "$T/e.out")"
		done
	done
	grep -q "cannot be evaluated in any snapshot" "$T/e.out" ||
		t_fail "linear error message: $(cat "$T/e.out")"
	timeout -k 2 "$T_TIMEOUT" "$INSP" bisect --pid 999999 "$COORD_CKPTDIR" "$EXPR" >"$T/e.out" 2>&1
	[ $? -eq 2 ] && grep -q "no image of a process with pid 999999" "$T/e.out" ||
		t_fail "bisect --pid 999999: $(cat "$T/e.out")"
	timeout -k 2 "$T_TIMEOUT" "$INSP" bisect /nonexistent "$EXPR" >"$T/e.out" 2>&1
	[ $? -eq 2 ] || t_fail "bisect of a missing directory: $(cat "$T/e.out")"

	# the paths bisect prints are images for the other tools...
	"$INSP" info "$before" >/dev/null || t_fail "dmtcp_inspect info $before"
	"$INSP" backtrace "$before" >/dev/null || t_fail "dmtcp_inspect backtrace $before"
	# ...and for dmtcp_restart: restart the last good snapshot
	t_kill "$APP_PID"
	T_RESTART_CMD=("$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" "$before")
	t_restart
	t_checkpoint
	[ "$(value_in "${CKPT_IMAGES[0]}" 'list_head->value')" = 100 ] ||
		t_fail "the restarted snapshot's list"
	t_kill "$RST_PID"
}

scenario_incremental() {
	T_LAUNCH_OPTS=(--incremental)
	scenario
	"$INSP" info "$first_bad" | grep -q '^parent: ' ||
		t_fail "$first_bad is not an incremental image"
}

scenario_timeline() {
	local tl=$T/tl bad before crash
	t_have "$PROGS/list_corrupt"
	t_coord_start
	T_LAUNCH_OPTS=(--timeline "$tl" --interval-ms 50 --ckpt-on-crash)
	t_launch list_corrupt 40
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt (crashes)"
	crash=$(ls "$tl"/*_crash.dmtcp 2>/dev/null | head -1)
	[ -n "$crash" ] || t_fail "no crash image in $tl: $(ls "$tl")"
	"$INSP" timeline "$tl" >"$T/tl.out" 2>&1 || t_fail "timeline: $(cat "$T/tl.out")"
	cat "$T/tl.out"
	grep -qE ' crash ' "$T/tl.out" || t_fail "timeline: no crash snapshot"
	grep -qE ' api +list started ' "$T/tl.out" || t_fail "timeline: no tagged snapshot"
	bisect_ok "$T/tl.b" "$tl" 'pool[5].next != 0 && pool[5].next != &pool[6]'
	cat "$T/tl.b"
	bad=$(sed -n 's/^first bad: .*  \(\/.*\.dmtcp\)$/\1/p' "$T/tl.b")
	before=$(sed -n 's/^before: .*  \(\/.*\.dmtcp\)$/\1/p' "$T/tl.b")
	[ "$(value_in "$bad" 'pool[5].next')" = 0x10 ] || t_fail "pool[5].next in $bad"
	[ -n "$before" ] || t_fail "no snapshot before the corruption: $(cat "$T/tl.b")"
	[ "$(value_in "$before" 'pool[5].next == 0 || pool[5].next == &pool[6]')" = 1 ] ||
		t_fail "pool[5].next in $before"
	# the crash: the walk's pointer, in the thread that got the signal
	[ "$(value_in "$crash" n)" = 0x10 ] || t_fail "n in the crash image: $("$INSP" print "$crash" n 2>&1)"
	timeout -k 2 "$T_TIMEOUT" "$INSP" print "$crash" '*n' >"$T/n.out" 2>&1
	[ $? -eq 3 ] && grep -q "cannot access memory at address 0x10 " "$T/n.out" ||
		t_fail "print *n in the crash image: $(cat "$T/n.out")"
}

both() {
	t_run bisect scenario && t_run bisect-incremental scenario_incremental &&
		t_run bisect-timeline scenario_timeline
}

t_main both
