#!/bin/bash
# test-ckpt-txn-disk.sh - a checkpoint that runs out of disk space fails
# as a whole and leaves the previous generation restartable (doc/design.md,
# "Checkpoint as a transaction").  tests/progs/txn_pair (two processes,
# each with a SysV IPC side file) checkpoints into a small tmpfs.
#  levels: after a first checkpoint, the tmpfs is filled so that only
#          0 bytes, 4 KiB, then 1%, 5%, 20%, 40%, 60% and 85% of that
#          generation's size stay free, and a checkpoint is taken at each
#          level: each fails at another step (a side file, an image, of
#          one process or the other), with a non-zero exit and a FAILED=
#          line saying why; every file of the first generation is
#          untouched and nothing of the failed one is left.  Then the
#          program is killed and restarted from the restart script: both
#          processes come back from the first generation and check their
#          data; with the space free again a checkpoint of the restarted
#          program succeeds and replaces the first generation.
#  script: the images go to another directory (dmtcp_launch --ckptdir)
#          and only the coordinator's directory, where the restart script
#          goes, is full: the commit fails, the new images are removed,
#          and the previous script and images stay.
# A tmpfs needs root: as root both run with a tmpfs of their own, and
# again as the unprivileged user with a tmpfs root mounted for it; without
# root (and no TXN_TMPFS) the test prints SKIP.  gzip and raw images.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"
. "$DMTCP_SRCDIR/tests/e2e/txn-lib.sh"

TMPFS_SIZE=64m

# x_fs DIR: a tmpfs for this scenario (mounted here as root, else the
# one root mounted for us in $TXN_TMPFS, emptied).
x_fs() {
	if [ -n "${TXN_TMPFS:-}" ]; then
		find "$TXN_TMPFS" -mindepth 1 -delete 2>/dev/null
		FS=$TXN_TMPFS
		return 0
	fi
	FS=$T/fs
	mkdir -p "$FS"
	mount -t tmpfs -o size=$TMPFS_SIZE,mode=0700 tmpfs "$FS" ||
		t_fail "mount -t tmpfs $FS"
	FS_MOUNTED=1
	trap 'rc=$?; t_kill_all; x_ipc_cleanup; [ -n "${FS_MOUNTED:-}" ] && umount -l "$FS"; (exit $rc); t_cleanup' EXIT
}

fs_avail() { # bytes free for us on $FS
	local a s
	read -r a s < <(stat -f -c '%a %S' "$FS")
	echo $((a * s))
}

# Leave `free` bytes free on $FS (in whole pages).
fill_to() { # free
	local want=$1 avail
	rm -f "$FS/filler"
	avail=$(fs_avail)
	[ "$avail" -gt "$want" ] || t_fail "only $avail bytes free on $FS, want $want"
	fallocate -l $(((avail - want) / 4096 * 4096)) "$FS/filler" ||
		t_fail "fallocate on $FS"
	t_log "$FS: $(fs_avail) bytes free (asked for $want)"
}

set_bytes() { # bytes of the committed generation's files
	local f total=0
	for f in "${X_IMGDIR:-$COORD_CKPTDIR}"/ckpt_*_"$(printf %05d "$X_GEN")".dmtcp*; do
		total=$((total + $(stat -c %s "$f")))
	done
	echo "$total"
}

scenario_levels() {
	local setb pct free why
	x_fs
	export DMTCP_CHECKPOINT_DIR=$FS
	x_launch coord "$FS"
	x_ckpt_ok
	setb=$(set_bytes)
	t_log "generation $X_GEN: $setb bytes of images and side files"
	for pct in 0 0.1 1 5 20 40 60 85; do
		case $pct in
		0) free=0 ;;
		0.1) free=4096 ;;
		*) free=$((setb * pct / 100)) ;;
		esac
		fill_to "$free"
		x_bckpt
		x_bckpt_rc
		x_expect_failed "No space left on device|cannot create" "checkpoint with $free bytes free"
		why=$(grep -o 'FAILED=.*' <<<"$X_OUT" | head -n 1)
		t_log "$free bytes free: $why"
		x_prev_intact "after the checkpoint with $free bytes free"
		t_wait "$T_TIMEOUT" "the program to run on" t_peers_running 2
	done
	t_log "the program ran on through every failure; kill and restart"
	x_stop_all
	x_restart_to "$X_GEN"
	# space again: the restarted program's checkpoint replaces it all
	rm -f "$FS/filler"
	x_ckpt_ok
	t_finish "$RST_PID" txn_pair 1
}

scenario_script() {
	x_fs
	X_IMGDIR=$T/images
	mkdir -p "$X_IMGDIR"
	export DMTCP_CHECKPOINT_DIR=$X_IMGDIR
	x_launch coord "$FS"
	x_ckpt_ok
	fill_to 0
	x_bckpt
	x_bckpt_rc
	x_expect_failed "restart script not written: .*No space left on device" "checkpoint with no room for the restart script"
	x_prev_intact "after the failed commit"
	t_wait "$T_TIMEOUT" "the program to run on" t_peers_running 2
	x_stop_all
	x_restart_gen "$X_GEN"
}

both() {
	t_run levels scenario_levels && t_run script scenario_script
}

# Root: the scenarios as root, then as $T_TEST_USER in a tmpfs root
# mounts for it (lib.sh's t_main cannot pass it on).  Not root: only with
# a tmpfs of ours in TXN_TMPFS.
main() {
	local fs rc
	if [ "$(id -u)" -ne 0 ]; then
		if [ -z "${TXN_TMPFS:-}" ]; then
			echo "SKIP: needs root to mount a small tmpfs (or TXN_TMPFS=<an empty tmpfs of yours>)"
			exit 0
		fi
		t_modes both
		exit $?
	fi
	[ -n "${TXN_TMPFS:-}" ] && { t_modes both; exit $?; }
	t_modes both || exit 1
	[ -n "${DMTCP_TEST_NO_USER:-}" ] && exit 0
	if ! id "$T_TEST_USER" >/dev/null 2>&1 ||
		! runuser -u "$T_TEST_USER" -- test -x "$BIN/dmtcp_launch" -a -r "$0"; then
		echo "note: $T_TEST_USER missing or without access to $BIN: unprivileged run skipped"
		[ -n "${DMTCP_TEST_REQUIRE_USER:-}" ] && exit 1
		exit 0
	fi
	fs=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-e2e-txfs.XXXXXX") || exit 1
	mount -t tmpfs -o size=$TMPFS_SIZE,mode=0700,uid="$(id -u "$T_TEST_USER")",gid="$(id -g "$T_TEST_USER")" tmpfs "$fs" || {
		rmdir "$fs"
		exit 1
	}
	echo "=== again as $T_TEST_USER (tmpfs $fs)"
	runuser -u "$T_TEST_USER" -- env DMTCP_BUILDDIR="$DMTCP_BUILDDIR" \
		DMTCP_SRCDIR="$DMTCP_SRCDIR" DMTCP_TEST_NO_USER=1 \
		TMPDIR=/tmp PATH="$PATH" T_TIMEOUT="$T_TIMEOUT" \
		T_CKPT_TIMEOUT="$T_CKPT_TIMEOUT" T_SETTLE="$T_SETTLE" \
		TXN_TMPFS="$fs" ${T_KEEP:+T_KEEP=1} ${T_VERBOSE:+T_VERBOSE=1} \
		bash "$0"
	rc=$?
	umount -l "$fs"
	rmdir "$fs"
	exit $rc
}

main
