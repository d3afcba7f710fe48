#!/bin/bash
# test-mmap_churn.sh - checkpoints while three threads map, unmap,
# split, grow and mprotect regions without a pause (tests/progs/
# mmap_churn): private and shared anonymous memory, private and shared
# file mappings, and private mappings longer than their file (reading
# past the end raises SIGBUS, which made every checkpoint kill the
# process).  Ten checkpoints in a row, then three kill/restart cycles
# with three more checkpoints after each restart; the program checks
# every region's pages and, at the end, every page's protection against
# /proc/self/maps.  gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

pause() {
	sleep "$(printf '0.%03d' $(((RANDOM % 200) + 20)))"
}

scenario() {
	local i c cur
	t_coord_start
	t_launch mmap_churn
	t_wait_ready
	cur=$APP_PID
	for ((i = 1; i <= 10; i++)); do
		pause
		t_checkpoint_of "$cur" mmap_churn
	done
	for ((c = 1; c <= 3; c++)); do
		t_kill "$cur"
		t_restart
		cur=$RST_PID
		for ((i = 1; i <= 3; i++)); do
			pause
			t_checkpoint_of "$cur" mmap_churn
		done
	done
	t_finish "$cur" mmap_churn 3
	grep -a '^thread ' "$T/app.log" | sed 's/^/    /'
}

t_main t_modes scenario
