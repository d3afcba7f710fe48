#!/bin/bash
# bench/zwrite-bench.sh - the gzip image writer alone (bench/zwrite.c):
# SIZE MiB of random, halfzero (runs of 4 random pages between 4 zero
# pages left out, as the checkpoint does), mixed (the same between text pages,
# one record per run) and text-like pages written with 1, 2, ... THREADS
# zlib workers (RUN_PAGES 4): wall time, CPU time of all threads and of the writing
# thread, throughput.  On a loaded machine the CPU columns are the ones
# to compare: wall >= max(caller, cpu / threads).  Not part of make check.
#
# Usage: bench/zwrite-bench.sh BUILDDIR [SIZE_MIB [MAX_THREADS [DIR]]]
#   DIR: where the image goes (default /dev/shm: no disk in the numbers)
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:?usage: $0 BUILDDIR [SIZE_MIB [MAX_THREADS [DIR]]]}" && pwd)
SIZE=${2:-256}
MAXT=${3:-2}
DIR=${4:-/dev/shm}
EXE=$(mktemp "${TMPDIR:-/tmp}/zwrite.XXXXXX")
IMG=$DIR/zwrite-bench.$$.img
trap 'rm -f "$EXE" "$IMG"' EXIT

${CC:-cc} -O2 -I"$SRC/src/image" -I"$SRC/include" -I"$B" \
	-o "$EXE" "$SRC/bench/zwrite.c" "$B/lib/libdmtcpimage.a" -lz
echo "zwrite-bench: $SIZE MiB, image in $DIR, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in random halfzero mixed text; do
	for t in $(seq 1 "$MAXT"); do
		"$EXE" "$IMG" "$SIZE" "$t" "$kind" 4
	done
done
