#!/bin/bash
# util/demo.sh - the quick-start demo (`make demo`): starts a coordinator on
# a free port, launches a counter program that prints a number every 0.2 s,
# checkpoints it, kills it, restarts it from the generated script and shows
# the counter continuing from the checkpointed value.  Narrates each step,
# cleans up everything it started.  Usage: util/demo.sh [BUILDDIR]
set -u

B=$(cd "${1:-.}" && pwd)
BIN=$B/bin
T=""
PIDS=()

say() {
	printf '\n\033[1m==> %s\033[0m\n' "$*"
}

die() {
	echo "demo: $*" >&2
	for f in "$T"/*.log; do
		[ -s "$f" ] && { echo "---- ${f##*/}"; tail -n 10 "$f"; }
	done
	exit 1
}

cleanup() {
	local p
	[ -n "${PORT:-}" ] && timeout 5 "$BIN/dmtcp_command" -p "$PORT" --quit \
		>/dev/null 2>&1
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		pkill -KILL -P "$p" 2>/dev/null
	done
	[ -n "$T" ] && rm -rf "$T"
}

wait_for() { # seconds description command...
	local n=$(($1 * 10)) what=$2
	shift 2
	until "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || die "timed out waiting for $what"
		sleep 0.1
	done
}

alive() {
	kill -0 "$1" 2>/dev/null
}

last_value() {
	tr -d '\0' <"$T/counter.out" | grep -a 'counter:' | tail -n 1 | awk '{print $2}'
}

for b in dmtcp_coordinator dmtcp_launch dmtcp_command dmtcp_restart; do
	[ -x "$BIN/$b" ] || { echo "demo: $BIN/$b not built: run make first" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-demo.XXXXXX") || exit 1
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$T" || exit 1
export DMTCP_CHECKPOINT_DIR=$T DMTCP_TMPDIR=$T

COUNTER=$B/tests/progs/counter
if [ ! -x "$COUNTER" ]; then
	COUNTER=$T/counter
	src=$(dirname "$0")/../tests/progs/counter.c
	${CC:-cc} -O2 -o "$COUNTER" "$src" || die "cannot build $src"
fi

say "1. Start a coordinator on a free port (checkpoints go to $T)"
"$BIN/dmtcp_coordinator" -p 0 --port-file "$T/port" --ckptdir "$T" \
	</dev/null >"$T/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 10 "the coordinator's port file" test -s "$T/port"
PORT=$(cat "$T/port")
export DMTCP_COORD_PORT=$PORT
echo "    bin/dmtcp_coordinator -p 0 --port-file port   -> listening on port $PORT"

say "2. Launch the counter under the tool (it prints a number every 0.2 s)"
echo "    bin/dmtcp_launch ${COUNTER#$B/} > counter.out"
"$BIN/dmtcp_launch" --join-coordinator "$COUNTER" </dev/null >"$T/counter.out" \
	2>"$T/launch.log" &
APP=$!
disown "$APP"	# no "Killed" job notice: the kill is part of the demo
PIDS+=("$APP")
sleep 2
alive "$APP" || die "the launched counter exited"
tail -n 3 "$T/counter.out" | sed 's/^/    /'

say "3. Checkpoint it: bin/dmtcp_command --bcheckpoint"
timeout 60 "$BIN/dmtcp_command" --bcheckpoint >"$T/ckpt.log" 2>&1 ||
	die "checkpoint failed"
sed 's/^/    /' "$T/ckpt.log"
AT_CKPT=$(last_value)
LINES_AT_CKPT=$(grep -ac 'counter:' "$T/counter.out")
echo "    the counter was at $AT_CKPT when the checkpoint was taken"

say "4. Let it run one more second, then kill it: bin/dmtcp_command --kill"
sleep 1
echo "    the counter reached $(last_value)"
timeout 10 "$BIN/dmtcp_command" --kill >/dev/null 2>&1 || die "kill failed"
wait_for 10 "the counter to exit" eval '! alive '"$APP"
echo "    process $APP is gone"

say "5. Restart it from the checkpoint: ./dmtcp_restart_script.sh"
[ -e "$T/dmtcp_restart_script.sh" ] || die "no dmtcp_restart_script.sh in $T"
"$T/dmtcp_restart_script.sh" </dev/null >"$T/restart.log" 2>&1 &
RST=$!
disown "$RST"
PIDS+=("$RST")
sleep 2
alive "$RST" || die "the restart exited"
FIRST=$(tr -d '\0' <"$T/counter.out" | grep -a 'counter:' |
	sed -n "$((LINES_AT_CKPT + 1))p" | awk '{print $2}')
echo "    after the restart the counter continues:"
tr -d '\0' <"$T/counter.out" | grep -a 'counter:' |
	sed -n "$((LINES_AT_CKPT + 1)),$((LINES_AT_CKPT + 4))p" | sed 's/^/    /'
echo "    checkpointed at $AT_CKPT, first value after restart: ${FIRST:-none}"

say "6. Clean up: bin/dmtcp_command --quit"
timeout 10 "$BIN/dmtcp_command" --quit >/dev/null 2>&1
wait_for 10 "the restarted counter to exit" eval '! alive '"$RST"
if [ -n "$FIRST" ] && [ "$FIRST" -eq $((AT_CKPT + 1)) ]; then
	say "Demo done: the restored process continued from $AT_CKPT."
	exit 0
fi
die "the counter did not continue from $AT_CKPT (first value after restart: ${FIRST:-none})"
