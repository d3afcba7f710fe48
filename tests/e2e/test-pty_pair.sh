#!/bin/bash
# test-pty_pair.sh - a pty pair between a parent (master) and a child
# session leader (slave as controlling terminal and stdio) with a
# grandchild in its own process group: after each of 2 checkpoint/kill/
# restart cycles the pair is recreated (a new /dev/pts/N), termios, window
# size and the foreground group are back, no byte in flight is lost or
# repeated, and tcsetpgrp still works; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	local i cur
	export T_NPEERS=3
	t_coord_start
	t_launch pty_pair
	t_wait "$T_TIMEOUT" "READY in $T/app.log" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "3 running peers" t_peers_running 3
	sleep "$T_SETTLE"
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		[ ${#CKPT_IMAGES[@]} -eq 3 ] ||
			t_fail "expected 3 images, got ${#CKPT_IMAGES[@]}"
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" pty_pair 2
	grep -a '^restart ' "$T/app.log" | sed 's/^/    /'
}

t_main t_modes scenario
