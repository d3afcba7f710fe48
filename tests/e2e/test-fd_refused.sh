#!/bin/bash
# test-fd_refused.sh - a checkpoint of a process holding a descriptor that
# cannot be restored (a netlink socket; a userfaultfd where allowed) fails:
# dmtcp_command --bcheckpoint exits non-zero and names the process, the fd
# and the kind; the previous images and restart script stay as they were.
# Harmless kinds (eventfd, epoll, signalfd, timerfd, inotify, pidfd) never
# fail a checkpoint.  Once the bad fds are closed, checkpoints work again
# and the restart runs (the pidfd names the restored process).  Twice: one
# process, and two where the child holds the bad fds (the parent must not
# write its image either); gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

has_line() { grep -aq "^$1\$" "$T/app.log"; }

sums() { t_ckpt_sums "$COORD_CKPTDIR/dmtcp_restart_script.sh"; } # and the restart script

scenario() { # [fork]
	local n=1 before out fd kind pid
	[ "${1:-}" = fork ] && n=2
	export T_NPEERS=$n
	t_coord_start
	t_launch fd_refused "$@"
	t_wait_ready
	t_checkpoint
	t_expect_images $n
	before=$(sums)

	touch "$T/open-bad"
	t_wait "$T_TIMEOUT" "BAD-OPENED in app.log" has_line BAD-OPENED
	t_log "checkpoint that must fail"
	t_checkpoint_fails "with a netlink socket open"
	out=$CKPT_OUT
	while read -r _ _ pid _ fd kind; do
		grep -qF "process $pid (fd_refused)" <<<"$out" ||
			t_fail "the failure does not name process $pid (fd_refused)"
		grep -qF "fd $fd is $kind" <<<"$out" ||
			t_fail "the failure does not say 'fd $fd is $kind'"
		t_log "named: process $pid, fd $fd ($kind)"
	done < <(grep -a '^BAD-OPEN ' "$T/app.log")
	for fd in 3 4 5 6 7 8; do
		grep -qF "fd $fd is" <<<"$out" && t_fail "harmless fd $fd was refused"
	done
	[ "$(grep -o 'FAILED=[0-9]' <<<"$out" | wc -l)" -eq 1 ] ||
		t_fail "expected one FAILED= line (the process with the bad fds)"
	[ "$before" = "$(sums)" ] || t_fail "previous images changed:
$before
$(sums)"
	ls "$COORD_CKPTDIR" | grep -q tmp && t_fail "temporary files left: $(ls "$COORD_CKPTDIR")"
	t_wait "$T_TIMEOUT" "the program to run on" t_peers_running $n

	touch "$T/close-bad"
	t_wait "$T_TIMEOUT" "BAD-CLOSED in app.log" has_line BAD-CLOSED
	t_checkpoint
	[ "$before" != "$(sums)" ] || t_fail "the new images were not written"
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" fd_refused 1
}

both() { t_modes scenario && t_modes scenario fork; }

t_main both
