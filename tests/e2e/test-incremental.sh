#!/bin/bash
# test-incremental.sh - incremental images (dmtcp_launch --incremental):
# tests/progs/heap_pattern (50 MB of blocks churned all the time: freed,
# reallocated, refilled, mmap'd and munmap'd by malloc) checkpointed four
# times: a full image, then deltas naming their parent; killed and
# restarted from the newest delta (dmtcp_restart follows the chain); the
# first image after a restart is full, the next a delta again.  Then the
# chain's errors and its merge: the parent of the newest image moved away
# -> dmtcp_restart fails naming it; another image at the parent's name ->
# refused; `dmtcp_inspect merge` folds the chain into a full image that
# restarts, and the program verifies every byte of its 50 MB when it
# stops.  Once with each dirty-page mechanism (DMTCP_DIRTY=uffd, hash),
# gzip and raw, forked (the default) and in place.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

flags_of() { od -An -tu4 -j24 -N4 "$1" | tr -d ' '; }

expect_delta() { # image yes|no
	local f
	f=$(flags_of "$1")
	if [ "$2" = yes ]; then
		(( (f & 2) != 0 )) || t_fail "${1##*/} is not an incremental image (flags $f)"
	else
		(( (f & 2) == 0 )) || t_fail "${1##*/} is an incremental image (flags $f)"
	fi
}

parent_of() { # image -> base name of its parent
	"$BIN/dmtcp_inspect" info "$1" | sed -n 's/^parent: *\([^ ]*\) .*/\1/p'
}

scenario() {
	local cur newest parent out i
	T_LAUNCH_OPTS=(--incremental)
	t_coord_start
	t_launch heap_pattern
	t_wait_ready
	t_checkpoint
	expect_delta "${CKPT_IMAGES[0]}" no
	for i in 1 2 3; do
		sleep 0.3
		t_checkpoint
		expect_delta "${CKPT_IMAGES[0]}" yes
	done
	"$BIN/dmtcp_inspect" info "${CKPT_IMAGES[0]}" | sed -n '/^parent:/,/^chain bytes/p' | sed 's/^/    /'
	"$BIN/dmtcp_inspect" info "${CKPT_IMAGES[0]}" | grep -q '^chain: *4 images' ||
		t_fail "the newest image is not the head of a chain of 4"
	t_kill "$APP_PID"
	t_restart		# the script names the newest delta
	cur=$RST_PID
	t_checkpoint
	expect_delta "${CKPT_IMAGES[0]}" no
	sleep 0.3
	t_checkpoint
	expect_delta "${CKPT_IMAGES[0]}" yes
	newest=${CKPT_IMAGES[0]}
	t_kill "$cur"

	# its parent missing, then replaced by another image: refused
	parent=$(parent_of "$newest")
	[ -n "$parent" ] || t_fail "dmtcp_inspect info names no parent of ${newest##*/}"
	mv "$COORD_CKPTDIR/$parent" "$T/parent.save" || t_fail "cannot move the parent away"
	out=$("$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" "$newest" 2>&1) &&
		t_fail "dmtcp_restart succeeded without the parent image: $out"
	t_log "without its parent: $out"
	grep -q "$parent" <<<"$out" || t_fail "the error does not name the parent $parent"
	cp "$T/parent.save" "$COORD_CKPTDIR/$parent.tmp"
	cp "$(ls "$COORD_CKPTDIR"/ckpt_heap_pattern_*.dmtcp | grep -v "$parent" | head -n 1)" \
		"$COORD_CKPTDIR/$parent"
	out=$("$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" "$newest" 2>&1) &&
		t_fail "dmtcp_restart took another image as the parent: $out"
	t_log "another image as its parent: $out"
	mv "$COORD_CKPTDIR/$parent.tmp" "$COORD_CKPTDIR/$parent"

	# merged into one full image, which restarts
	"$BIN/dmtcp_inspect" merge "$newest" -o "$T/merged.dmtcp" >"$T/merge.out" 2>&1 ||
		t_fail "dmtcp_inspect merge failed: $(cat "$T/merge.out")"
	expect_delta "$T/merged.dmtcp" no
	# the merged image stands alone
	mv "$COORD_CKPTDIR/$parent" "$T/parent.save"
	T_RESTART_CMD=("$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" "$T/merged.dmtcp")
	t_restart
	T_RESTART_CMD=()
	sleep 0.5
	t_finish "$RST_PID" heap_pattern 2
}

uffd() { DMTCP_DIRTY=uffd scenario; }
hash() { DMTCP_DIRTY=hash scenario; }
in_place() { DMTCP_DIRTY=uffd DMTCP_FORKED_CHECKPOINT=0 scenario; }

all() {
	(export DMTCP_GZIP=1 && t_run uffd-gzip uffd) &&
		(export DMTCP_GZIP=0 && t_run uffd-raw uffd) &&
		(export DMTCP_GZIP=1 && t_run hash-gzip hash) &&
		(export DMTCP_GZIP=0 && t_run in-place-raw in_place)
}

t_main all
