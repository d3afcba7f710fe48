#!/bin/bash
# test-interval.sh - periodic checkpoints: a coordinator started with -i 1
# writes images by itself; dmtcp_command --list shows the process,
# --interval 0 stops the periodic checkpoints; the computation is then
# killed and restarted from the last periodic image.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

image_count() {
	ls "$DMTCP_CHECKPOINT_DIR"/ckpt_threads_tls_*.dmtcp 2>/dev/null | wc -l
}

has_image() {
	[ "$(image_count)" -ge 1 ] && [ -e "$COORD_CKPTDIR/dmtcp_restart_script.sh" ]
}

scenario() {
	local out
	T_COORD_OPTS=(-i 1)
	t_coord_start
	t_launch threads_tls
	t_wait_ready
	out=$(t_command --list 2>&1) || t_fail "dmtcp_command --list failed: $out"
	grep -q threads_tls <<<"$out" ||
		t_fail "dmtcp_command --list does not show threads_tls: $out"
	t_wait "$T_TIMEOUT" "a periodic checkpoint (coordinator -i 1)" has_image
	out=$(t_command --interval 0 2>&1) ||
		t_fail "dmtcp_command --interval 0 failed: $out"
	# let a checkpoint in progress finish, then all must be quiet
	t_wait "$T_TIMEOUT" "peers running" t_peers_running 1
	sleep 1
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" threads_tls 1
}

t_main t_modes scenario
