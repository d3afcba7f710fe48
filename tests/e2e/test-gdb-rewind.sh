#!/bin/bash
# test-gdb-rewind.sh - the gdb helpers (gdb/dmtcp-gdb.py) on
# tests/progs/gdb_fixture, from one gdb batch script (-x):
#  (c) attached to the live program, `dmtcp rewind` three times in a row:
#      each time the global gdbfx_counter is N, its value at the
#      checkpoint, while the live program was past N and each rewound
#      process counts on to N+25 (a conditional breakpoint) before the next
#      rewind; `dmtcp threads` / `dmtcp frame` show the interrupted frames;
#      after gdb detaches the last rewound process runs on and PASSes;
#  `dmtcp info` shows the image; `dmtcp checkpoint TAG` writes an image
#  from inside gdb holding exactly the state gdb showed (the counter
#  rewound to is the one printed before the command), its tag reaches
#  the coordinator; --detach mode too; a checkpoint a stopped peer blocks
#  ends after --timeout with the coordinator's status, not a hang.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}
LOADER=$DMTCP_SRCDIR/gdb/dmtcp-gdb.py

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 4000 "$1")"
}

t_values() { # file label: the numbers printed as "label <n>", one a line
	sed -n "s/^$2 \\([0-9][0-9]*\\)\$/\\1/p" "$1"
}

t_app_passed() {
	grep -aq '^PASS gdb_fixture ' "$T/app.log" && return 0
	grep -aq '^FAIL ' "$T/app.log" &&
		t_fail "the program failed: $(grep -a '^FAIL ' "$T/app.log")"
	return 1
}

# run_gdb NAME WHAT: gdb attached to the program runs $T/NAME.gdb (output
# $T/gdb-NAME.log, shown), within a bound, and reports no error
run_gdb() {
	t_log "gdb -p $APP_PID -x $1.gdb ($2)"
	DMTCP_BINDIR=$BIN timeout -k 5 $((T_TIMEOUT * 3)) "$GDB" -q -batch \
		-iex "source $LOADER" -p "$APP_PID" -x "$T/$1.gdb" \
		</dev/null >"$T/gdb-$1.log" 2>&1
	[ $? -eq 124 ] && t_fail "gdb -x $1.gdb timed out"
	sed 's/^/    | /' "$T/gdb-$1.log" | grep -vE 'New LWP|libthread_db'
	grep -q 'Error' "$T/gdb-$1.log" &&
		t_fail "gdb reported an error: $(grep -m3 Error "$T/gdb-$1.log")"
}

# rewound_passes CKPTS: once gdb is gone, the rewound process runs on and,
# stopped, passes after CKPTS checkpoints and one restart
rewound_passes() {
	t_wait "$T_TIMEOUT" "the rewound process to run after gdb" \
		t_peers_running 1
	t_log "stop: touch $TEST_STOP_FILE"
	touch "$TEST_STOP_FILE"
	t_wait "$T_TIMEOUT" "PASS in app.log" t_app_passed
	t_has "$T/app.log" "^PASS gdb_fixture ckpts=$1 restarts=1\$" "result"
}

scenario() {
	local img n live v i
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	[ -r "$LOADER" ] || t_fail "$LOADER missing"
	t_coord_start
	t_launch gdb_fixture
	t_wait_ready
	t_checkpoint
	img=${CKPT_IMAGES[0]}
	sleep 0.3	# the live counter moves past the checkpoint's value

	cat >"$T/rewind.gdb" <<'EOF'
set pagination off
printf "LIVE %lu\n", gdbfx_counter
dmtcp rewind
printf "REWOUND %lu\n", gdbfx_counter
dmtcp threads
set $n0 = gdbfx_counter
break gdbfx_tick if n >= $n0 + 25
continue
printf "RAN %lu\n", gdbfx_counter
dmtcp rewind
printf "REWOUND %lu\n", gdbfx_counter
dmtcp frame 1
continue
printf "RAN %lu\n", gdbfx_counter
dmtcp rewind
printf "REWOUND %lu\n", gdbfx_counter
dmtcp info
continue
printf "RAN %lu\n", gdbfx_counter
delete
detach
EOF
	run_gdb rewind "rewind three times"
	t_has "$T/gdb-rewind.log" '^dmtcp rewind #3: ' "third rewind"

	mapfile -t v < <(t_values "$T/gdb-rewind.log" REWOUND)
	[ ${#v[@]} -eq 3 ] || t_fail "expected 3 REWOUND values, got ${#v[@]}"
	n=${v[0]}
	[ "$n" -gt 0 ] || t_fail "counter at the checkpoint is $n"
	for i in 1 2; do
		[ "${v[$i]}" = "$n" ] ||
			t_fail "rewind #$((i + 1)) shows counter ${v[$i]}, expected $n"
	done
	live=$(t_values "$T/gdb-rewind.log" LIVE)
	[ -n "$live" ] && [ "$live" -gt "$n" ] ||
		t_fail "live counter '$live' should be past the checkpoint's $n"
	mapfile -t v < <(t_values "$T/gdb-rewind.log" RAN)
	[ ${#v[@]} -eq 3 ] || t_fail "expected 3 RAN values, got ${#v[@]}"
	for i in 0 1 2; do
		[ "${v[$i]}" = $((n + 25)) ] ||
			t_fail "run #$((i + 1)) after a rewind stopped at ${v[$i]}, expected $((n + 25))"
	done
	t_log "counter: live $live, after each rewind $n, after running $((n + 25))"

	# dmtcp threads: three parked threads with their interrupted frames
	t_has "$T/gdb-rewind.log" 'gdbfx-one +frame #[0-9]+: ' "dmtcp threads"
	t_has "$T/gdb-rewind.log" 'dmtcp:ckpt +\(not parked\)' "dmtcp threads"
	t_has "$T/gdb-rewind.log" 'program: #[0-9]+: 0x[0-9a-f]+ in [a-z_]+ \(\) at .*(gdb_fixture\.c|testprog\.h)' "dmtcp threads: program frame"
	# dmtcp info: the image and its threads
	t_has "$T/gdb-rewind.log" "image +${img//./\\.}" "dmtcp info"

	# gdb detached: the last rewound process runs on and finishes
	rewound_passes 1
	t_wait "$T_TIMEOUT" "0 peers" t_peers 0
}

# dmtcp checkpoint from inside gdb, then rewind to that image: the counter
# is between its values before and after the checkpoint command
scenario_ckpt() {
	local before after rewound img
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	# both checkpoints' images stay (by default only the last one does)
	T_COORD_OPTS=(--keep-generations 2)
	t_coord_start
	t_launch gdb_fixture
	t_wait_ready
	cat >"$T/ckpt.gdb" <<'EOF'
set pagination off
break gdbfx_tick
printf "BEFORE %lu\n", gdbfx_counter
dmtcp checkpoint "before the rewind"
printf "AFTER %lu\n", gdbfx_counter
dmtcp rewind
printf "REWOUND %lu\n", gdbfx_counter
dmtcp checkpoint --detach
printf "DETACHED %lu\n", gdbfx_counter
delete
detach
EOF
	run_gdb ckpt "dmtcp checkpoint, rewind, checkpoint --detach"
	t_has "$T/gdb-ckpt.log" '^dmtcp checkpoint: /.*/ckpt_gdb_fixture_.*\.dmtcp$' "dmtcp checkpoint"
	img=$(sed -n 's/^dmtcp checkpoint: //p' "$T/gdb-ckpt.log" | head -n 1)
	[ -f "$img" ] || t_fail "image $img does not exist"
	before=$(t_values "$T/gdb-ckpt.log" BEFORE)
	after=$(t_values "$T/gdb-ckpt.log" AFTER)
	rewound=$(t_values "$T/gdb-ckpt.log" REWOUND)
	[ -n "$before" ] && [ -n "$after" ] && [ -n "$rewound" ] ||
		t_fail "missing BEFORE/AFTER/REWOUND values"
	# the library parks each thread on the queued checkpoint signal
	# (dmtcp_debug_info.hold): the image holds the state gdb showed
	[ "$rewound" = "$before" ] ||
		t_fail "rewound counter $rewound, expected $before (the state gdb showed at 'dmtcp checkpoint'; after: $after)"
	grep -q 'tag "before the rewind"' "$T/coord.log" ||
		t_fail "the tag did not reach the coordinator: $(grep -i tag "$T/coord.log")"
	t_has "$T/gdb-ckpt.log" '^DETACHED [0-9]+$' "dmtcp checkpoint --detach"
	t_log "counter: before $before, rewound $rewound, after $after"
	rewound_passes 2
}

# a checkpoint that cannot complete (a second process of the computation
# is SIGSTOPped): dmtcp checkpoint --timeout 2 gives up with the
# coordinator's status, gdb keeps the inferior
scenario_stalled() {
	local other
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	t_coord_start
	t_launch gdb_fixture
	other=$APP_PID
	t_wait_ready
	t_launch gdb_fixture
	T_NPEERS=2 t_wait_ready
	kill -STOP "$other"
	DMTCP_BINDIR=$BIN timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch \
		-iex "source $LOADER" -p "$APP_PID" \
		-ex 'dmtcp checkpoint --timeout 2' \
		-ex 'printf "STILL %lu\n", gdbfx_counter' -ex 'kill' \
		</dev/null >"$T/gdb-stalled.log" 2>&1
	[ $? -eq 124 ] && t_fail "dmtcp checkpoint --timeout 2 hung"
	sed 's/^/    | /' "$T/gdb-stalled.log" | grep -vE 'New LWP|libthread_db'
	t_has "$T/gdb-stalled.log" 'did not complete within 2 s.*Coordinator: .*NUM_PEERS=2' "the stalled checkpoint's message"
	t_has "$T/gdb-stalled.log" '^STILL [0-9]+$' "the inferior after the failed checkpoint"
	kill -CONT "$other"
}

scenarios() {
	t_run rewind scenario && t_run ckpt scenario_ckpt &&
		t_run stalled scenario_stalled
}

t_main scenarios
