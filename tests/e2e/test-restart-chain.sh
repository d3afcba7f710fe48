#!/bin/bash
# test-restart-chain.sh - dmtcp_restart follows an incremental image's
# chain: every checkpoint of tests/progs/heap_pattern is split by
# tests/progs/chain_split into a full parent with every third page
# garbage and a delta child holding those pages again (zero pages as
# IMG_PF_ZERO), and the restart is from the child only; the program
# checks its memory after each of 2 cycles (gzip and raw images).  With
# the parent gone, or another image at its name, dmtcp_restart refuses
# before anything starts, naming both files.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

SPLIT=$PROGS/chain_split

split_hook() {
	local img=${CKPT_IMAGES[0]} d=$T/chain$T_CYCLE
	mkdir -p "$d"
	CHILD=$d/ckpt_heap_child.dmtcp
	PARENT=$d/ckpt_heap_parent.dmtcp
	"$SPLIT" "$img" "$PARENT" "$CHILD" || t_fail "chain_split $img failed"
	[ -e "$img.ipc" ] && cp "$img.ipc" "$CHILD.ipc"
	"$BIN/dmtcp_inspect" diff "$PARENT" "$CHILD" >"$d/diff.out" 2>&1 ||
		t_fail "dmtcp_inspect diff: $(cat "$d/diff.out")"
	grep -qE "; [1-9][0-9]* pages? differs?$" "$d/diff.out" ||
		t_fail "the parent holds the same memory as its child: $(head -3 "$d/diff.out")"
	T_RESTART_CMD=("$BIN/dmtcp_restart" "$CHILD")
}

refuse_hook() {
	local out=$T/refused.$T_CYCLE rc
	[ "$T_CYCLE" = 1 ] || return 0
	mv "$PARENT" "$PARENT.away"
	timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_restart" "$CHILD" >"$out" 2>&1
	rc=$?
	[ $rc -eq 1 ] || t_fail "dmtcp_restart without the parent exited $rc: $(cat "$out")"
	grep -qF "$CHILD: its parent $PARENT is missing" "$out" ||
		t_fail "no clear message without the parent: $(cat "$out")"
	# another image at the parent's name: the checkpoint's own image
	cp "${CKPT_IMAGES[0]}" "$PARENT"
	timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_restart" "$CHILD" >"$out" 2>&1
	rc=$?
	[ $rc -eq 1 ] || t_fail "dmtcp_restart with a wrong parent exited $rc: $(cat "$out")"
	grep -qF "$CHILD: $PARENT is not its parent (image id differs" "$out" ||
		t_fail "no clear message with a wrong parent: $(cat "$out")"
	t_peers 0 || t_fail "a refused restart left peers at the coordinator"
	mv "$PARENT.away" "$PARENT"
}

scenario() {
	t_have "$SPLIT"
	T_AFTER_CKPT=split_hook
	T_AFTER_KILL=refuse_hook
	t_cycles heap_pattern 2
}

t_main t_modes scenario
