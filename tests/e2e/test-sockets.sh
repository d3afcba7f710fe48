#!/bin/bash
# test-sockets.sh - a parent and a child exchanging numbered messages over
# socketpairs (stream, dgram, seqpacket), UNIX streams connected through a
# path and an abstract name, and TCP on loopback, with messages in flight
# both ways and a backlog left unread in every kind of queue: 2
# checkpoint/kill/restart cycles; the program checks every byte, the
# listeners accept new clients at the end; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

scenario() {
	local i cur
	t_coord_start
	t_launch sock_pair
	t_wait "$T_TIMEOUT" "READY in $T/app.log" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "2 running peers" t_peers_running 2
	sleep "$T_SETTLE"
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		[ ${#CKPT_IMAGES[@]} -eq 2 ] ||
			t_fail "expected 2 images, got ${#CKPT_IMAGES[@]}"
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" sock_pair 2
}

t_main t_modes scenario
