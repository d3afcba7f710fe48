# bench/lib.sh - helpers shared by the benchmark scripts (table.sh,
# ckpt-bench.sh, many-procs.sh; not part of make check).  The script sets BENCH_NAME
# (for messages) and BIN before sourcing it, and may set BENCH_POLL (how
# often wait_until polls, seconds).  bench_setup makes the work directory
# $W with $W/ckpt; the EXIT trap quits the coordinator, kills what was
# started (PIDS, and their children) and removes $W (kept with
# BENCH_KEEP=1).

W=""
PIDS=()
PORT=""
ROWS=()
BENCH_POLL=${BENCH_POLL:-0.002}

die() {
	echo "$BENCH_NAME: $*" >&2
	exit 1
}

cleanup() {
	local p
	[ -n "$PORT" ] && timeout 5 "$BIN/dmtcp_command" -p "$PORT" --quit >/dev/null 2>&1
	for p in "${PIDS[@]}"; do
		pkill -KILL -P "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	[ -n "$W" ] && [ -z "${BENCH_KEEP:-}" ] && rm -rf "$W"
}

# bench_setup USAGE: checks the build, makes $W (in $BENCH_DIR, $TMPDIR
# or /tmp) and $W/ckpt, installs the traps
bench_setup() {
	[ -x "$BIN/dmtcp_launch" ] || die "$BIN/dmtcp_launch not built (usage: $1)"
	W=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/$BENCH_NAME.XXXXXX") || exit 1
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$W/ckpt"
}

# the file system of $W, for the report's first line
bench_fs() {
	df -h --output=source,fstype "$W" | tail -n 1 | tr -s ' '
}

now_ns() {
	date +%s%N
}

ms_since() { # start_ns
	echo $((($(now_ns) - $1) / 1000000))
}

alive() {
	kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

wait_until() { # seconds description command...
	local end=$(($(now_ns) + $1 * 1000000000)) what=$2
	shift 2
	until "$@"; do
		[ "$(now_ns)" -lt "$end" ] || die "timed out waiting for $what"
		sleep "$BENCH_POLL"
	done
}

gone() {
	! alive "$1"
}

# median N...: the median of integers (the lower middle one of an even count)
median() {
	printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"
}

# spread N...: "min-max" of integers
spread() {
	printf '%s\n' "$@" | sort -n | sed -n '1p;$p' | paste -sd- -
}

app_ready() {
	grep -q READY "$W/app.log" && return 0
	alive "$APP" || die "$W/$1 exited before READY (see $W/app.err)"
	return 1
}

# launch PROG ARGS...: $W/PROG under dmtcp_launch (LAUNCH_OPTS added),
# waits for its READY line; sets APP and CUR (the process the table's
# ctl talks to)
launch() {
	rm -f "$W/app.log" "$W/stop" "$W/mark" "$W/ctl" "$W/ctl.reply"
	"$BIN/dmtcp_launch" --join-coordinator ${LAUNCH_OPTS[@]+"${LAUNCH_OPTS[@]}"} \
		"$W/$1" "${@:2}" </dev/null >"$W/app.log" 2>>"$W/app.err" &
	APP=$!
	disown "$APP"	# killing it is expected: no job notice
	PIDS+=("$APP")
	CUR=$APP
	wait_until "$TIMEOUT" "READY from $1" app_ready "$1"
}

# kill_comp PID: dmtcp_command --kill, then PID gone
kill_comp() { # pid
	timeout 30 "$BIN/dmtcp_command" -p "$PORT" --kill >/dev/null 2>&1
	wait_until 60 "process $1 to exit after --kill" gone "$1"
}

# coord_start: a coordinator on a free port writing into $W/ckpt; sets
# COORD, PORT and exports DMTCP_COORD_PORT
coord_start() {
	rm -f "$W/port"
	"$BIN/dmtcp_coordinator" -p 0 --port-file "$W/port" --ckptdir "$W/ckpt" \
		</dev/null >>"$W/coord.log" 2>&1 &
	COORD=$!
	PIDS+=("$COORD")
	wait_until 10 "coordinator port" test -s "$W/port"
	PORT=$(cat "$W/port")
	export DMTCP_COORD_PORT=$PORT
}

coord_stop() {
	timeout 10 "$BIN/dmtcp_command" -p "$PORT" --quit >/dev/null 2>&1
	wait_until 10 "coordinator exit" gone "$COORD"
	PORT=""
}

# bench_restart DESCRIPTION SECONDS READY-COMMAND: starts the restart
# script in the background (output $W/restart.log; sets RST) and waits
# until READY-COMMAND (a string for eval) is true, failing if the restart
# exits first
bench_restart() {
	"$W/ckpt/dmtcp_restart_script.sh" </dev/null >>"$W/restart.log" 2>&1 &
	RST=$!
	disown "$RST"	# killing it is expected: no job notice
	PIDS+=("$RST")
	wait_until "$2" "$1" \
		eval "$3"' || { alive $RST || die "restart exited (see $W/restart.log)"; false; }'
}
