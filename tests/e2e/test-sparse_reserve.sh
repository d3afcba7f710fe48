#!/bin/bash
# test-sparse_reserve.sh - tests/progs/sparse_reserve (2 GiB of mostly
# untouched address space) through 2 checkpoint/restart cycles, gzip and
# raw; every image must stay under 64 MiB.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

MAX_IMAGE=$((64 * 1024 * 1024))

check_image_size() {
	local img size
	for img in "${CKPT_IMAGES[@]}"; do
		size=$(stat -c %s "$img")
		t_log "image ${img##*/}: $size bytes"
		[ "$size" -lt "$MAX_IMAGE" ] ||
			t_fail "image $img is $size bytes, expected < $MAX_IMAGE (untouched/PROT_NONE pages saved?)"
	done
}

scenario() {
	T_AFTER_CKPT=check_image_size
	t_cycles sparse_reserve 2
}

t_main t_modes scenario
