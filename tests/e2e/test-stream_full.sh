#!/bin/bash
# test-stream_full.sh - tests/progs/stream_full: a parent and a child keep
# the queues of TCP connections (one way, both ways, half-closed, with
# urgent bytes), UNIX streams, socketpairs, pipes and a FIFO full, the
# writers faster than the readers; one checkpoint that resumes, three
# checkpoint/kill/restart cycles (another resume after the first): every
# byte is read once, in order (the program checks each one against its
# 64-bit counter stream and compares the totals of both sides).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

scenario() {
	local cur i
	t_coord_start
	# STREAM_FULL_CHANNELS: a subset of the channels (debugging)
	t_launch stream_full ${STREAM_FULL_CHANNELS:-}
	t_wait_ready
	cur=$APP_PID
	t_checkpoint		# the computation simply resumes
	t_expect_images 2
	sleep "$T_SETTLE"
	for ((i = 1; i <= 3; i++)); do
		t_checkpoint
		t_expect_images 2
		t_kill "$cur"
		t_restart
		cur=$RST_PID
		if [ $i -eq 1 ]; then
			t_checkpoint	# resumes a restarted computation
			sleep "$T_SETTLE"
		fi
	done
	t_finish "$cur" stream_full 3
	grep -a ': child->parent\|urgent bytes' "$T/app.log" | sed 's/^/    /'
}

t_main t_modes scenario
