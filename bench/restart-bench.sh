#!/bin/bash
# bench/restart-bench.sh - restart benchmark of gzip images (not part of
# make check): a process holding SIZE MiB where every MiB is half random
# pages and half zero pages ("half"), or all random ("random"), is
# checkpointed once with gzip; its image is restarted NREST times with the
# decoder serial (DMTCP_DECODE_THREADS=-1, as before img-ipool.c) and
# with one worker per CPU (the default); the median restart time (from
# starting dmtcp_restart_script.sh until the restored process runs
# again) is printed.  A first, untimed restart checks every page.  Then the same for a small
# process (a counter with 1 MiB of data).
#
# Usage: bench/restart-bench.sh [BUILDDIR [SIZE_MIB]]
#   env BENCH_DIR: where images go; BENCH_RESTARTS: restarts per case (5).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
SIZE=${2:-1024}
NREST=${BENCH_RESTARTS:-5}
BIN=$B/bin
TIMEOUT=${BENCH_TIMEOUT:-600}
BENCH_NAME=restart-bench
. "$SRC/bench/lib.sh"

# case NAME SIZE KIND: one checkpoint, NREST restarts per decoder setting
one_case() {
	local name=$1 t0 threads times img
	coord_start
	launch mixmem "$2" "$3"
	timeout "$TIMEOUT" "$BIN/dmtcp_command" -p "$PORT" --bcheckpoint >/dev/null ||
		die "checkpoint failed"
	kill_comp "$APP"
	img=$(ls "$W"/ckpt/*.dmtcp)
	# the first restart checks the data (untimed)
	MIXMEM_CHECK=1 bench_restart "checked restart" "$TIMEOUT" '[ -e "$W/mark" ]'
	kill_comp "$RST"
	for threads in -1 0; do
		times=()
		for ((i = 0; i < NREST; i++)); do
			rm -f "$W/mark"
			t0=$(now_ns)
			DMTCP_DECODE_THREADS=$threads bench_restart "restored process" \
				"$TIMEOUT" '[ -e "$W/mark" ]'
			times+=("$(ms_since "$t0")")
			kill_comp "$RST"
		done
		ROWS+=("$(printf '%-18s %8s %10s %10s %10s %10s' "$name" \
			"$([ "$threads" = -1 ] && echo serial || echo parallel)" \
			"$(median "${times[@]}")" \
			"$(printf '%s\n' "${times[@]}" | sort -n | head -n 1)" \
			"$(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)" \
			"$(echo "scale=1; $(stat -c %s "$img") / 1048576" | bc)")")
	done
	rm -f "$W"/ckpt/*.dmtcp
	coord_stop
}

bench_setup "$0 BUILDDIR [SIZE_MIB]"
export DMTCP_CHECKPOINT_DIR=$W/ckpt DMTCP_TMPDIR=$W TEST_STOP_FILE=$W/stop \
	BENCH_MARK=$W/mark DMTCP_GZIP=1
${CC:-cc} -O2 -I"$SRC/include" -o "$W/mixmem" "$SRC/bench/mixmem.c" ||
	die "cannot build mixmem.c"
echo "restart-bench: $SIZE MiB, $NREST restarts per row, $(nproc) CPUs," \
	"directory $W ($(bench_fs))"
ROWS+=("$(printf '%-18s %8s %10s %10s %10s %10s' case decoder "median ms" \
	"min ms" "max ms" "image MiB")")
one_case "$SIZE MiB half zero" "$SIZE" half
one_case "$SIZE MiB random" "$SIZE" random
one_case "small (1 MiB)" 1 mixed
printf '%s\n' "${ROWS[@]}"
