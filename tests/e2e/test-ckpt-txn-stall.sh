#!/bin/bash
# test-ckpt-txn-stall.sh - a process that stays connected but does not
# answer fails the checkpoint after --ckpt-timeout instead of holding it
# forever or leaving its image out (doc/design.md, "Checkpoint as a
# transaction").  tests/progs/txn_pair, coordinator --ckpt-timeout 3.
#  before: the child is stopped (SIGSTOP) before the checkpoint, so it
#          never suspends: --bcheckpoint exits non-zero with a FAILED=
#          line naming it ("did not answer ... suspend barrier"), the
#          previous generation is untouched; while it is stopped the next
#          --bcheckpoint is refused at once, naming it; after SIGCONT it
#          goes through the old checkpoint saving nothing, the program
#          runs on with consistent data, a checkpoint succeeds with both
#          images and the restart brings both back from it.
#  inside: the parent is stopped while it is frozen inside the checkpoint
#          (held by the test plugin libckpt_hold.so, before the fd leader
#          election): the same, at the election barrier; when it wakes up
#          the others run again already, and it must not drain or refill
#          the pipes it shares with them (the program checks every number
#          that went through them).
# gzip and raw images, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"
. "$DMTCP_SRCDIR/tests/e2e/txn-lib.sh"

HOLD_SO=$B/tests/plugin/libckpt_hold.so

held() { [ -e "$CKPT_HOLD_DIR/held.$X_PARENT" ] && [ -e "$CKPT_HOLD_DIR/held.$X_CHILD" ]; }

# The program's own progress: new CKPT lines or pipe traffic (its
# sequence numbers) after a given line of txn.log.
seq_of() { # role: the last sequence number the role reported
	grep -a "^\(CKPT\|RESTORED\) $1 " "$T/txn.log" | tail -n 1 |
		sed -n 's/.* seq=\([0-9]*\)$/\1/p'
}

scenario() { # before|inside
	local victim role out rc
	t_have "$HOLD_SO"
	export CKPT_HOLD_DIR=$T/hold
	mkdir -p "$CKPT_HOLD_DIR"
	T_LAUNCH_OPTS=(--with-plugin "$HOLD_SO")
	T_COORD_OPTS=(--ckpt-timeout 3)
	x_launch
	x_ckpt_ok
	if [ "$1" = before ]; then
		role=child
		victim=$X_CHILD
		kill -STOP "$victim"
		x_bckpt
	else
		role=parent
		victim=$X_PARENT
		touch "$CKPT_HOLD_DIR/hold"
		x_bckpt
		t_wait "$T_TIMEOUT" "both processes frozen in the checkpoint" held
		kill -STOP "$victim"
		rm -f "$CKPT_HOLD_DIR/hold"
	fi
	t_log "$role $victim stopped ($1 the checkpoint)"
	x_bckpt_rc
	if [ "$1" = before ]; then
		x_expect_failed "pid $victim: did not answer within 3 s \(suspend barrier" "stopped $role"
	else
		x_expect_failed "pid $victim: did not answer within 3 s \(fd leader election barrier" "stopped $role"
	fi
	x_prev_intact "after the failed checkpoint"

	# no checkpoint while it does not answer: refused at once
	out=$(t_command --bcheckpoint 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	[ $rc -ne 0 ] || t_fail "a checkpoint succeeded with the $role stopped"
	grep -q "pid $victim) has not answered" <<<"$out" ||
		t_fail "the refusal does not name the stopped $role $victim"
	x_prev_intact "after the refused checkpoint"

	kill -CONT "$victim"
	t_log "$role $victim continued"
	t_wait "$T_TIMEOUT" "both processes running again" t_peers_running 2
	x_ckpt_ok
	grep -aq "^CKPT $role ckpts=2 gen=$X_GEN " "$T/txn.log" ||
		t_wait "$T_TIMEOUT" "the $role to see its second checkpoint" \
			grep -aq "^CKPT $role ckpts=2 gen=$X_GEN " "$T/txn.log"
	t_log "$role after the new checkpoint: seq $(seq_of "$role")"
	x_stop_all
	x_restart_gen "$X_GEN"
}

all() {
	t_run before scenario before && t_run inside scenario inside
}

t_main t_modes all
