#!/bin/bash
# test-gdb-goto-procs.sh - `dmtcp goto`, `dmtcp processes` and `dmtcp
# attach` on a two-process computation: tests/progs/list_corrupt K fork
# runs with a timeline (--timeline, --interval-ms 100, --ckpt-on-crash);
# its child corrupts pool[5].next at iteration K (the test picks K and
# does not tell gdb) and crashes later.  In one gdb batch script with no
# process to start from: goto the snapshot tagged by the program
# (dmtcp_checkpoint_tagged "list started"), `dmtcp attach` the
# child (`dmtcp processes` shows both); `dmtcp bisect --pid CHILD` finds
# the first snapshot where the list is broken and goes to the one before
# (the child attached); +1 then -1 come back to the same state (the
# child's iteration); `watch -l pool[5].next` + `continue` stop right
# after the line marked BUG, at iteration K.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}
LOADER=$DMTCP_SRCDIR/gdb/dmtcp-gdb.py

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 4000 "$1")"
}

scenario() {
	local k bug v
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	k=$((40 + RANDOM % 10))	# the crash (next walk) is at iteration 127
	t_coord_start
	T_LAUNCH_OPTS=(--timeline "$T/tl" --interval-ms 100 --ckpt-on-crash)
	t_launch list_corrupt "$k" fork
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt (the child crashes)"
	t_has "$T/app.log" '^child crashed$' "the child's crash"
	t_command -i 0 >/dev/null	# no more interval snapshots

	cat >"$T/scan.gdb" <<'EOF'
set pagination off
dmtcp timeline
python
import gdb
from dmtcp_gdb import timeline
snaps = [s for s in timeline.load(timeline.timeline_dir())
         if len(s["processes"]) == 2]
child = max(p["vpid"] for p in snaps[0]["processes"])
# every process restored, the parent attached; then the child too
gdb.execute('dmtcp goto "list started"')   # the program's tag
gdb.execute("dmtcp attach %d" % child)
gdb.execute("dmtcp processes")   # parent inferior 1, child 2
print("CHILD %d" % child)
gdb.execute("dmtcp bisect --pid %d pool[5].next != 0 && "
            "pool[5].next != &pool[6]" % child)
gdb.execute('printf "ITER %d\\n", iteration')
gdb.execute("dmtcp goto +1")
gdb.execute("dmtcp goto -1")
gdb.execute('printf "ITER %d\\n", iteration')
end
printf "MARK last\n"
dmtcp processes
watch -l pool[5].next
continue
printf "AT %d\n", iteration
info line *($pc - 1)
kill
EOF
	t_log "gdb -x scan.gdb (K=$k, not told)"
	DMTCP_CHECKPOINT_DIR=$T/tl DMTCP_BINDIR=$BIN \
		timeout -k 5 $((T_TIMEOUT * 2)) "$GDB" -q -batch \
		-iex "source $LOADER" -x "$T/scan.gdb" \
		</dev/null >"$T/gdb-scan.log" 2>&1
	[ $? -eq 124 ] && t_fail "gdb -x scan.gdb timed out"
	sed 's/^/    | /' "$T/gdb-scan.log" | grep -vE 'New (LWP|Thread)|libthread_db|exited\]'
	grep -q 'Error' "$T/gdb-scan.log" &&
		t_fail "gdb reported an error: $(grep -m3 Error "$T/gdb-scan.log")"

	t_has "$T/gdb-scan.log" '^CHILD [0-9]+$' "the child"
	t_has "$T/gdb-scan.log" "^dmtcp goto: snapshot 1 \\(generation 1, tag 'list started'\\)" "goto TAG"
	t_has "$T/gdb-scan.log" '^first bad: snapshot [0-9]+ ' "dmtcp bisect"
	t_has "$T/gdb-scan.log" '^last good: snapshot [0-9]+ ' "dmtcp bisect"
	mapfile -t v < <(sed -n 's/^ITER //p' "$T/gdb-scan.log")
	[ ${#v[@]} -eq 2 ] && [ "${v[0]}" = "${v[1]}" ] ||
		t_fail "the snapshot before the bug, reached twice: the child's iteration was ${v[*]}"
	[ "${v[0]}" -lt "$k" ] ||
		t_fail "the snapshot before the first bad one is at iteration ${v[0]}, not before K=$k"
	# after the first goto (from no process: the parent) and attach
	t_has "$T/gdb-scan.log" '^  [0-9]+ +[0-9]+ +list_corrupt +inferior 1$' "dmtcp processes: the parent"
	t_has "$T/gdb-scan.log" '^\* [0-9]+ +[0-9]+ +list_corrupt +inferior 2$' "dmtcp processes: the child"
	# a goto from the child attaches the child (the same program)
	sed -n '/^MARK last$/,$p' "$T/gdb-scan.log" >"$T/last.txt"
	t_has "$T/last.txt" '^\* [0-9]+ +[0-9]+ +list_corrupt +inferior 1$' "goto from the child: the child"
	t_has "$T/last.txt" '^  [0-9]+ +[0-9]+ +list_corrupt +-$' "goto from the child: the parent parked, not attached"
	t_has "$T/gdb-scan.log" 'Hardware watchpoint [0-9]+: -location pool\[5\]\.next' "watchpoint hit"
	t_has "$T/gdb-scan.log" "^AT $k\$" "the write at iteration K"
	bug=$(grep -n 'BUG' "$DMTCP_SRCDIR/tests/progs/list_corrupt.c" | grep -v '^[0-9]*: \*' | cut -d: -f1)
	t_has "$T/gdb-scan.log" "^Line $bug of \".*list_corrupt\\.c\"" "the corrupting line"
	t_log "K=$k: snapshot before the bug at iteration ${v[0]} (twice), watchpoint at line $bug, iteration $k"
}

t_main t_run goto-procs scenario
