#!/bin/bash
# test-image-mode.sh - image files: mode 0600, "DMTCPIMG" magic, the gzip
# flag in the header set for gzip images (default, DMTCP_GZIP=1) and clear
# for raw ones (DMTCP_GZIP=0, dmtcp_launch --no-gzip); a raw image of
# compressible data (heap_pattern) is much bigger than the gzip one;
# --ckptdir puts images in that directory.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# header flags: u32 at offset 24 (magic 8, version, header_size, arch,
# page_size)
img_flags() {
	od -An -tu4 -j24 -N4 "$1" | tr -d ' '
}

# one_image MODE-LABEL: launch heap_pattern (T_LAUNCH_OPTS, DMTCP_GZIP as
# set), checkpoint, kill; sets IMG.
one_image() {
	rm -f "$T/app.log"
	t_launch heap_pattern
	t_wait_ready
	t_checkpoint
	[ ${#CKPT_IMAGES[@]} -eq 1 ] || t_fail "expected 1 image, got ${#CKPT_IMAGES[@]}"
	IMG=$T/$1.dmtcp
	cp -p "${CKPT_IMAGES[0]}" "$IMG"
	t_log "$1: ${CKPT_IMAGES[0]##*/} $(stat -c '%s bytes, mode %a' "${CKPT_IMAGES[0]}"), flags $(img_flags "$IMG")"
	t_kill "$APP_PID"
}

scenario() {
	local gz raw nogz fl
	t_coord_start
	export DMTCP_GZIP=1
	one_image gzip
	gz=$(stat -c %s "$IMG")
	fl=$(img_flags "$IMG")
	[ $((fl & 1)) -eq 1 ] || t_fail "DMTCP_GZIP=1 image has flags $fl (gzip bit clear)"

	export DMTCP_GZIP=0
	one_image raw
	raw=$(stat -c %s "$IMG")
	fl=$(img_flags "$IMG")
	[ $((fl & 1)) -eq 0 ] || t_fail "DMTCP_GZIP=0 image has flags $fl (gzip bit set)"

	unset DMTCP_GZIP
	T_LAUNCH_OPTS=(--no-gzip --ckptdir "$T/other")
	one_image nogzip
	T_LAUNCH_OPTS=()
	nogz=$(stat -c %s "$IMG")
	fl=$(img_flags "$IMG")
	[ $((fl & 1)) -eq 0 ] || t_fail "--no-gzip image has flags $fl (gzip bit set)"
	[ "$(dirname "${CKPT_IMAGES[0]}")" = "$T/other" ] ||
		t_fail "--ckptdir $T/other: image written to ${CKPT_IMAGES[0]}"

	t_log "sizes: gzip $gz, raw $raw, --no-gzip $nogz"
	[ "$raw" -gt $((gz * 3 / 2)) ] ||
		t_fail "raw image ($raw bytes) is not clearly bigger than the gzip image ($gz bytes)"
	[ "$nogz" -gt $((gz * 3 / 2)) ] ||
		t_fail "--no-gzip image ($nogz bytes) is not clearly bigger than the gzip image ($gz bytes)"
	[ "$raw" -gt $((40 * 1024 * 1024)) ] ||
		t_fail "raw image of ~50 MB of heap is only $raw bytes"
}

t_main t_run image-mode scenario
