#!/bin/bash
# bench/gdb-goto-bench.sh - time of `dmtcp goto` in gdb (not part of make
# check): tests/progs/gdb_fixture (three threads, a few MiB) runs with a
# timeline of 3 snapshots; one gdb batch session goes to snapshots 1 and 2
# alternately NGOTO times and prints the median and spread of the time
# from the command to gdb attached, the threads parked and the program's
# frame selected (gdb's index cache as the helpers set it, and without),
# from a gdb started with no process (the program was killed after the
# snapshots).  bench/goto-bench.sh times the parts (restore, a fresh
# gdb -p); this one the command, in one gdb session.
#
# Usage: bench/gdb-goto-bench.sh [BUILDDIR]   (BUILDDIR after make check)
#   env BENCH_GOTOS: gotos per case (11)
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
NGOTO=${BENCH_GOTOS:-11}
BIN=$B/bin
TIMEOUT=${BENCH_TIMEOUT:-60}
BENCH_NAME=gdb-goto-bench
. "$SRC/bench/lib.sh"

[ -x "$B/tests/progs/gdb_fixture" ] || die "$B/tests/progs/gdb_fixture not built (make check TESTS_FILTER=test-gdb-timeline)"
command -v gdb >/dev/null || die "gdb not found"
bench_setup "bench/gdb-goto-bench.sh [BUILDDIR]"
export DMTCP_TMPDIR=$W TEST_STOP_FILE=$W/stop DMTCP_BINDIR=$BIN
cp "$B/tests/progs/gdb_fixture" "$W/"
coord_start
LAUNCH_OPTS=(--timeline "$W/tl")
launch gdb_fixture
for i in 1 2 3; do
	timeout "$TIMEOUT" "$BIN/dmtcp_command" -p "$PORT" --bcheckpoint >/dev/null ||
		die "checkpoint $i failed"
	sleep 0.2
done
kill_comp "$APP"	# gdb starts with no process, from the timeline
export DMTCP_CHECKPOINT_DIR=$W/tl

# one_case LABEL GDB-SETTING: NGOTO gotos in one gdb, times in ms
one_case() {
	local out
	out=$(timeout $((TIMEOUT * 2)) gdb -q -batch -nx -ex "$2" \
		-iex "source $SRC/gdb/dmtcp-gdb.py" -ex "python
import time, gdb
for i in range($NGOTO):
    t = time.monotonic()
    gdb.execute('dmtcp goto %d' % (1 + i % 2), to_string=True)
    print('GOTO_MS %d' % ((time.monotonic() - t) * 1000))
" -ex kill 2>&1)
	mapfile -t t < <(sed -n 's/^GOTO_MS //p' <<<"$out")
	[ ${#t[@]} -eq "$NGOTO" ] || die "$1: $(tail -5 <<<"$out")"
	printf '| %-30s | %6s | %9s |\n' "$1" "$(median "${t[@]}")" "$(spread "${t[@]}")"
}

echo "gdb goto of gdb_fixture, $NGOTO gotos per case, $(bench_fs)"
printf '| %-30s | %6s | %9s |\n' "case (ms)" "median" "min-max"
printf '|%s|%s|%s|\n' "--------------------------------" "--------" "-----------"
one_case "index cache (helpers' default)" "set confirm off"
DMTCP_GDB_NO_INDEX_CACHE=1 one_case "no index cache" "set index-cache enabled off"
