#!/bin/bash
# test-inspect-timeline.sh - dmtcp_inspect timeline over a directory of
# three generations of tests/progs/print_fixture (--keep-generations 0):
# one line a snapshot in generation order with its number, trigger
# (command: these images have no SNAP record yet), process and where its
# thread was (tp_sleep_ms testprog.h:LINE); --json with the same fields,
# the image paths, bytes equal to the files' sizes; errors for a
# missing or empty directory.
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
}

t_main t_run timeline scenario
