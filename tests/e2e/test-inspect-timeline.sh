#!/bin/bash
# test-inspect-timeline.sh - dmtcp_inspect timeline over a directory of
# three generations of tests/progs/print_fixture (--keep-generations 0):
# one line a snapshot in generation order with its number, trigger
# (command: these images have no SNAP record yet), process and where its
# thread was (tp_sleep_ms testprog.h:LINE); --json with the same fields,
# the image paths, bytes equal to the files' sizes; errors for a
# missing or empty directory.  Then a directory crafted with
# tests/progs/snap_inject (SNAP records as the timeline producer writes
# them: times, triggers, tags, pages changed, a branch: generation 4
# restarted from 2, and a crash): the timeline shows them, bisect
# follows the branch (skipping generation 3), and the crash image's core
# makes gdb say "Program terminated with signal SIGSEGV" with $_siginfo.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

INSP=$BIN/dmtcp_inspect

scenario() {
	local i rc
	t_have "$INSP"
	T_COORD_OPTS=(--keep-generations 0)
	t_coord_start
	t_launch print_fixture
	t_wait_ready
	for i in 1 2 3; do
		t_checkpoint
		sleep 0.2
	done
	t_kill "$APP_PID"
	IMGS=("$COORD_CKPTDIR"/ckpt_print_fixture_*.dmtcp)
	timeout -k 2 "$T_TIMEOUT" "$INSP" timeline "$COORD_CKPTDIR" >"$T/t.out" 2>"$T/t.err" ||
		t_fail "timeline exited $?: $(cat "$T/t.err")"
	cat "$T/t.out"
	for i in 1 2 3; do
		grep -qE "^$i +[0-9]+\.[0-9]{3}s +$i  command  - +1 print_fixture .* [0-9]+  tp_sleep_ms testprog\.h:[0-9]+$" "$T/t.out" ||
			t_fail "timeline: no line for snapshot $i: $(cat "$T/t.out")"
	done
	[ "$(grep -cE '^[0-9]+ ' "$T/t.out")" = 3 ] || t_fail "timeline: not 3 snapshots"
	grep -q "^computation " "$T/t.out" || t_fail "timeline: no computation header"

	timeout -k 2 "$T_TIMEOUT" "$INSP" --json timeline "$COORD_CKPTDIR" >"$T/t.json" ||
		t_fail "timeline --json exited $?"
	python3 - "$T/t.json" <<'PY' || t_fail "timeline --json: $(cat "$T/t.json")"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert [s["number"] for s in d] == [1, 2, 3], d
assert [s["generation"] for s in d] == [1, 2, 3], d
t = [s["time_s"] for s in d]
assert t == sorted(t) and t[0] >= 0, t
for s in d:
    assert s["trigger"] == "command" and s["tag"] == "", s
    assert s["processes"] == 1 and s["programs"] == ["print_fixture"], s
    assert len(s["images"]) == 1 and os.path.isfile(s["images"][0]), s
    assert s["bytes"] == os.path.getsize(s["images"][0]), s
    assert s["pages_changed"] > 0 and s["branch_of"] is None, s
    assert s["threads"][0]["where"].startswith("tp_sleep_ms testprog.h:"), s
PY
	# errors: no such directory, a directory without images
	timeout -k 2 "$T_TIMEOUT" "$INSP" timeline "$T/nonexistent" >"$T/e.out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "nonexistent" "$T/e.out" || t_fail "timeline of a missing dir: $rc $(cat "$T/e.out")"
	mkdir "$T/empty"
	timeout -k 2 "$T_TIMEOUT" "$INSP" timeline "$T/empty" >"$T/e.out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "no checkpoint image" "$T/e.out" || t_fail "timeline of an empty dir: $rc $(cat "$T/e.out")"
	crafted
}

# inject OUT_NAME IN FIELD=VALUE...: a crafted snapshot in $T/crafted
inject() {
	local out=$T/crafted/$1 in=$2
	shift 2
	"$PROGS/snap_inject" "$in" "$out" "$@" || t_fail "snap_inject $out"
}

crafted() {
	local a=${IMGS[0]} b=${IMGS[2]} n pid bad before
	local s0=1700000000000000 name=ckpt_print_fixture_crafted
	t_have "$PROGS/snap_inject"
	mkdir "$T/crafted"
	n=$("$INSP" print "$b" g_iter | sed 's/^([^)]*) //')
	pid=$("$INSP" info "$b" | sed -n 's/^pid: *//p')
	inject ${name}_00001.dmtcp "$a" gen=1 prev=0 trigger=1 start_us=$s0 ckpt_us=$((s0 + 500000)) pages=11 tag=start
	inject ${name}_00002.dmtcp "$a" gen=2 prev=1 trigger=2 start_us=$s0 ckpt_us=$((s0 + 1500000)) pages=22 "tag=after parse"
	inject ${name}_00003.dmtcp "$b" gen=3 prev=2 trigger=0 start_us=$s0 ckpt_us=$((s0 + 2500000)) pages=33
	inject ${name}_00004.dmtcp "$b" gen=4 prev=2 trigger=3 start_us=$s0 ckpt_us=$((s0 + 3500000)) pages=44 tag=retry
	inject ${name}_00005.dmtcp "$b" gen=5 prev=4 start_us=$s0 ckpt_us=$((s0 + 4250000)) pages=55 "crash=$pid:11:1:dead0"
	"$INSP" timeline "$T/crafted" >"$T/c.out" 2>"$T/c.err" ||
		t_fail "timeline of the crafted directory: $(cat "$T/c.err")"
	cat "$T/c.out"
	grep -qE '^1 +0\.500s +1  interval start .* 11  tp_sleep_ms testprog\.h:[0-9]+$' "$T/c.out" || t_fail "crafted #1"
	grep -qE '^2 +1\.500s +2  api +after parse .* 22  ' "$T/c.out" || t_fail "crafted #2"
	grep -qE '^3 +2\.500s +3  command +- .* 33  ' "$T/c.out" || t_fail "crafted #3"
	grep -qE '^4 +3\.500s +4  gdb +retry \(branch of #2\) .* 44  ' "$T/c.out" || t_fail "crafted #4 (branch)"
	grep -qE '^5 +4\.250s +5  crash +- .* 55  ' "$T/c.out" || t_fail "crafted #5 (crash)"
	"$INSP" --json timeline "$T/crafted" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [s["branch_of"] for s in d] == [None, None, None, 2, None], d
assert [s["prev_generation"] for s in d] == [0, 1, 2, 2, 4], d
assert [s["trigger"] for s in d] == ["interval", "api", "command", "gdb", "crash"], d
assert d[1]["tag"] == "after parse" and d[4]["time_s"] == 4.25, d' ||
		t_fail "crafted timeline --json"
	# bisect follows the branch 5 <- 4 <- 2 <- 1: #3 is not on it
	for mode in "" --linear; do
		"$INSP" bisect $mode "$T/crafted" "g_iter >= $n" >"$T/b.out" 2>&1 ||
			t_fail "bisect $mode of the crafted directory: $(cat "$T/b.out")"
		bad=$(sed -n 's/^first bad: *#\([0-9]*\) .*/\1/p' "$T/b.out")
		before=$(sed -n 's/^before: *#\([0-9]*\) .*/\1/p' "$T/b.out")
		[ "$bad/$before" = 4/2 ] ||
			t_fail "bisect $mode over the branch: #$bad after #$before, expected #4 after #2: $(cat "$T/b.out")"
	done
	grep -q "tag retry" "$T/b.out" || t_fail "bisect: no tag: $(cat "$T/b.out")"
	# the crash image's core records the crash
	"$INSP" core "$T/crafted/${name}_00005.dmtcp" -o "$T/crash.core" >/dev/null ||
		t_fail "core of the crash image"
	command -v gdb >/dev/null || { t_log "no gdb: the core's notes are checked by test_inspect_core only"; return 0; }
	timeout -k 2 "$T_TIMEOUT" gdb -batch -nx "$PROGS/print_fixture" "$T/crash.core" \
		-ex 'print $_siginfo.si_signo' \
		-ex 'print $_siginfo._sifields._sigfault.si_addr' >"$T/gdb.out" 2>&1
	grep -q "Program terminated with signal SIGSEGV" "$T/gdb.out" &&
		grep -q '^\$1 = 11$' "$T/gdb.out" && grep -q '^\$2 = (void \*) 0xdead0$' "$T/gdb.out" ||
		t_fail "gdb on the crash core: $(cat "$T/gdb.out")"
}

t_main t_run timeline scenario
