#!/bin/bash
# test-mixed_pages.sh - tests/progs/mixed_pages (random, zero, text and
# half-zero pages; one page per PAGES record in places, several zlib
# chunks per record in others) through 2 checkpoint/restart cycles, gzip
# and raw, as root and as dmtcptest: every byte checked after each
# restart, and no all-zero page resident after a restart.
# The gzip restarts use the parallel decoder (one worker per CPU) and,
# the second time, DMTCP_DECODE_THREADS=1 (a single worker).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles mixed_pages 2
	grep -q "^restart 1: " "$T/app.log" ||
		t_fail "mixed_pages did not report its first restart"
}

all() {
	t_modes scenario &&
		(export DMTCP_GZIP=1 DMTCP_DECODE_THREADS=1 &&
		 t_run gzip-one-worker scenario)
}

t_main all
