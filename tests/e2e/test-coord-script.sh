#!/bin/bash
# test-coord-script.sh - the coordinator driven from a script: its
# console on a pipe (one command per line, each answered), under
# valgrind when installed (no errors, no leaks allowed); dmtcp_command
# --json for every action, each parsed with python3's json module;
# periodic checkpoints from DMTCP_CHECKPOINT_INTERVAL, changed at run time
# with dmtcp_command --interval and the console's "interval N"; the
# computation then restarts from the last image.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

json_ok() { # FILE: one JSON object per line, each parsed
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert isinstance(o, dict) and "command" in o and "ok" in o, line
' "$1"
}

# jq-less field access: json_get FILE EXPR (python expression on o)
json_get() {
	python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2]))' "$1" "$2"
}

con() { echo "$*" >&7; }

out_has() { grep -qF -- "$1" "$T/coord.out"; }

last_ckpt_set() {
	t_command -s 2>/dev/null | grep -qE '^LAST_CKPT_TIME=.+'
}

generation_is_at_least() {
	local g
	g=$(t_command -s 2>/dev/null | sed -n 's/^GENERATION=//p')
	[ -n "$g" ] && [ "$g" -ge "$1" ]
}

scenario() {
	local vg=() gen out j
	if command -v valgrind >/dev/null 2>&1 && [ -z "${T_NO_VALGRIND:-}" ]; then
		vg=(valgrind -q --error-exitcode=99 --leak-check=full
			--errors-for-leak-kinds=definite --log-file="$T/vg.%p.log")
	fi
	mkfifo "$T/console"
	exec 7<>"$T/console"
	rm -f "$T/coord.port"
	DMTCP_CHECKPOINT_INTERVAL=1 ${vg[@]+"${vg[@]}"} \
		"$BIN/dmtcp_coordinator" -p 0 --port-file "$T/coord.port" \
		--ckptdir "$T/ckpt" <"$T/console" >"$T/coord.out" 2>&1 &
	COORD_PID=$!
	t_track "$COORD_PID"
	t_wait 60 "coordinator port file" t_port_file_ready "$T/coord.port" "$COORD_PID"
	COORD_PORT=$(cat "$T/coord.port")
	COORD_CKPTDIR=$T/ckpt
	export DMTCP_COORD_PORT=$COORD_PORT
	t_log "coordinator ${vg:+under valgrind }pid $COORD_PID port $COORD_PORT"

	# --json with nobody connected: NO_PEERS, exit 3, still JSON
	t_command --json -c >"$T/j.nopeers" 2>/dev/null
	[ $? -eq 3 ] || t_fail "checkpoint without peers: expected exit 3"
	json_ok "$T/j.nopeers" || t_fail "bad JSON: $(cat "$T/j.nopeers")"
	[ "$(json_get "$T/j.nopeers" 'o["status"]')" = NO_PEERS ] ||
		t_fail "expected status NO_PEERS: $(cat "$T/j.nopeers")"

	# interval from the environment
	out=$(t_command -s) || t_fail "status failed"
	grep -qx 'INTERVAL=1' <<<"$out" ||
		t_fail "DMTCP_CHECKPOINT_INTERVAL=1 not applied: $out"

	t_launch threads_tls
	t_wait_ready
	t_wait "$T_CKPT_TIMEOUT" "a periodic checkpoint (DMTCP_CHECKPOINT_INTERVAL=1)" last_ckpt_set

	# the console on a pipe answers each line
	con status
	con list
	con help
	con bogus
	con 'interval 0'
	t_wait "$T_TIMEOUT" "console answers" out_has "unknown command 'bogus'"
	t_wait "$T_TIMEOUT" "console interval 0" out_has 'INTERVAL=0'
	out_has 'NUM_PEERS=1' || t_fail "console status: $(tail "$T/coord.out")"
	grep -qE '^1 +[0-9]+ .*threads_tls +(RUNNING|SUSPENDED|CHECKPOINTING)' "$T/coord.out" ||
		t_fail "console list: $(tail "$T/coord.out")"
	out_has 'bcheckpoint' || t_fail "console help"
	t_wait "$T_TIMEOUT" "peers running" t_peers_running 1
	gen=$(t_command -s | sed -n 's/^GENERATION=//p')
	sleep 2.5
	[ "$(t_command -s | sed -n 's/^GENERATION=//p')" = "$gen" ] ||
		t_fail "checkpoints went on after 'interval 0'"

	# every action with --json
	for a in -s -l -c --bcheckpoint "-i 3" "-i 0"; do
		t_wait "$T_TIMEOUT" "peers running" t_peers_running 1
		# shellcheck disable=SC2086
		t_command --json $a >"$T/j.out" 2>"$T/j.err" ||
			t_fail "dmtcp_command --json $a: $(cat "$T/j.err")"
		json_ok "$T/j.out" || t_fail "--json $a: not JSON: $(cat "$T/j.out")"
		t_log "--json $a: $(cut -c1-150 "$T/j.out")"
		case $a in
		-s) [ "$(json_get "$T/j.out" 'o["NUM_PEERS"]')" = 1 ] ||
			t_fail "status NUM_PEERS" ;;
		-l) [ "$(json_get "$T/j.out" 'o["processes"][0]["program"]')" = threads_tls ] ||
			t_fail "list program" ;;
		--bcheckpoint)
			j=$(json_get "$T/j.out" 'len(o["IMAGE"]) == o["NUM_IMAGES"] == 1 and o["TOTAL_BYTES"] > 0')
			[ "$j" = True ] || t_fail "bcheckpoint JSON: $(cat "$T/j.out")" ;;
		"-i 3") [ "$(json_get "$T/j.out" 'o["INTERVAL"]')" = 3 ] ||
			t_fail "interval JSON" ;;
		esac
	done
	# interval changed at run time with dmtcp_command: 2 s, then off
	gen=$(t_command -s | sed -n 's/^GENERATION=//p')
	t_command -i 2 >/dev/null || t_fail "dmtcp_command -i 2"
	t_wait "$T_CKPT_TIMEOUT" "a periodic checkpoint after -i 2" generation_is_at_least $((gen + 1))
	t_command -i 0 >/dev/null || t_fail "dmtcp_command -i 0"
	t_wait "$T_TIMEOUT" "peers running" t_peers_running 1

	# dmtcp_command itself under valgrind once
	if [ ${#vg[@]} -gt 0 ]; then
		${vg[@]+"${vg[@]}"} "$BIN/dmtcp_command" -p "$COORD_PORT" --json -s -l \
			>"$T/j.vg" 2>&1 || t_fail "dmtcp_command under valgrind: $(cat "$T/j.vg" "$T"/vg.*.log)"
	fi

	t_checkpoint
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" threads_tls 1

	# quit from the console; valgrind's verdict is the exit status
	con quit
	t_wait_exit "$COORD_PID" 60 "coordinator after console quit"
	if [ "$T_RC" -ne 0 ]; then
		cat "$T"/vg.*.log 2>/dev/null
		t_fail "coordinator exit status $T_RC (99 = valgrind errors)"
	fi
	if [ ${#vg[@]} -gt 0 ] && grep -l . "$T"/vg.*.log >/dev/null 2>&1; then
		cat "$T"/vg.*.log
		t_fail "valgrind reported problems"
	fi
	[ ${#vg[@]} -gt 0 ] && t_log "valgrind: coordinator and dmtcp_command clean"
	return 0
}

t_main t_run script scenario
