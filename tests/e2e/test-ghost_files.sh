#!/bin/bash
# test-ghost_files.sh - deleted files that are still open (doc/files.md),
# with tests/progs/ghost_files (two processes), gzip and raw images:
#  cycles: a tmpfile(), an open+unlink file (offset in the middle, a
#     dup), an O_TMPFILE|O_APPEND one, a read-only one, a sparse one and
#     one mapped MAP_SHARED come back through 2 checkpoint/restart
#     cycles still unlinked, in their directory, with their contents,
#     sizes, offsets and flags, one description shared with the child,
#     the mapping and the fd one file; the program reads on and extends
#     them after each restart and checks everything itself.
#  limit: with --ghost-limit 1M, a deleted file with 3 MB of data makes
#     the checkpoint fail with a message naming the process, the fd and
#     the file; the previous images stay; once it shrinks, checkpoints
#     work again and the restart runs.
#  drop: with --ghost-over-limit drop that checkpoint is written, with
#     a warning; dmtcp_restart --no-placeholder-files refuses it (naming
#     image, fd and file), a plain restart brings the file back empty
#     and unlinked, and says so.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

has_line() { grep -aq "^$1" "$T/app.log"; }

cycles() {
	export T_NPEERS=2
	t_cycles ghost_files 2
}

limit() {
	local before out fd pid
	export T_NPEERS=2 GHOST_BIG=3000000
	T_LAUNCH_OPTS=(--ghost-limit 1M)
	t_coord_start
	t_launch ghost_files
	t_wait_ready
	t_checkpoint
	before=$(t_ckpt_sums)
	touch "$T/grow"
	t_wait "$T_TIMEOUT" "GROWN in app.log" has_line GROWN
	fd=$(sed -n 's/^GROWN fd=\([0-9]*\) .*/\1/p' "$T/app.log")
	t_log "checkpoint that must fail (fd $fd holds 3 MB, limit 1 MiB)"
	t_checkpoint_fails "over the ghost limit"
	out=$CKPT_OUT
	pid=$APP_PID
	grep -qF "process $pid (ghost_files)" <<<"$out" ||
		t_fail "the failure does not name process $pid (ghost_files)"
	grep -qF "fd $fd is the deleted file $T/#" <<<"$out" ||
		t_fail "the failure does not name fd $fd and the file in $T"
	grep -qF "more than the ghost limit of 1048576 bytes" <<<"$out" ||
		t_fail "the failure does not give the limit"
	grep -qF -- "--ghost-limit" <<<"$out" ||
		t_fail "the failure does not say how to raise the limit"
	[ "$(grep -o 'FAILED=[0-9]' <<<"$out" | wc -l)" -eq 1 ] ||
		t_fail "expected one FAILED= line"
	[ "$before" = "$(t_ckpt_sums)" ] || t_fail "the previous images changed"
	t_wait "$T_TIMEOUT" "the program to run on" t_peers_running 2
	touch "$T/shrink"
	t_wait "$T_TIMEOUT" "SHRUNK in app.log" has_line SHRUNK
	t_checkpoint
	[ "$before" != "$(t_ckpt_sums)" ] || t_fail "the new images were not written"
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" ghost_files 1
}

drop() {
	local out rc fd
	export T_NPEERS=2 GHOST_BIG=3000000 GHOST_BIG_DROPPED=1
	T_LAUNCH_OPTS=(--ghost-limit 1M --ghost-over-limit drop)
	t_coord_start
	t_launch ghost_files
	t_wait_ready
	touch "$T/grow"
	t_wait "$T_TIMEOUT" "GROWN in app.log" has_line GROWN
	fd=$(sed -n 's/^GROWN fd=\([0-9]*\) .*/\1/p' "$T/app.log")
	t_checkpoint
	grep -q "fd $fd is the deleted file $T/#.*not saved" "$T/app.err" ||
		t_fail "no warning that the contents of fd $fd are not saved"
	t_kill "$APP_PID"
	t_log "dmtcp_restart --no-placeholder-files: must refuse"
	timeout -k 5 "$T_TIMEOUT" "$BIN/dmtcp_restart" -p "$COORD_PORT" \
		--join-coordinator --no-placeholder-files "${CKPT_IMAGES[@]}" \
		</dev/null >"$T/refused.log" 2>&1
	rc=$?
	sed 's/^/    | /' "$T/refused.log"
	[ $rc -ne 124 ] || t_fail "dmtcp_restart --no-placeholder-files hung"
	[ $rc -ne 0 ] || t_fail "dmtcp_restart --no-placeholder-files succeeded"
	grep -qF "${CKPT_IMAGES[0]}: fd $fd: the contents of the deleted file $T/#" \
		"$T/refused.log" ||
		grep -qF "${CKPT_IMAGES[1]}: fd $fd: the contents of the deleted file $T/#" \
			"$T/refused.log" ||
		t_fail "the refusal does not name the image, fd $fd and the file"
	grep -q "no-placeholder-files" "$T/refused.log" ||
		t_fail "the refusal does not name the option"
	t_peers 0 || t_fail "processes joined although the restart was refused"
	t_restart
	grep -q "deleted file $T/#.*comes back empty" "$T/restart.1.log" ||
		t_fail "the restart does not say the file comes back empty"
	t_wait "$T_TIMEOUT" "BIG-EMPTY from the restarted program" \
		has_line BIG-EMPTY
	t_finish "$RST_PID" ghost_files 1
}

all() {
	t_modes cycles && t_modes limit && t_run drop drop
}

t_main all
