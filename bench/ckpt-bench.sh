#!/bin/bash
# bench/ckpt-bench.sh - checkpoint/restart benchmark (not part of make
# check).  For a process holding SIZE MiB of random or mostly-zero data,
# with gzip and raw images: checkpoint time (dmtcp_command --bcheckpoint),
# restart time (until the restored process runs again: it creates a marker
# file when it sees a new restart) and image size, next to dd writing
# (conv=fsync) and reading the same amount in the same directory.  Then
# the median of 20 restarts of a small (< 10 MiB) process.
#
# Usage: bench/ckpt-bench.sh [BUILDDIR [SIZE_MIB]]
#   env BENCH_DIR: where images and dd files go (default: a temp dir in
#   $TMPDIR or /tmp); BENCH_RESTARTS: restarts for the latency part (20).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
SIZE=${2:-1024}
NREST=${BENCH_RESTARTS:-20}
BIN=$B/bin
TIMEOUT=${BENCH_TIMEOUT:-600}
BENCH_NAME=ckpt-bench
. "$SRC/bench/lib.sh"

# checkpoint: sets CK_MS (wall), CK_TOOL_MS (TIME_MS=), IMG, IMG_BYTES
checkpoint() {
	local t0 out
	t0=$(now_ns)
	out=$(timeout "$TIMEOUT" "$BIN/dmtcp_command" -p "$PORT" --bcheckpoint 2>&1) ||
		die "checkpoint failed: $out"
	CK_MS=$(ms_since "$t0")
	CK_TOOL_MS=$(sed -n 's/^[[:space:]]*TIME_MS=//p' <<<"$out")
	IMG=$(sed -n 's/^[[:space:]]*IMAGE=//p' <<<"$out" | head -n 1)
	[ -f "$IMG" ] || die "no image: $out"
	IMG_BYTES=$(stat -c %s "$IMG")
}

# restart_timed: restarts from the script; sets RS_MS and RST
restart_timed() {
	local t0
	rm -f "$W/mark"
	t0=$(now_ns)
	bench_restart "restored process (marker $W/mark)" "$TIMEOUT" '[ -e "$W/mark" ]'
	RS_MS=$(ms_since "$t0")
}

mib_s() { # bytes ms
	[ "$2" -gt 0 ] && echo "scale=0; $1 * 1000 / $2 / 1048576" | bc || echo "-"
}

row() {
	ROWS+=("$(printf '%-22s %10s %10s %12s %10s %10s' "$@")")
}

bench_setup "$0 BUILDDIR [SIZE_MIB]"
export DMTCP_CHECKPOINT_DIR=$W/ckpt DMTCP_TMPDIR=$W TEST_STOP_FILE=$W/stop BENCH_MARK=$W/mark
${CC:-cc} -O2 -I"$SRC/include" -o "$W/bigmem" "$SRC/bench/bigmem.c" || die "cannot build bigmem.c"
echo "ckpt-bench: $SIZE MiB, directory $W ($(bench_fs))"

row "case" "ckpt ms" "restart ms" "image MiB" "MiB/s" "TIME_MS"
for kind in random zero; do
	for mode in gzip raw; do
		[ $mode = gzip ] && export DMTCP_GZIP=1 || export DMTCP_GZIP=0
		echo "  $kind data, $mode images ..."
		coord_start
		launch bigmem "$SIZE" "$kind"
		checkpoint
		kill_comp "$APP"
		sync
		restart_timed
		kill_comp "$RST"
		coord_stop
		row "$kind/$mode" "$CK_MS" "$RS_MS" \
			"$(echo "scale=1; $IMG_BYTES / 1048576" | bc)" \
			"$(mib_s $((SIZE * 1048576)) "$CK_MS")" "$CK_TOOL_MS"
		rm -f "$W"/ckpt/*.dmtcp
	done
done

# dd in the same directory
t0=$(now_ns)
dd if=/dev/zero of="$W/dd.bin" bs=1M count="$SIZE" conv=fsync status=none || die "dd write failed"
DDW=$(ms_since "$t0")
t0=$(now_ns)
dd if="$W/dd.bin" of=/dev/null bs=1M status=none || die "dd read failed"
DDR=$(ms_since "$t0")
rm -f "$W/dd.bin"
row "dd write (fsync)" "$DDW" "-" "$SIZE" "$(mib_s $((SIZE * 1048576)) "$DDW")" "-"
row "dd read (cached)" "-" "$DDR" "$SIZE" "$(mib_s $((SIZE * 1048576)) "$DDR")" "-"

# small image: median of NREST restarts of the same image
export DMTCP_GZIP=1
coord_start
launch bigmem 4 random
checkpoint
SMALL=$IMG_BYTES
kill_comp "$APP"
times=()
for ((i = 0; i < NREST; i++)); do
	restart_timed
	times+=("$RS_MS")
	kill_comp "$RST"
done
coord_stop
MED=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((NREST + 1) / 2))p")
MIN=$(printf '%s\n' "${times[@]}" | sort -n | head -n 1)
MAX=$(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)

echo
printf '%s\n' "${ROWS[@]}"
echo
echo "small process (4 MiB data, image $(echo "scale=1; $SMALL / 1048576" | bc) MiB):" \
	"restart median ${MED} ms over $NREST restarts (min $MIN, max $MAX)"
echo "(ckpt ms: wall time of dmtcp_command --bcheckpoint, TIME_MS: what it"
echo " reports; restart ms: from"
echo " starting dmtcp_restart_script.sh until the restored process runs;"
echo " MiB/s: process memory / checkpoint time; dd read is from the page cache;"
echo " zero data keeps one non-zero word per 4 KiB page: compressible, not sparse)"
