#!/bin/bash
# test-image-chain.sh - dmtcp_inspect on synthetic chains of incremental
# images (tests/progs/chain_gen: a full image and two deltas, gzip and
# raw): info shows the image id, parent and chain; merge writes the full
# image the chain stands for (equal, from its first record on, to the one
# chain_gen expects), never over an existing file; the memory commands
# read through the chain; a broken chain (parent missing, another image
# at its name, a corrupt parent) exits 2 naming both files.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

INSP=$BIN/dmtcp_inspect
GEN=$PROGS/chain_gen

t_insp() { # EXPECTED_RC OUTFILE ARGS...
	local want=$1 out=$2 rc
	shift 2
	timeout -k 2 "$T_TIMEOUT" "$INSP" "$@" >"$out" 2>"$out.err"
	rc=$?
	[ $rc -eq "$want" ] ||
		t_fail "dmtcp_inspect $* exited $rc, expected $want: $(head -c 600 "$out.err") $(head -c 600 "$out")"
}

t_has() { # file pattern what
	grep -qE -- "$2" "$1" || t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 1500 "$1")"
}

scenario() {
	local mode=raw gz="" d=$T/c d2=$T/other x1 x2 x3 exp
	[ "${DMTCP_GZIP:-}" = 1 ] && mode=gzip gz=gzip
	t_have "$INSP"
	t_have "$GEN"
	mkdir -p "$d" "$d2"
	"$GEN" "$d" ckpt_x $gz >/dev/null || t_fail "chain_gen failed"
	x1=$d/ckpt_x_00001.dmtcp x2=$d/ckpt_x_00002.dmtcp x3=$d/ckpt_x_00003.dmtcp
	exp=$d/ckpt_x-expected.dmtcp

	# info: the id, the parent, the chain
	t_insp 0 "$T/info1.out" info "$x1"
	t_has "$T/info1.out" "^image id: +[0-9a-f]{32}$" "info id"
	grep -q "^parent:" "$T/info1.out" && t_fail "a full image with a parent"
	t_insp 0 "$T/info3.out" info "$x3"
	t_has "$T/info3.out" "^format: +v3, $mode, incremental$" "info format"
	t_has "$T/info3.out" "^parent: +ckpt_x_00002.dmtcp \(generation 2, depth 2\)$" "info parent"
	t_has "$T/info3.out" "^chain: +3 images, newest first$" "info chain"
	t_has "$T/info3.out" "^  $x1  generation 1  id [0-9a-f]{32}  full$" "info chain tail"
	t_has "$T/info3.out" "^chain bytes: +$((4096 * 20)) " "info chain bytes"
	t_insp 0 "$T/info3.json" --json info "$x3"
	python3 - "$T/info3.json" <<'PY' || t_fail "info --json of a delta image"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["incremental"] is True, d
assert d["parent"]["name"] == "ckpt_x_00002.dmtcp" and d["parent"]["depth"] == 2, d
assert [c["generation"] for c in d["chain"]] == [3, 2, 1], d
assert d["chain"][1]["image_id"] == d["parent"]["image_id"], d
assert d["chain_bytes"] == 20 * 4096, d
PY

	# merge: the expected full image; raw with --raw, else as the chain
	t_insp 0 "$T/merge.out" merge --raw "$x3" -o "$T/m.dmtcp"
	t_has "$T/merge.out" "3 images merged into a full raw image, $((4096 * 20)) bytes" "merge output"
	cmp -s <(tail -c +4097 "$T/m.dmtcp") <(tail -c +4097 "$exp") ||
		t_fail "the merged image differs from the expected one"
	t_insp 0 "$T/minfo.out" info "$T/m.dmtcp"
	t_has "$T/minfo.out" "^format: +v3, raw$" "merged format"
	t_has "$T/minfo.out" "^generation: +3$" "merged generation"
	t_insp 0 "$T/merge2.out" merge "$x3" -o "$T/mz.dmtcp"
	t_has "$T/merge2.out" "full $mode image" "merge keeps compression"
	# and that one, a chain of one, merges to the same raw image again
	t_insp 0 "$T/merge3.out" merge --raw "$T/mz.dmtcp" -o "$T/m2.dmtcp"
	cmp -s <(tail -c +4097 "$T/m2.dmtcp") <(tail -c +4097 "$exp") ||
		t_fail "merging the merged image changed it"
	# never over an existing file
	t_insp 4 "$T/merge4.out" merge "$x3" -o "$T/m.dmtcp"
	t_has "$T/merge4.out.err" "m.dmtcp: File exists \(merge never overwrites a file\)" "merge refusal"
	t_insp 1 "$T/merge5.out" merge "$x3"
	t_has "$T/merge5.out.err" "no output file" "merge without -o"

	# memory through the chain: auxv reads it; diff of the chain and its
	# merge finds no page that differs
	t_insp 0 "$T/diff.out" diff "$x3" "$T/m.dmtcp"
	t_has "$T/diff.out" "; 0 pages differ$" "diff through the chain"
	t_insp 0 "$T/diff1.out" diff "$x1" "$x3"
	t_has "$T/diff1.out" "; [1-9][0-9]* pages? differs?$" "diff of gen 1 and the chain"

	# broken chains: exit 2, both files named
	"$GEN" "$d2" ckpt_x $gz >/dev/null || t_fail "chain_gen failed"
	cp "$x2" "$T/x2.saved"
	cp "$d2/ckpt_x_00002.dmtcp" "$x2"
	t_insp 2 "$T/b1.out" merge "$x3" -o "$T/b1.dmtcp"
	t_has "$T/b1.out.err" "^dmtcp_inspect: $x3: $x2 is not its parent \(image id differs: overwritten\?\)" "another parent"
	[ -e "$T/b1.dmtcp" ] && t_fail "a merge output left after a failure"
	t_insp 2 "$T/b1i.out" info "$x3"
	t_has "$T/b1i.out.err" "is not its parent" "info of a broken chain"
	t_has "$T/b1i.out" "^chain: +broken" "info says broken"
	rm -f "$x2"
	t_insp 2 "$T/b2.out" merge "$x3" -o "$T/b2.dmtcp"
	t_has "$T/b2.out.err" "$x3: its parent $x2 is missing" "missing parent"
	t_insp 2 "$T/b2d.out" auxv "$x3"
	t_has "$T/b2d.out.err" "its parent $x2 is missing" "memory of a broken chain"
	cp "$T/x2.saved" "$x2"
	# a flipped byte in the full image's PROC record
	printf '\x5a' | dd of="$x1" bs=1 seek=$((4096 + 48 + 600)) conv=notrunc 2>/dev/null
	t_insp 2 "$T/b3.out" merge "$x3" -o "$T/b3.dmtcp"
	t_has "$T/b3.out.err" "$x2: its parent $x1 cannot be used: .*CRC mismatch" "corrupt parent"
}

t_main t_modes scenario
