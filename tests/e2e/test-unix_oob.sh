#!/bin/bash
# test-unix_oob.sh - tests/progs/unix_oob: an urgent byte (MSG_OOB) queued on
# a UNIX stream is a known limit (doc/sockets.md): a checkpoint that
# resumes keeps it urgent, a restart gives it back as an ordinary byte at
# its place; the checkpoint says so (warning naming the process and fd).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

warned() {
	grep -aq 'fd [0-9]*: an urgent byte (MSG_OOB) is queued on this UNIX stream' \
		"$T/app.err" || t_fail "no warning about the urgent byte in app.err"
}

resume() {
	t_coord_start
	t_launch unix_oob
	t_wait_ready
	t_checkpoint
	warned
	t_finish "$APP_PID" unix_oob 0
	grep -aq '^urgent byte kept$' "$T/app.log" || t_fail "urgent byte not kept"
}

restart() {
	T_AFTER_CKPT=warned t_cycles unix_oob 1
	grep -aq '^urgent byte came back in the stream$' "$T/app.log" ||
		t_fail "not the documented behaviour"
}

both() {
	t_run resume resume && t_run restart restart
}

t_main both
