#!/bin/bash
# test-ckpt-signal.sh - another internal checkpoint signal: threads_tls
# with dmtcp_launch --ckpt-signal 40 and signals_timers with
# DMTCP_SIGCKPT=40 (both programs use SIGUSR1/SIGRTMIN+n themselves), two
# checkpoint/restart cycles each, gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# The launched process catches signal 40 (the checkpoint signal) and
# not SIGUSR2 unless the program does.  SigCgt in /proc/PID/status is a hex
# mask with bit N-1 for signal N.
check_caught() {
	local mask
	t_alive "$APP_PID" || return 0	# only the first, launched process
	mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$APP_PID/status")
	[ -n "$mask" ] || t_fail "no SigCgt for pid $APP_PID"
	(((0x$mask >> 39) & 1)) ||
		t_fail "pid $APP_PID does not catch signal 40 (SigCgt $mask): checkpoint signal option ignored?"
	(((0x$mask >> 11) & 1)) &&
		t_fail "pid $APP_PID catches SIGUSR2 (SigCgt $mask) although the checkpoint signal is 40"
	return 0
}

by_option() {
	T_LAUNCH_OPTS=(--ckpt-signal 40)
	T_AFTER_CKPT=check_caught
	t_cycles threads_tls 2
}

by_env() {
	export DMTCP_SIGCKPT=40
	T_AFTER_CKPT=check_caught
	t_cycles signals_timers 2
}

both() {
	t_run option by_option && t_run env by_env
}

t_main t_modes both
