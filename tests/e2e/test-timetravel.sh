#!/bin/bash
# test-timetravel.sh - issue 15's story, end to end, for the three shapes
# of tests/progs/list_corrupt (one thread, a worker thread, a forked
# child): at an iteration K the test picks and tells no tool, a bug
# overwrites pool[5].next; the program crashes at the next walk of the
# list.  Run with --timeline --interval-ms 100 --ckpt-on-crash, then:
#  - dmtcp_inspect bisect names the first snapshot where the list is
#    broken (dmtcp_inspect print: iteration >= K there, < K before);
#  - in gdb (batch, started with no process: dmtcp goto to the crash,
#    the last snapshot, first), dmtcp bisect goes to the snapshot before,
#    watch -l pool[5].next + continue stop at the line marked BUG at
#    iteration K;
#  - dmtcp goto -1 twice (with a goto +1 between) reaches the same state
#    both times.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

EXPR='pool[5].next != 0 && pool[5].next != &pool[6]'
LOADER=$DMTCP_SRCDIR/gdb/dmtcp-gdb.py

iter_of() { # image -> the value of `iteration` in it
	"$BIN/dmtcp_inspect" print "$1" iteration 2>&1 | sed -n 's/^(int) //p'
}

story() { # mode: "" threads fork
	local mode=$1 k tl=$T/tl-${1:-single} out bad before crash pid=() bug v n
	k=$((30 + RANDOM % 60))	# the crash is at the walk of iteration 127
	T_LAUNCH_OPTS=(--timeline "$tl" --interval-ms 100 --ckpt-on-crash)
	t_launch list_corrupt "$k" $mode
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt $mode to crash"
	wait "$APP_PID"
	crash=$(ls "$tl"/ckpt_list_corrupt_*_crash.dmtcp 2>/dev/null | head -n 1)
	[ -n "$crash" ] || t_fail "$mode: no crash snapshot in $tl: $(ls "$tl")"
	# the process to look at: the one that crashed (the child with fork)
	pid=(--pid "$(sed -E 's/.*_[0-9a-f]+-([0-9]+)-[0-9a-f]+_[0-9]+_crash.*/\1/' <<<"${crash##*/}")")
	"$BIN/dmtcp_inspect" timeline "$tl" >"$T/timeline.$mode" 2>&1 ||
		t_fail "$mode: dmtcp_inspect timeline: $(cat "$T/timeline.$mode")"
	n=$(grep -cE '^[0-9]+ ' "$T/timeline.$mode")
	# at least the program's tagged one (iteration 2), the crash and one
	# in between, whatever the load
	[ "$n" -ge 3 ] || t_fail "$mode: $n snapshots: $(cat "$T/timeline.$mode")"
	# gdb starts at the crash: with fork, the parent may take a snapshot
	# of its own after the child's crash, so not always the last one
	n=$("$BIN/dmtcp_inspect" --json timeline "$tl" | python3 -c '
import json, sys
print([s["number"] for s in json.load(sys.stdin) if s["trigger"] == "crash"][-1])') ||
		t_fail "$mode: no crash snapshot in the timeline: $(cat "$T/timeline.$mode")"

	# offline: the first broken snapshot, and the one before
	out=$("$BIN/dmtcp_inspect" bisect "${pid[@]}" "$tl" "$EXPR" 2>&1) ||
		t_fail "$mode: bisect failed: $out"
	echo "$out" | sed 's/^/    | /'
	bad=$(sed -n 's/^first bad: .*  \([^ ]*\.dmtcp\)$/\1/p' <<<"$out")
	before=$(sed -n 's/^before: .*  \([^ ]*\.dmtcp\)$/\1/p' <<<"$out")
	[ -f "$bad" ] && [ -f "$before" ] || t_fail "$mode: bisect did not name two images: $out"
	v=$(iter_of "$bad")
	[ -n "$v" ] && [ "$v" -ge "$k" ] || t_fail "$mode: first bad snapshot at iteration '$v', K=$k"
	v=$(iter_of "$before")
	[ -n "$v" ] && [ "$v" -lt "$k" ] || t_fail "$mode: snapshot before at iteration '$v', K=$k"
	t_log "$mode: K=$k, bisect: ${bad##*/} (iteration >= K), before: ${before##*/} (iteration $v)"

	# in gdb, from the crash
	cat >"$T/story.gdb" <<G
set pagination off
dmtcp goto $n
printf "CRASH %d\n", iteration
printf "MARK bisect\n"
dmtcp bisect pool[5].next != 0 && pool[5].next != &pool[6]
printf "BEFORE %d\n", iteration
watch -l pool[5].next
continue
printf "AT %d\n", iteration
info line *(\$pc - 1)
delete
dmtcp goto -1
printf "GOTO1 %d %lx\n", iteration, (long)pool[5].next
dmtcp goto +1
dmtcp goto -1
printf "GOTO2 %d %lx\n", iteration, (long)pool[5].next
kill
G
	DMTCP_CHECKPOINT_DIR=$tl DMTCP_BINDIR=$BIN \
		timeout -k 5 $((T_TIMEOUT * 3)) gdb -q -batch -iex "source $LOADER" \
		-x "$T/story.gdb" </dev/null >"$T/gdb.$mode" 2>&1
	[ $? -eq 124 ] && t_fail "$mode: gdb timed out: $(tail -20 "$T/gdb.$mode")"
	grep -vE 'New (LWP|Thread)|libthread_db|exited\]' "$T/gdb.$mode" | sed 's/^/    | /'
	grep -q "^CRASH [0-9]" "$T/gdb.$mode" || t_fail "$mode: dmtcp goto $n (the crash) failed"
	grep -q "^BEFORE [0-9]" "$T/gdb.$mode" || t_fail "$mode: dmtcp bisect did not land on a snapshot"
	[ "$(sed -n 's/^BEFORE //p' "$T/gdb.$mode")" -lt "$k" ] ||
		t_fail "$mode: dmtcp bisect landed after the bug"
	grep -qE 'Hardware watchpoint [0-9]+: -location pool\[5\]\.next' "$T/gdb.$mode" ||
		t_fail "$mode: the watchpoint did not trigger"
	grep -q "^AT $k\$" "$T/gdb.$mode" || t_fail "$mode: the write was not at iteration K=$k"
	bug=$(grep -n 'BUG' "$DMTCP_SRCDIR/tests/progs/list_corrupt.c" |
		grep -v '^[0-9]*: \*' | cut -d: -f1)
	grep -q "^Line $bug of \".*list_corrupt\\.c\"" "$T/gdb.$mode" ||
		t_fail "$mode: watch + continue did not stop at line $bug (BUG)"
	mapfile -t v < <(sed -n 's/^GOTO[12] //p' "$T/gdb.$mode")
	[ ${#v[@]} -eq 2 ] && [ "${v[0]}" = "${v[1]}" ] ||
		t_fail "$mode: goto -1 twice gave different states: ${v[*]}"
	t_log "$mode: gdb: bisect, watch + continue at line $bug, iteration $k; goto -1 twice: ${v[0]}"
}

scenario() {
	command -v gdb >/dev/null || t_fail "gdb not found"
	t_coord_start
	story ""
	story threads
	story fork
}

t_main t_run timetravel scenario
