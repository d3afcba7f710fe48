#!/bin/bash
# test-dlopen_churn.sh - checkpoints while four threads dlopen() and
# dlclose() libraries without a pause (tests/progs/dlopen_churn): ten
# checkpoints in a row of the running program, then three kill/restart
# cycles with three more checkpoints after each restart.  Checkpoints
# catch threads in the middle of the loader mapping a library (its whole
# span mapped from the file, past the file's end, before the segments
# go over it), which made the checkpoint thread die of SIGBUS reading
# those pages.  The program checks every call into every fresh load
# (.rodata, .data, .bss, TLS) and its heap, before and after restarts.
# gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# a different moment of the churn each time
pause() {
	sleep "$(printf '0.%03d' $(((RANDOM % 200) + 20)))"
}

scenario() {
	local i c cur
	t_coord_start
	t_launch dlopen_churn
	t_wait_ready
	cur=$APP_PID
	for ((i = 1; i <= 10; i++)); do
		pause
		t_checkpoint_of "$cur" dlopen_churn
	done
	for ((c = 1; c <= 3; c++)); do
		t_kill "$cur"
		t_restart
		cur=$RST_PID
		for ((i = 1; i <= 3; i++)); do
			pause
			t_checkpoint_of "$cur" dlopen_churn
		done
	done
	t_finish "$cur" dlopen_churn 3
	grep -a '^thread ' "$T/app.log" | sed 's/^/    /'
}

t_main t_modes scenario
