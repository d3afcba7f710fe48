#!/bin/bash
# bench/bisect-bench.sh - dmtcp_inspect bisect / timeline benchmark (not
# part of make check): bench/bisectmem (SIZE MiB of heap, default 64) is
# checkpointed NSNAP times (default 100) into one directory (coordinator
# --keep-generations 0), with full gzip images and with incremental ones
# (dmtcp_launch --incremental); after snapshot BREAK (default 61 - 1) the
# program sets `broken`.  Prints a table: the median time of `bisect`
# (binary search) for a global and for a heap word, `bisect --linear`,
# and `timeline` over the directory, and the snapshot bisect found
# (expected: BREAK).  Target (issue 15): bisect over 100 snapshots of a
# 64 MiB program <= 2 s.
#
# Usage: bench/bisect-bench.sh [BUILDDIR [SIZE_MIB [NSNAP]]]
#   env BENCH_DIR: where images go; BENCH_RUNS: timed runs per cell (3).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
SIZE=${2:-64}
NSNAP=${3:-100}
BREAK=$(((NSNAP * 6 + 9) / 10 + 1))
NRUNS=${BENCH_RUNS:-3}
BIN=$B/bin
TIMEOUT=${BENCH_TIMEOUT:-600}
BENCH_NAME=bisect-bench
. "$SRC/bench/lib.sh"

# timed CMD...: median wall ms of NRUNS runs (output of the last in $W/out)
timed() {
	local t0 times=() i
	for i in $(seq "$NRUNS"); do
		t0=$(now_ns)
		"$@" >"$W/out" 2>"$W/err"
		times+=("$(ms_since "$t0")")
	done
	median "${times[@]}"
}

one_case() { # NAME LAUNCH_OPTS...
	local name=$1 i found bytes t_glob t_heap t_lin t_tl
	shift
	rm -rf "$W/ckpt" "$W/break"
	mkdir -p "$W/ckpt"
	LAUNCH_OPTS=("$@")
	coord_start
	launch bisectmem "$SIZE"
	for i in $(seq "$NSNAP"); do
		[ "$i" -eq "$BREAK" ] && { touch "$W/break"; sleep 0.01; }
		timeout "$TIMEOUT" "$BIN/dmtcp_command" -p "$PORT" --bcheckpoint \
			>/dev/null || die "checkpoint $i failed"
	done
	kill_comp "$APP"
	coord_stop
	bytes=$(du -sb "$W/ckpt" | cut -f1)
	t_glob=$(timed "$BIN/dmtcp_inspect" bisect "$W/ckpt" 'broken != 0')
	found=$(sed -n 's/^first bad: *#\([0-9]*\) .*/\1/p' "$W/out")
	[ -n "$found" ] || die "$name: bisect found nothing: $(cat "$W/out" "$W/err")"
	t_heap=$(timed "$BIN/dmtcp_inspect" bisect "$W/ckpt" \
		"heap[heap_words - 1] + broken > 0")
	t_lin=$(timed "$BIN/dmtcp_inspect" bisect --linear "$W/ckpt" 'broken != 0')
	t_tl=$(timed "$BIN/dmtcp_inspect" timeline "$W/ckpt")
	ROWS+=("$(printf '%-12s %6d %9s %10s %10s %11s %10s %6s' "$name" \
		"$NSNAP" "$((bytes >> 20))M" "$t_glob" "$t_heap" "$t_lin" \
		"$t_tl" "#$found")")
}

bench_setup "bench/bisect-bench.sh [BUILDDIR [SIZE_MIB [NSNAP]]]"
${CC:-cc} -O0 -g -o "$W/bisectmem" "$SRC/bench/bisectmem.c" ||
	die "cannot build bisectmem.c"
export BENCH_BREAK=$W/break TEST_STOP_FILE=$W/stop
export DMTCP_KEEP_GENERATIONS=0	# every generation is a snapshot
one_case full
one_case incremental --incremental

echo "bisect-bench: $SIZE MiB heap, $NSNAP snapshots, broken after #$((BREAK - 1)) ($(nproc) CPUs, $(bench_fs))"
printf '%-12s %6s %9s %10s %10s %11s %10s %6s\n' case snaps images \
	"bisect ms" "heap ms" "linear ms" "timeline" found
printf '%s\n' "${ROWS[@]}"
echo "(median of $NRUNS runs; target: bisect <= 2000 ms)"
