#!/bin/bash
# test-mmap_shrink.sh - mappings that reach past the end of their file
# (tests/progs/mmap_shrink): a file truncated while mapped private and
# shared (the pages past its end must still raise SIGBUS after every
# restart, the others keep their bytes), a file a child process keeps
# shrinking and growing, and (second scenario) a 64 MiB file that a
# process outside the computation shrinks and grows while checkpoints
# read it.  Reading a page past the end of a file used to kill the
# process with SIGBUS at its first checkpoint.  gzip and raw, root and
# unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=2	# the program and its shrinking child

inside() {
	local c cur
	t_coord_start
	t_launch mmap_shrink
	t_wait_ready
	cur=$APP_PID
	for ((c = 1; c <= 2; c++)); do
		t_checkpoint_of "$cur" mmap_shrink
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" mmap_shrink 2
}

shrinker_done() {
	local rc
	touch "$T/stop-shrinker"
	t_wait_exit "$1" "$T_TIMEOUT" "the outside shrinker"
	rc=$T_RC
	[ "$rc" -eq 0 ] || t_fail "the outside shrinker exited $rc: $(cat "$T/shrinker.log")"
	t_log "$(cat "$T/shrinker.log")"
}

outside() {
	local c i cur shr
	t_coord_start
	t_launch mmap_shrink --outside "$T/shrink-c.dat"
	t_wait_ready
	"$PROGS/mmap_shrink" --shrinker "$T/shrink-c.dat" "$T/stop-shrinker" \
		</dev/null >"$T/shrinker.log" 2>&1 &
	shr=$!
	t_track "$shr"
	cur=$APP_PID
	for ((c = 1; c <= 2; c++)); do
		for ((i = 1; i <= 4; i++)); do
			sleep "0.0$((RANDOM % 10))"
			t_checkpoint_of "$cur" mmap_shrink
		done
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	shrinker_done "$shr"
	t_finish "$cur" mmap_shrink 2
}

both() {
	t_run inside inside && t_run outside outside
}

t_main t_modes both
