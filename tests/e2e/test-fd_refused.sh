#!/bin/bash
# test-fd_refused.sh - a checkpoint of a process holding a descriptor that
# cannot be restored (a netlink socket; a userfaultfd where allowed) fails:
# dmtcp_command --bcheckpoint exits non-zero and names the process, the fd
# and the kind; the previous image and restart script stay as they were.
# Harmless kinds (eventfd, epoll, signalfd, timerfd, inotify, pidfd) never
# fail a checkpoint.  Once the bad fds are closed, checkpoints work again
# and the restart runs (the pidfd names the restored process); gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

has_line() { grep -aq "^$1\$" "$T/app.log"; }

scenario() {
	local img sum1 sum2 script1 out rc line fd kind
	t_coord_start
	t_launch fd_refused
	t_wait_ready
	t_checkpoint
	img=${CKPT_IMAGES[0]}
	sum1=$(md5sum <"$img")
	script1=$(md5sum <"$COORD_CKPTDIR/dmtcp_restart_script.sh")

	touch "$T/open-bad"
	t_wait "$T_TIMEOUT" "BAD-OPENED in app.log" has_line BAD-OPENED
	t_log "checkpoint that must fail"
	out=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" \
		-p "$COORD_PORT" --bcheckpoint 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	[ $rc -ne 124 ] || t_fail "--bcheckpoint timed out"
	[ $rc -ne 0 ] || t_fail "--bcheckpoint succeeded with a netlink socket open"
	grep -qF "process $APP_PID (fd_refused)" <<<"$out" ||
		t_fail "the failure does not name process $APP_PID (fd_refused)"
	while read -r _ _ fd kind; do
		grep -qF "fd $fd is $kind" <<<"$out" ||
			t_fail "the failure does not say 'fd $fd is $kind'"
		t_log "named: fd $fd ($kind)"
	done < <(grep -a '^BAD-OPEN ' "$T/app.log")
	for fd in 3 4 5 6 7 8; do
		grep -qF "fd $fd is" <<<"$out" && t_fail "harmless fd $fd was refused"
	done
	sum2=$(md5sum <"$img")
	[ "$sum1" = "$sum2" ] || t_fail "the previous image $img changed"
	[ "$script1" = "$(md5sum <"$COORD_CKPTDIR/dmtcp_restart_script.sh")" ] ||
		t_fail "the restart script changed"
	ls "$COORD_CKPTDIR" | grep -q tmp && t_fail "temporary files left: $(ls "$COORD_CKPTDIR")"
	t_wait "$T_TIMEOUT" "the program to run on" t_peers_running 1

	touch "$T/close-bad"
	t_wait "$T_TIMEOUT" "BAD-CLOSED in app.log" has_line BAD-CLOSED
	t_checkpoint
	[ "$sum1" != "$(md5sum <"$img")" ] || t_fail "the new image was not written"
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" fd_refused 1
}

t_main t_modes scenario
