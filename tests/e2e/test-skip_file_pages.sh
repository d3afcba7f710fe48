#!/bin/bash
# test-skip_file_pages.sh - dmtcp_launch --skip-file-pages: pages of
# mapped files (the program, libc, the loader) that still equal the file
# are not stored.
#  1. heap_pattern through 2 checkpoint/restart cycles with the option:
#     the restarted program checks all its memory; its libc area is
#     marked file-pages-omitted and stores fewer bytes than it maps; the
#     image is smaller than one of the same program written without the
#     option.
#  2. a copy of the program, checkpointed with the option, then changed
#     (touch): dmtcp_restart refuses the image before starting anything,
#     naming the file, exit status not 0, no process left.
# gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# Size of a fresh image of heap_pattern, launched with T_LAUNCH_OPTS.
fresh_image() {
	rm -f "$TEST_STOP_FILE"
	t_launch heap_pattern
	t_wait_ready
	t_checkpoint
	t_kill "$APP_PID"
}

scenario() {
	local with without maps libc left='' p
	export T_LAUNCH_OPTS=(--skip-file-pages)
	t_cycles heap_pattern 2

	fresh_image
	maps=$("$BIN/dmtcp_inspect" maps "${CKPT_IMAGES[0]}") ||
		t_fail "dmtcp_inspect maps failed"
	libc=$(grep -E 'libc[.-].*file-pages-omitted' <<<"$maps" | head -n 1)
	[ -n "$libc" ] || t_fail "no libc area marked file-pages-omitted: $maps"
	t_log "libc area: $libc"
	with=$(stat -c %s "${CKPT_IMAGES[0]}")
	T_LAUNCH_OPTS=()
	fresh_image
	without=$(stat -c %s "${CKPT_IMAGES[0]}")
	t_log "image with --skip-file-pages: $with bytes, without: $without bytes"
	[ "$with" -lt "$without" ] ||
		t_fail "--skip-file-pages did not make the image smaller ($with vs $without bytes)"

	# 2. the mapped file changes: the restart must refuse
	cp "$PROGS/heap_pattern" "$T/hp_copy"
	"$BIN/dmtcp_launch" --join-coordinator --skip-file-pages "$T/hp_copy" \
		</dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait_ready
	t_checkpoint
	t_kill "$APP_PID"
	touch -d '1 hour ago' "$T/hp_copy"
	RST_N=$((RST_N + 1))
	if timeout 60 "$COORD_CKPTDIR/dmtcp_restart_script.sh" </dev/null \
		>"$T/restart.$RST_N.log" 2>&1; then
		t_fail "the restart of an image whose program changed succeeded: $(cat "$T/restart.$RST_N.log")"
	fi
	grep -q "hp_copy changed" "$T/restart.$RST_N.log" ||
		t_fail "the refusal does not name the changed file: $(cat "$T/restart.$RST_N.log")"
	t_log "refused: $(grep -m1 'skip-file-pages' "$T/restart.$RST_N.log")"
	t_wait "$T_TIMEOUT" "no peers after the refused restart" t_peers 0
	for p in $(t_marked_pids); do
		[ "$p" != "$COORD_PID" ] && t_alive "$p" && left+=" $p"
	done
	[ -z "$left" ] || t_fail "processes left after the refused restart:$left"
}

t_main t_modes scenario
