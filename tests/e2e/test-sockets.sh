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
	T_AFTER_CKPT="t_expect_images 2" t_cycles sock_pair 2
}

t_main t_modes scenario
