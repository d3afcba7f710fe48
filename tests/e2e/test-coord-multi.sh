#!/bin/bash
# test-coord-multi.sh - daemon behaviour and several coordinators on one
# machine: two coordinators (port 0 + --port-file) serve two computations
# at once, each lists and checkpoints only its own; a third coordinator on
# a taken port fails with a clear message; a --daemon --exit-on-last
# coordinator returns once it listens, logs to
# $DMTCP_TMPDIR/dmtcp-$USER@$HOST/coordinator-PORT.log, and exits when its
# last process leaves; --coord-logfile writes where it is told.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# launch_bg TAG PORT: threads_tls joined to the coordinator on PORT.
launch_bg() {
	DMTCP_COORD_PORT=$2 "$BIN/dmtcp_launch" --join-coordinator \
		"$PROGS/threads_tls" </dev/null >"$T/$1.app.log" 2>"$T/$1.app.err" &
	LPID=$!
	t_track "$LPID"
}

ready_on() { # TAG PORT
	grep -aq '^READY$' "$T/$1.app.log" &&
		COORD_PORT=$2 t_peers_running 1
}

scenario() {
	local p1 p2 c1 c2 a1 a2 out rc dport log
	# --- two coordinators, two computations --------------------------
	t_coord_start c1 "$T/ck1"
	p1=$COORD_PORT c1=$COORD_PID
	t_coord_start c2 "$T/ck2"
	p2=$COORD_PORT c2=$COORD_PID
	[ "$p1" != "$p2" ] || t_fail "both coordinators on port $p1"
	launch_bg one "$p1"
	a1=$LPID
	launch_bg two "$p2"
	a2=$LPID
	t_wait "$T_TIMEOUT" "computation 1 ready" ready_on one "$p1"
	t_wait "$T_TIMEOUT" "computation 2 ready" ready_on two "$p2"
	for p in "$p1" "$p2"; do
		out=$(COORD_PORT=$p t_command -l)
		[ "$(grep -c threads_tls <<<"$out")" = 1 ] ||
			t_fail "coordinator $p should list exactly its process: $out"
	done
	grep -q "$a1" <<<"$(COORD_PORT=$p1 t_command -l)" ||
		t_fail "coordinator 1 does not list pid $a1"
	grep -q "$a2" <<<"$(COORD_PORT=$p2 t_command -l)" ||
		t_fail "coordinator 2 does not list pid $a2"
	COORD_PORT=$p1 COORD_CKPTDIR=$T/ck1 t_checkpoint
	ls "$T/ck2"/ckpt_* >/dev/null 2>&1 &&
		t_fail "a checkpoint of coordinator 1 wrote into coordinator 2's directory"
	COORD_PORT=$p2 COORD_CKPTDIR=$T/ck2 t_checkpoint
	# killing one computation leaves the other running
	COORD_PORT=$p1 t_kill "$a1"
	COORD_PORT=$p2 t_peers_running 1 || t_fail "computation 2 disturbed by killing 1"

	# --- a taken port: clear error, exit 1, the owner unharmed ---------
	out=$(timeout 10 "$BIN/dmtcp_coordinator" -p "$p2" </dev/null 2>&1)
	rc=$?
	[ $rc -eq 1 ] && grep -q "port $p2 is already in use" <<<"$out" ||
		t_fail "coordinator on a taken port (rc $rc): $out"
	out=$(timeout 10 "$BIN/dmtcp_coordinator" --daemon -p "$p2" </dev/null 2>&1)
	rc=$?
	[ $rc -eq 1 ] && grep -q "already in use" <<<"$out" ||
		t_fail "daemon on a taken port (rc $rc): $out"
	COORD_PORT=$p2 t_peers_running 1 || t_fail "coordinator 2 harmed"
	COORD_PORT=$p2 t_command -q >/dev/null || t_fail "quit coordinator 2"
	t_wait_exit "$a2" "$T_TIMEOUT" "computation 2 after quit"
	t_wait_exit "$c2" "$T_TIMEOUT" "coordinator 2 after quit"
	COORD_PORT=$p1 t_command -q >/dev/null
	t_wait_exit "$c1" "$T_TIMEOUT" "coordinator 1 after quit"

	# --- daemon: returns once bound, logs in the state dir, exits on last
	timeout 20 "$BIN/dmtcp_coordinator" --daemon --exit-on-last -p 0 \
		--port-file "$T/d.port" --ckptdir "$T/ckd" </dev/null >"$T/d.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || t_fail "daemon start exit $rc: $(cat "$T/d.out")"
	[ -s "$T/d.port" ] || t_fail "daemon returned before writing its port file"
	dport=$(cat "$T/d.port")
	COORD_PORT=$dport t_command -s >/dev/null ||
		t_fail "daemon not answering right after it returned"
	log=$(ls "$DMTCP_TMPDIR"/dmtcp-*/coordinator-"$dport".log 2>/dev/null)
	[ -n "$log" ] || t_fail "no daemon log in $DMTCP_TMPDIR/dmtcp-*/"
	grep -q "listening on 127.0.0.1 port $dport" "$log" ||
		t_fail "daemon log lacks the listening line: $(cat "$log")"
	launch_bg d "$dport"
	t_wait "$T_TIMEOUT" "daemon's computation ready" ready_on d "$dport"
	COORD_PORT=$dport COORD_CKPTDIR=$T/ckd t_checkpoint
	grep -q 'checkpoint 1 done' "$log" || t_fail "daemon log lacks the checkpoint"
	touch "$TEST_STOP_FILE"
	t_wait_exit "$LPID" "$T_TIMEOUT" "daemon's computation"
	rm -f "$TEST_STOP_FILE"
	t_wait "$T_TIMEOUT" "daemon to exit after its last process (--exit-on-last)" \
		grep -q '^\[.*\] exiting$' "$log"
	out=$(COORD_PORT=$dport t_command -s 2>&1)
	[ $? -eq 2 ] || t_fail "daemon still answering after --exit-on-last: $out"
	[ -z "$(ls "$DMTCP_TMPDIR"/dmtcp-*/coordinator-"$dport".secret 2>/dev/null)" ] ||
		t_fail "daemon left its secret file"

	# --- --coord-logfile ---------------------------------------------------
	T_COORD_OPTS=(--coord-logfile "$T/explicit.log")
	t_coord_start c3
	t_command -q >/dev/null
	t_wait_exit "$COORD_PID" "$T_TIMEOUT" "coordinator 3"
	grep -q 'quitting on request' "$T/explicit.log" ||
		t_fail "--coord-logfile: $(cat "$T/explicit.log" 2>&1)"
	return 0
}

t_main t_run multi scenario
