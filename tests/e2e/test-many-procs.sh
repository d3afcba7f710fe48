#!/bin/bash
# test-many-procs.sh - a computation of 32 processes (a fork tree; 256
# threads: 12 workers in every odd-numbered process, 2 in the others),
# 3 MiB of patterned data each, through 2 checkpoint/kill/restart cycles.
# Every process checks its own pid/ppid, memory pattern, counters and
# threads (TLS, tids, still advancing), reaps its children and prints a
# DONE line; the test checks 32 images per checkpoint, 32 DONE lines with
# restarts=2 and 256 threads in all.  gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=32

# after each checkpoint: one image a process, and how long it took
after_ckpt() {
	t_expect_images 32
	t_log "checkpoint $T_CYCLE: $(sed -n 's/^[[:space:]]*TIME_MS=//p' <<<"$CKPT_OUT") ms," \
		"$(sed -n 's/^[[:space:]]*TOTAL_BYTES=//p' <<<"$CKPT_OUT") bytes"
}

scenario() {
	local n threads
	T_AFTER_CKPT=after_ckpt t_cycles many_procs 2 32 3
	grep -q '^SETUP procs=32 threads=256$' "$T/app.log" ||
		t_fail "unexpected setup: $(grep -a SETUP "$T/app.log")"
	n=$(grep -c '^DONE [0-9]* pid=[0-9]* restarts=2 ' "$T/app.log")
	[ "$n" -eq 32 ] || t_fail "$n of 32 processes printed DONE with restarts=2:" \
		"$(grep -a -E '^(DONE|FAIL)' "$T/app.log" | head -n 5)"
	[ "$(grep -a '^DONE' "$T/app.log" | cut -d' ' -f2 | sort -un | wc -l)" -eq 32 ] ||
		t_fail "DONE lines are not from 32 distinct processes"
	threads=$(sed -n 's/^DONE .* threads=\([0-9]*\) .*/\1/p' "$T/app.log" |
		awk '{ s += $1 } END { print s + 0 }')
	[ "$threads" -eq 256 ] || t_fail "threads in DONE lines: $threads, expected 256"
	t_log "32 processes, $threads threads: all checked after 2 restarts"
}

t_main t_modes scenario
