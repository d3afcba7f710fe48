#!/bin/bash
# bench/many-procs.sh - checkpoint and restart time of a computation of
# many small processes (not part of make check).  Runs tests/progs/
# many_procs.c (a fork tree of NPROCS processes, 256 threads for 32, about
# MEM_MIB MiB of data each) with gzip and with raw images: the median of
# CKPTS checkpoints (wall time of dmtcp_command --bcheckpoint and the
# TIME_MS it reports), then the median of RESTARTS restarts of the last
# images (from starting dmtcp_restart_script.sh until the coordinator
# reports all NPROCS processes running), and the total image size.  The
# aim is a 32-process checkpoint under 0.5 s with raw images.  For
# comparison, dd writes as many bytes as the raw images with fsync (each
# image is fsync'd before it is renamed into place).  The third row,
# raw-skip, is raw images written with dmtcp_launch --skip-file-pages
# (pages of programs and libraries equal to their files are not stored;
# such images restart only where those files are unchanged).
#
# Usage: bench/many-procs.sh [BUILDDIR [NPROCS [MEM_MIB]]]
#   env BENCH_DIR: where the images go (default: a temp dir in $TMPDIR or
#   /tmp); BENCH_CKPTS (default 5), BENCH_RESTARTS (default 5).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
NPROCS=${2:-32}
MIB=${3:-3}
NCK=${BENCH_CKPTS:-5}
NRS=${BENCH_RESTARTS:-5}
BIN=$B/bin
AIM_MS=500
BENCH_NAME=many-procs BENCH_POLL=0.005
. "$SRC/bench/lib.sh"

status() {
	timeout 10 "$BIN/dmtcp_command" -p "$PORT" --status 2>/dev/null
}

all_running() {
	local out
	out=$(status) || return 1
	grep -qE "^[[:space:]]*NUM_PEERS=$NPROCS[[:space:]]*$" <<<"$out" &&
		grep -qE '^[[:space:]]*RUNNING=yes' <<<"$out"
}

no_peers() {
	status | grep -qE '^[[:space:]]*NUM_PEERS=0[[:space:]]*$'
}

bench_setup "$0 BUILDDIR [NPROCS [MEM_MIB]]"
export DMTCP_CHECKPOINT_DIR=$W/ckpt DMTCP_TMPDIR=$W TEST_STOP_FILE=$W/stop
${CC:-cc} -O2 -pthread -I"$SRC/include" -I"$SRC/tests/progs" -o "$W/many_procs" \
	"$SRC/tests/progs/many_procs.c" || die "cannot build many_procs.c"
echo "many-procs: $NPROCS processes, $MIB MiB data each, directory $W" \
	"($(bench_fs)), $(nproc) CPUs"

ROWS+=("$(printf '%-8s %12s %12s %14s %10s' mode "ckpt ms" "TIME_MS" "restart ms" "image MiB")")
for mode in raw gzip raw-skip; do
	[ $mode = gzip ] && export DMTCP_GZIP=1 || export DMTCP_GZIP=0
	skip=()
	[ $mode = raw-skip ] && skip=(--skip-file-pages)
	echo "  $mode images: $NCK checkpoints, $NRS restarts ..."
	rm -f "$W/stop" "$W"/ckpt/*
	coord_start
	"$BIN/dmtcp_launch" --join-coordinator ${skip[@]+"${skip[@]}"} \
		"$W/many_procs" "$NPROCS" "$MIB" \
		</dev/null >"$W/app.log" 2>>"$W/app.err" &
	APP=$!
	disown "$APP"
	PIDS+=("$APP")
	wait_until 60 "READY" grep -q READY "$W/app.log"
	wait_until 60 "$NPROCS running processes" all_running
	sleep 0.5
	ck=() tm=()
	for ((i = 0; i < NCK; i++)); do
		t0=$(now_ns)
		out=$(timeout 300 "$BIN/dmtcp_command" -p "$PORT" --bcheckpoint 2>&1) ||
			die "checkpoint failed: $out"
		ck+=("$(ms_since "$t0")")
		tm+=("$(sed -n 's/^[[:space:]]*TIME_MS=//p' <<<"$out")")
		n=$(grep -c 'IMAGE=' <<<"$out")
		[ "$n" -eq "$NPROCS" ] || die "checkpoint wrote $n images, expected $NPROCS"
		bytes=$(sed -n 's/^[[:space:]]*TOTAL_BYTES=//p' <<<"$out")
		sleep 0.3
	done
	timeout 30 "$BIN/dmtcp_command" -p "$PORT" --kill >/dev/null 2>&1
	wait_until 60 "launched computation to exit" gone "$APP"
	wait_until 30 "0 peers" no_peers
	sync
	rs=()
	for ((i = 0; i < NRS; i++)); do
		t0=$(now_ns)
		bench_restart "restarted computation ($W/restart.log)" 120 all_running
		rs+=("$(ms_since "$t0")")
		timeout 30 "$BIN/dmtcp_command" -p "$PORT" --kill >/dev/null 2>&1
		wait_until 60 "restarted computation to exit" gone "$RST"
		wait_until 30 "0 peers" no_peers
	done
	coord_stop
	ROWS+=("$(printf '%-8s %12s %12s %14s %10s' $mode \
		"$(median "${ck[@]}") ($(spread "${ck[@]}"))" "$(median "${tm[@]}")" \
		"$(median "${rs[@]}") ($(spread "${rs[@]}"))" \
		"$(echo "scale=1; $bytes / 1048576" | bc)")")
	if [ $mode = raw ]; then
		RAW_CK=$(median "${ck[@]}")
		RAW_MIB=$(((bytes + 1048575) / 1048576))
	elif [ $mode = raw-skip ]; then
		SKIP_CK=$(median "${ck[@]}")
	fi
done

# the disk's share: dd writing as much as the raw images, with fsync
t0=$(now_ns)
dd if=/dev/zero of="$W/dd.bin" bs=1M count="$RAW_MIB" conv=fsync status=none ||
	die "dd failed"
DD_MS=$(ms_since "$t0")
rm -f "$W/dd.bin"

echo
printf '%s\n' "${ROWS[@]}"
echo "dd writing $RAW_MIB MiB (conv=fsync) in the same directory: $DD_MS ms"
echo
if [ "$RAW_CK" -lt "$AIM_MS" ]; then
	verdict="meets"
else
	verdict="misses"
fi
echo "aim: $NPROCS-process checkpoint under $AIM_MS ms raw: median ${RAW_CK} ms ($verdict it)"
if [ "$SKIP_CK" -lt "$AIM_MS" ]; then
	verdict="meets"
else
	verdict="misses"
fi
echo "     with --skip-file-pages: median ${SKIP_CK} ms ($verdict it)"
echo "(ckpt ms: wall time of dmtcp_command --bcheckpoint, median (min-max) of $NCK;"
echo " TIME_MS: the coordinator's own measure; restart ms: from starting"
echo " dmtcp_restart_script.sh until the coordinator reports all $NPROCS processes"
echo " running, median (min-max) of $NRS; image MiB: all $NPROCS images together)"
