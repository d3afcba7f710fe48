#!/bin/bash
# test-sockets-external.sh - the policy for sockets whose peer is outside
# the computation (doc/sockets.md): a server NOT started by dmtcp_launch
# greets each client; the checkpointed program connects by TCP, a UNIX
# stream and a UNIX datagram socket and leaves the greeting unread.  The
# checkpoint must not hang; after the restart TCP gives the queued
# greeting, ECONNRESET, EOF and EPIPE, the UNIX stream the greeting, EOF
# and EPIPE, and the datagram socket reaches the server again; 2 cycles,
# gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

T_CKPT_TIMEOUT=30

scenario() {
	local srv
	t_have "$PROGS/sock_external"
	"$PROGS/sock_external" server "$T" </dev/null >"$T/server.log" 2>&1 &
	srv=$!
	t_track "$srv"
	t_wait "$T_TIMEOUT" "the external server's port file" test -s "$T/ext.port"
	t_cycles sock_external 2 "$(cat "$T/ext.port")" "$T"
	grep -q "policy checked after the restart" "$T/app.log" ||
		t_fail "the program did not check the sockets after its restart"
	t_alive "$srv" || t_fail "the external server died"
}

t_main t_modes scenario
