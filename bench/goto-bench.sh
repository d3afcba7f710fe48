#!/bin/bash
# bench/goto-bench.sh - how long going back to a snapshot takes (what
# `dmtcp goto` in gdb waits for): a small program (tests/progs/counter
# style, built here) with a timeline; for each of --runs N restores of
# one snapshot, the time until every thread is parked
# (dmtcp_restart --stop-for-debugger wrote the pid file), then until gdb
# is attached with the symbols loaded (gdb -batch -p PID), and the
# whole; median and spread.  Also the same through the gdb helpers'
# `dmtcp goto` when they have it.
#   bench/goto-bench.sh [--runs N] BUILDDIR
BENCH_NAME=goto-bench
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=10 TIMEOUT=60
[ "${1:-}" = --runs ] && { RUNS=$2; shift 2; }
BIN=${1:?usage: $0 [--runs N] BUILDDIR}/bin
. "$SRC/bench/lib.sh"
bench_setup "$0 BUILDDIR"
cat >"$W/small.c" <<'C'
#include <stdio.h>
#include <time.h>
int counter;
int main(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY\n");
	for (;;) {
		counter++;
		nanosleep(&ts, NULL);
	}
}
C
${CC:-cc} -O0 -g -o "$W/small" "$W/small.c" || die "cannot build the program"
command -v gdb >/dev/null || die "gdb not found"

coord_start
LAUNCH_OPTS=(--timeline "$W/tl" --interval-ms 200 ${GOTO_LAUNCH_OPTS:-})
launch small
wait_until 20 "3 snapshots" eval '[ "$(ls "$W"/tl/*.dmtcp 2>/dev/null | wc -l)" -ge 3 ]'
kill_comp "$APP"
img=$(ls "$W"/tl/*_00002.dmtcp)

parked=() attached=() total=()
for ((r = 0; r < RUNS; r++)); do
	rm -f "$W/pid"
	t0=$(now_ns)
	"$BIN/dmtcp_restart" -p "$PORT" --stop-for-debugger --pid-file "$W/pid" \
		"$img" </dev/null >"$W/rst.log" 2>&1 &
	rst=$!
	PIDS+=("$rst")
	wait_until 30 "the pid file" test -s "$W/pid"
	t1=$(now_ns)
	gdb -q -nx -batch -iex 'set sysroot /' -p "$(cat "$W/pid")" \
		-ex 'print counter' >"$W/gdb.log" 2>&1 || die "gdb failed: $(tail -3 "$W/gdb.log")"
	grep -q '^\$1 = ' "$W/gdb.log" || die "gdb did not read the program: $(tail -3 "$W/gdb.log")"
	t2=$(now_ns)
	parked+=("$(((t1 - t0) / 1000000))")
	attached+=("$(((t2 - t1) / 1000000))")
	total+=("$(((t2 - t0) / 1000000))")
	kill_comp "$rst"
done
echo "# goto: restore one snapshot of a small program, $RUNS runs; $(nproc) CPUs; $(bench_fs)"
printf '%-52s %8s %12s\n' step "median" "spread (ms)"
printf '%-52s %8s %12s\n' "restore until every thread is parked" "$(median "${parked[@]}")" "$(spread "${parked[@]}")"
printf '%-52s %8s %12s\n' "gdb -batch -p: attach, symbols, print, detach" "$(median "${attached[@]}")" "$(spread "${attached[@]}")"
printf '%-52s %8s %12s\n' "total" "$(median "${total[@]}")" "$(spread "${total[@]}")"
