#!/bin/bash
# bench/timeline-overhead.sh - what a timeline costs the program: the
# throughput of a CPU- and memory-bound loop over a 64 MiB heap
# (bench/tl_loop.c) run plain, under dmtcp_launch without checkpoints,
# and with --timeline --interval-ms 100 (incremental and forked
# checkpoints, the defaults) and its full-image variant; each the median
# of --runs N.  Prints a table (steps/s, % of plain, snapshots taken,
# bytes written), with this machine's dd figures for the disk.
# --hot H writes only the first H MiB of the heap (a working set), the
# rest stays as it was.
#   bench/timeline-overhead.sh [--runs N] [--mib M] [--hot H] [--seconds S] BUILDDIR
BENCH_NAME=timeline-overhead
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=3 MIB=64 SECS=5 TIMEOUT=60 HOT=
while [ $# -gt 1 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--mib) MIB=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--hot) HOT=$2; shift 2 ;;
	*) break ;;
	esac
done
BIN=${1:?usage: $0 [--runs N] [--mib M] [--seconds S] BUILDDIR}/bin
. "$SRC/bench/lib.sh"
bench_setup "$0 BUILDDIR"
${CC:-cc} -O2 -o "$W/tl_loop" "$SRC/bench/tl_loop.c" || die "cannot build tl_loop.c"

rate() { # the log of one run -> steps per second
	awk '/^STEPS/ { printf "%d\n", $2 / $4 }' "$1"
}

run_plain() {
	"$W/tl_loop" "$MIB" "$SECS" $HOT >"$W/app.log" 2>&1 || die "tl_loop failed"
	rate "$W/app.log"
}

run_dmtcp() { # launch options...
	local tl=$W/tl.$RANDOM
	coord_start
	LAUNCH_OPTS=("$@")
	[ "${1:-}" = --timeline ] && LAUNCH_OPTS=(--timeline "$tl" "${@:2}")
	"$BIN/dmtcp_launch" --join-coordinator ${LAUNCH_OPTS[@]+"${LAUNCH_OPTS[@]}"} \
		"$W/tl_loop" "$MIB" "$SECS" $HOT </dev/null >"$W/app.log" 2>>"$W/app.err" ||
		die "tl_loop under dmtcp failed (see $W/app.err)"
	coord_stop
	SNAPS=$(ls "$tl" 2>/dev/null | grep -c '\.dmtcp$')
	BYTES=$(du -sb "$tl" 2>/dev/null | cut -f1)
	rm -rf "$tl"
	rate "$W/app.log"
}

row() { # label command...
	local label=$1 r rates=() snaps=() mb=()
	shift
	for ((r = 0; r < RUNS; r++)); do
		SNAPS=0 BYTES=0
		rates+=("$("$@")")
		snaps+=("$SNAPS")
		mb+=("$((${BYTES:-0} / 1048576))")
	done
	ROWS+=("$label|$(median "${rates[@]}")|$(spread "${rates[@]}")|$(median "${snaps[@]}")|$(median "${mb[@]}")")
}

# run_dmtcp sets SNAPS/BYTES in a subshell: count them from files instead
row_dmtcp() { # label launch-options...
	local label=$1 r rates=() snaps=() mb=() out
	shift
	for ((r = 0; r < RUNS; r++)); do
		out=$(run_dmtcp "$@"; echo "S $SNAPS $BYTES")
		rates+=("$(head -n 1 <<<"$out")")
		snaps+=("$(awk '/^S /{print $2}' <<<"$out")")
		mb+=("$(( $(awk '/^S /{print $3+0}' <<<"$out") / 1048576 ))")
	done
	ROWS+=("$label|$(median "${rates[@]}")|$(spread "${rates[@]}")|$(median "${snaps[@]}")|$(median "${mb[@]}")")
}

dd_ms=$( { TIMEFORMAT=%R; time dd if=/dev/zero of="$W/dd" bs=1M count="$MIB" \
	conv=fsync 2>/dev/null; } 2>&1 | tail -n 1)
rm -f "$W/dd"
row "plain (no dmtcp)" run_plain
row_dmtcp "dmtcp_launch, no checkpoint"
row_dmtcp "--timeline --interval-ms 100" --timeline --interval-ms 100
row_dmtcp "--timeline --interval-ms 100 --no-incremental" --timeline --interval-ms 100 --no-incremental

base=$(cut -d'|' -f2 <<<"${ROWS[0]}")
echo "# timeline overhead: ${MIB} MiB heap${HOT:+ (writes to the first $HOT MiB)}, ${SECS} s per run, median of $RUNS; $(nproc) CPUs; $(bench_fs)"
echo "# dd conv=fsync of ${MIB} MiB here: ${dd_ms} s; the interval counts from the end of the previous checkpoint"
printf '%-46s %12s %9s %21s %6s %9s\n' case steps/s "% plain" "spread" snaps "MiB wrt"
for r in "${ROWS[@]}"; do
	IFS='|' read -r l v s n m <<<"$r"
	printf '%-46s %12s %8s%% %21s %6s %9s\n' "$l" "$v" "$((v * 100 / base))" "$s" "$n" "$m"
done
