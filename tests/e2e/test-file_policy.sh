#!/bin/bash
# test-file_policy.sh - files that change on disk between a checkpoint
# and a restart (doc/files.md), with tests/progs/open_files, which writes
# a log (O_APPEND, mode 0640), rewrites records of data.bin, has read
# input.bin up to 32768 and holds sub/kept.dat:
#  rotate (gzip and raw): the log is renamed after the checkpoint (log
#     rotation): the restart recreates log.txt at its path, empty, mode
#     0640, and says so; the program writes on from the line after the
#     checkpoint (log.txt holds exactly those lines, the rotated file
#     the older ones);
#  delete: the same with the log deleted;
#  saved: with dmtcp_launch --ckpt-open-files the renamed log comes back
#     with its lines up to the checkpoint, so the log has no gap;
#  overwrite: with --ckpt-open-files, data.bin is changed after the
#     checkpoint: a restart leaves it as it is and says so (the program
#     sees the change); a second restart from the same images with
#     --allow-file-overwrite (raw: DMTCP_ALLOW_FILE_OVERWRITE=1) puts back
#     the checkpointed contents (the program finds exactly what it wrote);
#  shrunk: input.bin is truncated below the offset: the restart names the
#     file and both sizes; the program keeps its offset and reads EOF;
#  refuse: sub/ is removed: dmtcp_restart --no-placeholder-files fails,
#     naming the image, the fd and the file, and nothing runs; a plain
#     restart says /dev/null takes its place, and the program sees it.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

has_line() { grep -aq "^$1" "$T/app.log"; }

# check_lines FILE FIRST LAST: FILE holds "line FIRST" .. "line LAST"
check_lines() {
	local f=$1 first=$2 last=$3 n
	[ -f "$f" ] || t_fail "$f does not exist"
	n=$(wc -l <"$f")
	[ "$n" -eq $((last - first + 1)) ] ||
		t_fail "$f has $n lines, expected $first..$last: $(head -3 "$f" | tr '\n' ' ')... $(tail -2 "$f" | tr '\n' ' ')"
	seq "$first" "$last" | sed 's/^/line /' | cmp -s - "$f" ||
		t_fail "$f is not lines $first..$last: $(head -3 "$f" | tr '\n' ' ')"
	t_log "$(basename "$f"): lines $first..$last"
}

# one checkpoint, HOOK between kill and restart, restart (ARGS), stop
one_cycle() { # hook [restart args...]
	local hook=$1
	shift
	t_coord_start
	t_launch open_files
	t_wait_ready
	t_checkpoint
	t_kill "$APP_PID"
	$hook
	t_restart "$@"
	t_finish "$RST_PID" open_files 1
	RESUMED=$(sed -n 's/^RESUMED next=//p' "$T/app.log" | tail -1)
	LAST=$(sed -n 's/^LAST line=//p' "$T/app.log" | tail -1)
	[ -n "$RESUMED" ] && [ -n "$LAST" ] ||
		t_fail "no RESUMED/LAST line from the program"
	t_log "the program resumed at line $RESUMED, last line $LAST"
}

rotate_hook() { mv "$T/log.txt" "$T/log.txt.1"; }

rotate() {
	one_cycle rotate_hook
	check_lines "$T/log.txt" "$RESUMED" "$LAST"
	[ "$(stat -c '%a %u' "$T/log.txt")" = "640 $(id -u)" ] ||
		t_fail "log.txt recreated with mode/owner $(stat -c '%a %u' "$T/log.txt")"
	grep -qF "$T/log.txt was deleted or renamed since the checkpoint: recreated at its path (mode 0640) empty" \
		"$T/restart.1.log" || t_fail "the restart does not say log.txt was recreated empty"
	# the killed process wrote on into the rotated file: 1.. past the
	# checkpoint
	[ "$(head -1 "$T/log.txt.1")" = "line 1" ] ||
		t_fail "log.txt.1 does not start with line 1"
	grep -qx "line $((RESUMED - 1))" "$T/log.txt.1" ||
		t_fail "log.txt.1 lacks line $((RESUMED - 1)), the last before the checkpoint"
}

delete_hook() { rm "$T/log.txt"; }

delete() {
	one_cycle delete_hook
	check_lines "$T/log.txt" "$RESUMED" "$LAST"
	grep -qF "$T/log.txt was deleted or renamed since the checkpoint: recreated at its path (mode 0640) empty" \
		"$T/restart.1.log" || t_fail "the restart does not say log.txt was recreated"
}

saved() {
	T_LAUNCH_OPTS=(--ckpt-open-files)
	one_cycle rotate_hook
	grep -qF "$T/log.txt was deleted or renamed since the checkpoint: recreated at its path (mode 0640) with its contents as they were at checkpoint time" \
		"$T/restart.1.log" || t_fail "the restart does not say log.txt was recreated with its contents"
	[ "$(stat -c %a "$T/log.txt")" = 640 ] || t_fail "log.txt mode $(stat -c %a "$T/log.txt")"
	check_lines "$T/log.txt" 1 "$LAST"
}

mark_data() { # writes MARKER over the start of data.bin
	printf 'MARKER' | dd of="$T/data.bin" conv=notrunc status=none ||
		t_fail "cannot write data.bin"
}

overwrite() {
	T_LAUNCH_OPTS=(--ckpt-open-files)
	one_cycle mark_data
	grep -qF "$T/data.bin changed since the checkpoint" "$T/restart.1.log" &&
		grep -qF "left as it is" "$T/restart.1.log" ||
		t_fail "the restart does not say data.bin changed and was left as it is"
	[ "$(head -c 6 "$T/data.bin")" = MARKER ] ||
		t_fail "data.bin was overwritten without --allow-file-overwrite"
	grep -q '^DATA mismatches=[1-9]' "$T/app.log" ||
		t_fail "the program did not see the change to data.bin"
	# the same images again, now putting the files back
	rm -f "$TEST_STOP_FILE"
	touch "$T/strict"
	if [ "${DMTCP_GZIP:-1}" = 1 ]; then
		t_restart --allow-file-overwrite
	else	# the environment variable instead (what gdb's rewind passes)
		export DMTCP_ALLOW_FILE_OVERWRITE=1
		t_restart
		unset DMTCP_ALLOW_FILE_OVERWRITE
	fi
	grep -qF "$T/data.bin changed since the checkpoint: put back as it was then" \
		"$T/restart.2.log" || t_fail "restart 2 does not say data.bin was put back"
	[ "$(head -c 6 "$T/data.bin")" != MARKER ] ||
		t_fail "data.bin still starts with MARKER after --allow-file-overwrite"
	t_finish "$RST_PID" open_files 1
	grep -q '^DATA mismatches=0' "$T/app.log" ||
		t_fail "after --allow-file-overwrite data.bin differs from what the program wrote"
}

shrink_input() {
	truncate -s 10000 "$T/input.bin" && touch "$T/input-truncated"
}

shrunk() {
	one_cycle shrink_input
	has_line "INPUT-EOF offset=32768" ||
		t_fail "the program did not keep offset 32768 with EOF there"
	grep -qF "fd $(input_fd): $T/input.bin is now 10000 bytes, shorter than the offset 32768" \
		"$T/restart.1.log" || t_fail "the restart does not report input.bin shorter than its offset"
}

input_fd() {
	"$BIN/dmtcp_inspect" fds "${CKPT_IMAGES[0]}" |
		awk -v p="$T/input.bin" '$NF == p { print $1; exit }'
}

refuse() {
	local rc fd
	t_coord_start
	t_launch open_files
	t_wait_ready
	fd=$(sed -n 's/^SUBFD=//p' "$T/app.log")
	t_checkpoint
	t_kill "$APP_PID"
	rm -rf "$T/sub"
	t_log "restart with --no-placeholder-files: must fail"
	timeout -k 5 "$T_TIMEOUT" "$COORD_CKPTDIR/dmtcp_restart_script.sh" \
		--no-placeholder-files </dev/null >"$T/refused.log" 2>&1
	rc=$?
	sed 's/^/    | /' "$T/refused.log"
	[ $rc -ne 124 ] || t_fail "the refused restart hung"
	[ $rc -ne 0 ] || t_fail "dmtcp_restart --no-placeholder-files succeeded"
	grep -qF "${CKPT_IMAGES[0]}: fd $fd: cannot reopen $T/sub/kept.dat" \
		"$T/refused.log" || t_fail "the refusal does not name image, fd $fd and file"
	grep -qF -- "--no-placeholder-files" "$T/refused.log" ||
		t_fail "the refusal does not name the option"
	t_peers 0 || t_fail "a process joined although the restart was refused"
	grep -q '^RESUMED' "$T/app.log" && t_fail "the program ran"
	touch "$T/sub-gone"
	t_restart
	grep -qF "fd $fd: cannot reopen $T/sub/kept.dat" "$T/restart.1.log" &&
		grep -qF "reads /dev/null from it instead" "$T/restart.1.log" ||
		t_fail "the restart does not say /dev/null replaces sub/kept.dat"
	t_finish "$RST_PID" open_files 1
	has_line SUB-PLACEHOLDER || t_fail "the program did not see the placeholder"
}

all() {
	t_modes rotate && t_run delete delete && t_run saved saved &&
		t_modes overwrite && t_run shrunk shrunk && t_run refuse refuse
}

t_main all
