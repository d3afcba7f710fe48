#!/bin/bash
# test-gdb-restart.sh - restarting tests/progs/gdb_fixture under a debugger:
#  (a) dmtcp_restart --gdb IMG -- -batch -ex 'thread apply all bt' shows
#      every thread's fixture functions, the toolkit's frames (checkpoint
#      handler, <signal handler called>) hidden by the gdb helpers' frame
#      filter, which `dmtcp restored` says the image of and selects the
#      program's frame in; the program then runs on and PASSes;
#  (b) dmtcp_restart --stop-for-debugger --pid-file F IMG, then an external
#      `gdb -p PID` batch shows the same, with the parked threads'
#      <signal handler called> frames (bt -no-filters: the helpers, when
#      gdb auto-loads them, hide those); a second gdb that continues to a
#      breakpoint checks the threads are released.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 3000 "$1")"
}

t_count() { # file pattern min what
	local n
	n=$(grep -cE -- "$2" "$1")
	[ "$n" -ge "$3" ] ||
		t_fail "$4: $n lines match /$2/ in $(basename "$1"), expected >= $3: $(head -c 3000 "$1")"
}

# the backtraces of every user thread of the fixture, in gdb output $1
t_check_bt() {
	local f=$1 what=$2 sigframes=$3
	t_count "$f" '^Thread [0-9]+ ' 4 "$what: 3 user threads + dmtcp:ckpt"
	t_count "$f" '<signal handler called>' "$sigframes" "$what: parked threads"
	t_has "$f" '\bgdbfx_main_loop \(' "$what: main thread's loop"
	t_has "$f" '\bmain \(' "$what: main"
	t_has "$f" 'gdbfx_wait_one \(' "$what: worker one"
	t_has "$f" 'gdbfx_worker_one \(' "$what: worker one"
	t_has "$f" 'gdbfx_wait_two \(' "$what: worker two"
	t_has "$f" 'gdbfx_worker_two \(' "$what: worker two"
	t_has "$f" '"gdbfx-one"' "$what: thread names"
	t_has "$f" 'gdb_fixture\.c:[0-9]+' "$what: source lines"
}

t_gdb_done() { # log pid
	grep -q 'detached\]' "$1" && return 0
	t_alive "$2" || t_fail "dmtcp_restart --gdb exited before gdb finished (see $(basename "$1"))"
	return 1
}

t_pidfile_ready() { # file pid
	[ -s "$1" ] && grep -qE '^[0-9]+$' "$1" && return 0
	t_alive "$2" || t_fail "dmtcp_restart --stop-for-debugger exited before writing $1"
	return 1
}

# gdb_fixture checkpointed once and killed: its image is CKPT_IMAGES[0]
fixture_image() {
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	t_coord_start
	t_launch gdb_fixture
	t_wait_ready
	t_checkpoint
	t_kill "$APP_PID"
}

scenario_gdb() {
	local img rpid
	fixture_image
	img=${CKPT_IMAGES[0]}

	t_log "(a) dmtcp_restart --gdb $img -- -batch -ex 'thread apply all bt'"
	"$BIN/dmtcp_restart" --gdb "$img" -- -batch \
		-ex 'thread apply all bt' -ex 'print gdbfx_counter' \
		</dev/null >"$T/gdb-a.log" 2>&1 &
	rpid=$!
	t_track "$rpid"
	t_wait "$T_TIMEOUT" "gdb to print the backtraces and detach" \
		t_gdb_done "$T/gdb-a.log" "$rpid"
	t_check_bt "$T/gdb-a.log" "--gdb" 0
	# the helpers' frame filter: no handler frame above the fixture's
	grep -E '^#[0-9]+ .*(ckpt_handler|<signal handler called>)' \
		"$T/gdb-a.log" >"$T/hidden.txt"
	[ ! -s "$T/hidden.txt" ] ||
		t_fail "--gdb: toolkit frames shown in bt: $(cat "$T/hidden.txt")"
	t_has "$T/gdb-a.log" "^dmtcp: restored from ${img//./\\.}" "--gdb: dmtcp restored"
	t_has "$T/gdb-a.log" '^#6 .* tp_sleep_ms \(' "--gdb: the program's frame selected"
	t_has "$T/gdb-a.log" '^\$1 = [1-9][0-9]*' "--gdb: print gdbfx_counter"
	# gdb is gone: the threads run on, the program finishes normally
	t_wait "$T_TIMEOUT" "the restored process to run after gdb" \
		t_peers_running 1
	t_finish "$rpid" gdb_fixture 1
}

scenario_stop() {
	local img rpid hpid GDB_OPTS=()
	fixture_image
	img=${CKPT_IMAGES[0]}

	t_log "(b) dmtcp_restart --stop-for-debugger --pid-file $T/rst.pid $img"
	"$BIN/dmtcp_restart" --stop-for-debugger --pid-file "$T/rst.pid" \
		"$img" </dev/null >"$T/stop.log" 2>&1 &
	rpid=$!
	t_track "$rpid"
	t_wait "$T_TIMEOUT" "the pid file" t_pidfile_ready "$T/rst.pid" "$rpid"
	hpid=$(cat "$T/rst.pid")
	t_has "$T/stop.log" "host pid $hpid" "--stop-for-debugger message"
	t_alive "$hpid" || t_fail "pid $hpid from the pid file is not alive"
	# the pid must be the program itself, not a helper around it
	[ "$(readlink "/proc/$hpid/exe")" = "$PROGS/gdb_fixture" ] ||
		t_fail "the pid file names $hpid, which runs $(readlink "/proc/$hpid/exe") (NSpid $(grep NSpid "/proc/$hpid/status" | cut -f2-)), not $PROGS/gdb_fixture: dmtcp_restart --stop-for-debugger reports the wrong host pid"
	# known: unprivileged, gdb's default sysroot "target:" opens the
	# files through setns() into the restored process's mount namespace,
	# which its user namespace does not allow; the files are the same on
	# the host, so read them from there.  (Not by trying first: a gdb
	# that attaches and leaves without continuing releases the threads.)
	if [ "$(id -u)" != 0 ] && [ -z "${DMTCP_TEST_STRICT_GDB:-}" ]; then
		echo "note: KNOWN ISSUE: unprivileged gdb -p needs -iex 'set sysroot /' (set DMTCP_TEST_STRICT_GDB=1 to fail on it)"
		GDB_OPTS=(-iex 'set sysroot /')
	fi
	t_log "external gdb -p $hpid -batch -ex 'thread apply all bt'"
	timeout -k 5 "$T_TIMEOUT" "$GDB" -q ${GDB_OPTS[@]+"${GDB_OPTS[@]}"} \
		-p "$hpid" -batch -ex 'thread apply all bt -no-filters' \
		-ex 'print gdbfx_counter' </dev/null >"$T/gdb-b.log" 2>&1
	t_check_bt "$T/gdb-b.log" "gdb -p" 3
	t_has "$T/gdb-b.log" '^\$1 = [1-9][0-9]*' "gdb -p: print gdbfx_counter"

	# continuing must release the parked threads: the main loop runs and
	# hits a breakpoint
	t_log "external gdb -p $hpid: break gdbfx_tick, continue"
	timeout -k 5 8 "$GDB" -q ${GDB_OPTS[@]+"${GDB_OPTS[@]}"} -p "$hpid" \
		-batch -ex 'break gdbfx_tick' \
		-ex continue -ex 'print gdbfx_counter' -ex kill \
		</dev/null >"$T/gdb-b2.log" 2>&1
	grep -q 'hit Breakpoint 1, gdbfx_tick' "$T/gdb-b2.log" ||
		t_fail "the threads were not released when gdb -p continued: $(tail -n 5 "$T/gdb-b2.log")"
	t_wait_exit "$rpid" "$T_TIMEOUT" "dmtcp_restart after its process was killed"
}

scenarios() {
	t_run gdb scenario_gdb && t_run stop scenario_stop
}

t_main scenarios
