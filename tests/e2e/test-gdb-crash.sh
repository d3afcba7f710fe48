#!/bin/bash
# test-gdb-crash.sh - a crash snapshot under `dmtcp_restart --gdb`:
# tests/progs/list_corrupt K (--ckpt-on-crash) dies of SIGSEGV walking a
# list whose pool[5].next the bug set to 0x10; restarted under gdb with
# the helpers, `dmtcp restored` names the image and the recorded signal
# (SIGSEGV, code SEGV_MAPERR, address 0x10) and selects the faulting frame
# (walk, at the line that dereferences the node), whose `n` is 0x10; `bt`
# starts there, without the toolkit's crash and checkpoint handlers.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 4000 "$1")"
}

t_gdb_done() { # log pid
	grep -q 'killed\]' "$1" && return 0
	t_alive "$2" || return 0
	return 1
}

scenario() {
	local img line rpid
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	t_coord_start
	T_LAUNCH_OPTS=(--ckpt-on-crash)
	t_launch list_corrupt 20
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "list_corrupt (it crashes)"
	img=$(ls "$T"/ckpt/ckpt_list_corrupt_*_crash.dmtcp 2>/dev/null | head -n 1)
	[ -f "$img" ] || t_fail "no crash image in $T/ckpt: $(ls "$T/ckpt")"

	t_log "dmtcp_restart --gdb $img"
	"$BIN/dmtcp_restart" --gdb "$img" -- -batch -ex 'printf "MARK bt\n"' \
		-ex 'bt' -ex 'printf "MARK end\n"' -ex 'print n' -ex 'kill' \
		</dev/null >"$T/gdb.log" 2>&1 &
	rpid=$!
	t_track "$rpid"
	t_wait "$T_TIMEOUT" "gdb to finish" t_gdb_done "$T/gdb.log" "$rpid"
	sed 's/^/    | /' "$T/gdb.log" | grep -vE 'New LWP|libthread_db'

	t_has "$T/gdb.log" "^dmtcp: restored from ${img//./\\.}" "the image"
	t_has "$T/gdb.log" '^dmtcp: the snapshot is a crash: SIGSEGV \(code 1\) at address 0x10 in thread [0-9]+' "the recorded signal"
	line=$(grep -n 'sum += n->value' "$DMTCP_SRCDIR/tests/progs/list_corrupt.c" | cut -d: -f1)
	t_has "$T/gdb.log" "^#[0-9]+ +walk \\(\\) at .*list_corrupt\\.c:$line\$" "the faulting frame selected"
	sed -n '/^MARK bt$/,/^MARK end$/p' "$T/gdb.log" >"$T/bt.txt"
	t_has "$T/bt.txt" "^#[0-9]+ +walk \\(\\) at .*list_corrupt\\.c:$line\$" "bt starts at the fault"
	grep -qE 'ckpt_handler|signal handler called|src/preload' "$T/bt.txt" &&
		t_fail "bt shows the toolkit's frames: $(cat "$T/bt.txt")"
	t_has "$T/gdb.log" '^\$1 = \(struct node \*\) 0x10$' "n at the fault"
	t_log "crash: SIGSEGV at 0x10, walk () line $line selected"
}

t_main t_run crash scenario
