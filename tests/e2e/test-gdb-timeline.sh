#!/bin/bash
# test-gdb-timeline.sh - `dmtcp timeline` and `dmtcp goto` (gdb/dmtcp_gdb/
# timeline.py) on tests/progs/gdb_fixture, from one gdb batch script:
# three checkpoints kept (--keep-generations 0) make a timeline of three
# snapshots; `dmtcp goto 2`, `-1`, `+1` and `2` again show the counter of
# each snapshot (the same value every time at snapshot 2, a smaller one at
# 1); a breakpoint set after a goto stays across the next goto; the
# selected frame is the program's (tp_sleep_ms, its source line), `bt`
# hides the toolkit's frames and `bt -no-filters` shows them; `dmtcp info`
# and `dmtcp rewind` after `goto 1` take snapshot 1's image; `dmtcp
# processes` names the process; errors (no such snapshot, -1 at the
# first) are clear; `dmtcp bisect` finds the first snapshot past snapshot
# 2's counter and goes to snapshot 2; gdb's session folder is gone once gdb exits, and a
# stale one of a dead gdb is removed while a live gdb's stays.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}
LOADER=$DMTCP_SRCDIR/gdb/dmtcp-gdb.py

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 4000 "$1")"
}

t_values() { # file label
	sed -n "s/^$2 \\([0-9][0-9]*\\)\$/\\1/p" "$1"
}

run_gdb() { # name what: gdb attached to the program runs $T/NAME.gdb
	t_log "gdb -p $APP_PID -x $1.gdb ($2)"
	DMTCP_BINDIR=$BIN timeout -k 5 $((T_TIMEOUT * 2)) "$GDB" -q -batch \
		-iex "source $LOADER" -p "$APP_PID" -x "$T/$1.gdb" \
		</dev/null >"$T/gdb-$1.log" 2>&1
	[ $? -eq 124 ] && t_fail "gdb -x $1.gdb timed out"
	sed 's/^/    | /' "$T/gdb-$1.log" | grep -vE 'New LWP|libthread_db'
	grep -q 'Error' "$T/gdb-$1.log" &&
		t_fail "gdb reported an error: $(grep -m3 Error "$T/gdb-$1.log")"
}

start_time() { # pid: field 22 of /proc/PID/stat
	cut -d')' -f2- "/proc/$1/stat" | awk '{ print $20 }'
}

scenario() {
	local v g1 line n live stale
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	T_COORD_OPTS=(--keep-generations 0)
	t_coord_start
	t_launch gdb_fixture
	t_wait_ready
	for n in 1 2 3; do
		t_checkpoint
		sleep 0.3	# the counter moves on between snapshots
	done

	# session folders: one of a dead gdb (removed), one of a live one (kept)
	stale=$DMTCP_TMPDIR/dmtcp-gdb.stale0
	live=$DMTCP_TMPDIR/dmtcp-gdb.live00
	mkdir -p "$stale" "$live"
	echo "999999999 1" >"$stale/owner"
	echo "$$ $(start_time $$)" >"$live/owner"

	cat >"$T/goto.gdb" <<'EOF'
set pagination off
dmtcp timeline
dmtcp goto 2
printf "G2 %lu\n", gdbfx_counter
python f = gdb.selected_frame(); print("FRAME %s %s:%d" % (f.name(), f.find_sal().symtab.filename, f.find_sal().line))
printf "MARK bt\n"
bt
printf "MARK bt-no-filters\n"
bt -no-filters
printf "MARK end\n"
dmtcp timeline
dmtcp goto -1
printf "G1 %lu\n", gdbfx_counter
dmtcp info
dmtcp rewind
printf "R1 %lu\n", gdbfx_counter
dmtcp goto +1
printf "G2 %lu\n", gdbfx_counter
set $n0 = gdbfx_counter
break gdbfx_tick if n >= $n0 + 5
continue
printf "RAN %lu\n", gdbfx_counter
dmtcp goto 2
printf "G2 %lu\n", gdbfx_counter
continue
printf "RAN %lu\n", gdbfx_counter
dmtcp processes
python from dmtcp_gdb.util import state; print("SESSION %s" % state["session_dir"])
delete
kill
EOF
	run_gdb goto "timeline, goto 2, -1, +1, 2"

	t_has "$T/gdb-goto.log" '^timeline .*: 3 snapshots$' "dmtcp timeline"
	t_has "$T/gdb-goto.log" '^\*   2  gen 2 ' "dmtcp timeline marks snapshot 2"
	mapfile -t v < <(t_values "$T/gdb-goto.log" G2)
	[ ${#v[@]} -eq 3 ] || t_fail "expected 3 G2 values, got ${#v[@]}"
	[ "${v[0]}" -gt 0 ] && [ "${v[1]}" = "${v[0]}" ] && [ "${v[2]}" = "${v[0]}" ] ||
		t_fail "snapshot 2 shows counters ${v[*]}: not the same each time"
	g1=$(t_values "$T/gdb-goto.log" G1)
	[ -n "$g1" ] && [ "$g1" -gt 0 ] && [ "$g1" -lt "${v[0]}" ] ||
		t_fail "snapshot 1's counter '$g1' should be below snapshot 2's ${v[0]}"
	mapfile -t n < <(t_values "$T/gdb-goto.log" RAN)
	[ ${#n[@]} -eq 2 ] && [ "${n[0]}" = $((v[0] + 5)) ] &&
		[ "${n[1]}" = $((v[0] + 5)) ] ||
		t_fail "after goto + continue the breakpoint stopped at '${n[*]}', expected twice $((v[0] + 5))"
	# info and rewind take the image the process came from, not the newest
	t_has "$T/gdb-goto.log" '^image +/.*_00001\.dmtcp$' "dmtcp info after goto 1"
	t_has "$T/gdb-goto.log" '^dmtcp rewind #[0-9]+: /.*_00001\.dmtcp restored' "dmtcp rewind after goto 1"
	[ "$(t_values "$T/gdb-goto.log" R1)" = "$g1" ] ||
		t_fail "dmtcp rewind after goto 1 shows $(t_values "$T/gdb-goto.log" R1), expected snapshot 1's $g1"
	t_log "counter: snapshot 1 $g1 (goto and rewind), snapshot 2 ${v[0]} (3 times), +5 after continue (twice)"

	# the program's frame and its source line
	line=$(grep -n 'nanosleep(&ts, &ts)' "$DMTCP_SRCDIR/tests/progs/testprog.h" | cut -d: -f1)
	t_has "$T/gdb-goto.log" "^FRAME tp_sleep_ms .*testprog\\.h:$line\$" "selected frame"
	# bt hides the toolkit's frames, -no-filters shows them
	sed -n '/^MARK bt$/,/^MARK bt-no-filters$/p' "$T/gdb-goto.log" >"$T/bt.txt"
	sed -n '/^MARK bt-no-filters$/,/^MARK end$/p' "$T/gdb-goto.log" >"$T/bt-all.txt"
	t_has "$T/bt.txt" '^#[0-9]+ .*tp_sleep_ms' "bt: program frame"
	t_has "$T/bt.txt" '^#[0-9]+ .*main \(' "bt: main"
	grep -qE 'ckpt_handler|signal handler called|libdmtcp|src/preload' "$T/bt.txt" &&
		t_fail "bt shows the toolkit's frames: $(cat "$T/bt.txt")"
	t_has "$T/bt-all.txt" '^#0 .*ckpt_handler' "bt -no-filters: handler"
	t_has "$T/bt-all.txt" '<signal handler called>' "bt -no-filters: signal frame"
	t_has "$T/gdb-goto.log" '^\* [0-9]+ +[0-9]+ +gdb_fixture +inferior 1$' "dmtcp processes"

	# session folders
	sess=$(sed -n 's/^SESSION //p' "$T/gdb-goto.log")
	[ -n "$sess" ] || t_fail "no session folder reported"
	[ -e "$sess" ] && t_fail "session folder $sess still there after gdb exited"
	[ -e "$stale" ] && t_fail "stale session folder of a dead gdb not removed"
	[ -d "$live" ] || t_fail "the session folder of a live gdb was removed"
	t_log "session $sess removed at exit; stale removed, live kept"

	# errors
	DMTCP_BINDIR=$BIN timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch \
		-iex "source $LOADER" -ex 'dmtcp timeline' -ex 'dmtcp goto 9' \
		-ex 'dmtcp goto 1' -ex 'dmtcp goto -1' -ex 'dmtcp bisect' \
		-ex 'dmtcp goto nosuchtag' -ex 'kill' \
		</dev/null >"$T/gdb-err.log" 2>&1
	t_has "$T/gdb-err.log" 'no snapshot 9 \(the timeline has 1\.\.3\)' "goto 9"
	t_has "$T/gdb-err.log" 'snapshot 1 is the first one' "goto -1 at the first"
	t_has "$T/gdb-err.log" 'usage: dmtcp bisect' "bisect without EXPR"
	t_has "$T/gdb-err.log" "no snapshot tagged 'nosuchtag'" "goto TAG"
	scenario_bisect "${v[0]}"
}

# dmtcp bisect EXPR: `dmtcp_inspect bisect` over the timeline finds the
# first snapshot where gdbfx_counter > (snapshot 2's value), i.e. 3, and
# gdb goes to snapshot 2: the counter is snapshot 2's.  A dmtcp_inspect
# without the command (a stub answering as an old one) gives a clear
# message.
scenario_bisect() {
	local g2=$1 f
	DMTCP_BINDIR=$BIN timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch \
		-iex "source $LOADER" -ex "dmtcp bisect gdbfx_counter > $g2" \
		-ex 'printf "B %lu\n", gdbfx_counter' -ex 'kill' \
		</dev/null >"$T/gdb-bisect.log" 2>&1
	sed 's/^/    | /' "$T/gdb-bisect.log" | grep -vE 'New LWP|libthread_db'
	t_has "$T/gdb-bisect.log" "^first bad: snapshot 3  gdbfx_counter > $g2 = 1 " "bisect: first bad"
	t_has "$T/gdb-bisect.log" "^last good: snapshot 2  gdbfx_counter > $g2 = 0 " "bisect: last good"
	t_has "$T/gdb-bisect.log" "^dmtcp goto: snapshot 2 " "bisect: goto"
	t_has "$T/gdb-bisect.log" "^B $g2\$" "bisect went to snapshot 2"
	# an old dmtcp_inspect without the command
	mkdir -p "$T/stub"
	for f in "$BIN"/*; do ln -s "$f" "$T/stub/${f##*/}"; done
	rm "$T/stub/dmtcp_inspect"
	printf '#!/bin/sh\necho "dmtcp_inspect: unknown command '"'"'bisect'"'"' (and no such image file)" >&2\nexit 1\n' \
		>"$T/stub/dmtcp_inspect"
	chmod 755 "$T/stub/dmtcp_inspect"
	DMTCP_BINDIR=$T/stub timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch \
		-iex "source $LOADER" -ex 'dmtcp bisect gdbfx_counter > 80' \
		</dev/null >"$T/gdb-nobisect.log" 2>&1
	t_has "$T/gdb-nobisect.log" "has no 'bisect' command" "bisect without the tool's command"
}

t_main t_run timeline scenario
