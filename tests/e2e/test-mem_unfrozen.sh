#!/bin/bash
# test-mem_unfrozen.sh - a limit, and its clear error: memory shared
# with something the checkpoint cannot stop.  tests/progs/mm_sharer has
# a clone(CLONE_VM) child (not a thread of the process, so never frozen)
# that maps and unmaps pages in the process's memory without a pause.
# Such a checkpoint must fail, saying so (the memory map changed while
# the image was written, or memory in it could not be read), and leave
# the process running; once the child is gone checkpoints and restarts
# work again, and the program checks its heap after the restart.  gzip
# and raw, root and unprivileged; images written in place (see scenario).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

quiet_done() {
	grep -aq '^QUIET ' "$T/app.log"
}

scenario() {
	local i out rc failed=0
	# written in place: a forked writer checks the map only between the
	# capture and the fork (a few ms; its own copy cannot change after
	# that), so there the refusal would be rare, and a checkpoint taken
	# from the fork's consistent copy is right to succeed
	export DMTCP_FORKED_CHECKPOINT=0
	t_coord_start
	t_launch mm_sharer
	t_wait_ready
	for ((i = 1; i <= 5; i++)); do
		out=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" \
			-p "$COORD_PORT" --bcheckpoint 2>&1)
		rc=$?
		echo "$out" | sed 's/^/    /'
		t_alive "$APP_PID" || t_fail "mm_sharer died during checkpoint $i"
		[ $rc -eq 124 ] && t_fail "checkpoint $i timed out"
		if [ $rc -ne 0 ]; then
			grep -qE 'memory map changed while the image was written|cannot read memory' <<<"$out" ||
				t_fail "checkpoint $i failed without saying why: $out"
			failed=$((failed + 1))
		fi
		t_wait "$T_TIMEOUT" "mm_sharer running again after checkpoint $i" \
			t_peers_running 1
	done
	t_log "$failed of 5 checkpoints refused while the memory map changed"
	[ $failed -ge 1 ] ||
		t_fail "5 checkpoints succeeded while another process kept changing the memory map"
	touch "$T/quiet"
	t_wait "$T_TIMEOUT" "QUIET in app.log" quiet_done
	t_checkpoint
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" mm_sharer 1
}

t_main t_modes scenario
