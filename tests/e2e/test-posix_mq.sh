#!/bin/bash
# test-posix_mq.sh - POSIX message queues: queued messages come back in
# priority order with every byte, attributes and mode are kept, the
# program's mqd_t values keep working, a queue both processes block on
# (full/empty) keeps its sequence, across 2 checkpoint/kill/restart
# cycles (tests/progs/posix_mq.c).  gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

# The first run's queues live in the host's IPC namespace: remove them
# (restarted ones die with the restart's namespace).
mq_cleanup() {
	local line
	[ -z "${MQ_CLEANED:-}" ] || return 0
	MQ_CLEANED=1
	line=$(grep -a -m1 '^MQ ' "$T/app.log" 2>/dev/null) || return 0
	# shellcheck disable=SC2086
	"$PROGS/posix_mq" --unlink ${line#MQ }
	return 0
}

scenario() {
	trap 'rc=$?; mq_cleanup; (exit $rc); t_cleanup' EXIT
	T_AFTER_KILL=mq_cleanup t_cycles posix_mq 2
}

t_main t_modes scenario
