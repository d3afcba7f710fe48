#!/bin/bash
# test-signals_timers.sh - tests/progs/signals_timers through 2 checkpoint/restart cycles,
# with gzip and raw images (as root and as dmtcptest when run as root).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles signals_timers 2
}

t_main t_modes scenario
