#!/bin/bash
# test-sysv_ipc.sh - System V shared memory (attached in two processes,
# marked for removal, not attached at all), a semaphore set both
# processes block on, message queues (queued messages in order with their
# types, a queue in use) and two zombie children (exit status 42,
# SIGTERM) keep their ids, contents and statuses across 2 checkpoint/
# kill/restart cycles; the program checks every byte and number
# (tests/progs/sysv_ipc.c).  gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2

# The first run's objects live in the host's IPC namespace: remove them
# (restarted ones die with the restart's namespace).
ipc_cleanup() {
	local line id
	[ -z "${IPC_CLEANED:-}" ] || return 0
	IPC_CLEANED=1
	line=$(grep -a -m1 '^IPC ' "$T/app.log" 2>/dev/null) || return 0
	for id in $(sed -n 's/.*shm=\([0-9,]*\).*/\1/p' <<<"$line" | tr , ' '); do
		ipcrm -m "$id" 2>/dev/null
	done
	for id in $(sed -n 's/.*sem=\([0-9,]*\).*/\1/p' <<<"$line" | tr , ' '); do
		ipcrm -s "$id" 2>/dev/null
	done
	for id in $(sed -n 's/.*msg=\([0-9,]*\).*/\1/p' <<<"$line" | tr , ' '); do
		ipcrm -q "$id" 2>/dev/null
	done
	return 0
}

# Segment D (third shm id of the IPC line) in the host's namespace: its
# resident size after a checkpoint (rss column of /proc/sysvipc/shm).
check_d_rss() {
	local d rss
	d=$(sed -n 's/^IPC shm=[0-9]*,[0-9]*,\([0-9]*\) .*/\1/p' "$T/app.log")
	[ -n "$d" ] || t_fail "no segment D id in app.log"
	rss=$(awk -v id="$d" '$2 == id { print $15 }' /proc/sysvipc/shm)
	[ -n "$rss" ] || t_fail "segment D ($d) not in /proc/sysvipc/shm"
	[ "$rss" -lt 1048576 ] ||
		t_fail "segment D ($d) has $rss resident bytes after the checkpoint"
}

# Without its side file an image that needs one is refused.
no_side_file() {
	mkdir -p "$T/hide" && mv "$COORD_CKPTDIR"/*.ipc "$T/hide/" ||
		t_fail "moving the side files away"
	if timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_restart" "${CKPT_IMAGES[@]}" \
		</dev/null >"$T/noside.log" 2>&1; then
		t_fail "dmtcp_restart ran without the side files"
	fi
	grep -q '\.ipc is missing' "$T/noside.log" ||
		t_fail "no 'is missing' message: $(cat "$T/noside.log")"
	mv "$T/hide/"*.ipc "$COORD_CKPTDIR/"
}

after_ckpt() {
	local f
	ls "$COORD_CKPTDIR"/*.ipc >/dev/null 2>&1 ||
		t_fail "no side file (*.dmtcp.ipc) next to the images"
	# the 64 MiB segment with two pages written stays sparse: in the
	# side files, and in memory (reading it would fill it)
	for f in "$COORD_CKPTDIR"/*.ipc; do
		[ "$(stat -c %s "$f")" -lt 2000000 ] ||
			t_fail "$f is $(stat -c %s "$f") bytes"
	done
	if [ "$T_CYCLE" = 1 ]; then
		check_d_rss
	fi
}

after_kill() {
	ipc_cleanup
	if [ "$T_CYCLE" = 2 ]; then
		no_side_file
	fi
}

scenario() {
	trap 'rc=$?; ipc_cleanup; (exit $rc); t_cleanup' EXIT
	T_AFTER_CKPT=after_ckpt T_AFTER_KILL=after_kill t_cycles sysv_ipc 2
}

t_main t_modes scenario
