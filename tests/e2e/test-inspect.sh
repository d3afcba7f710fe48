#!/bin/bash
# test-inspect.sh - dmtcp_inspect on real images of tests/progs/inspect_fixture
# (gzip and raw): info fields, thread names, maps with the program and its
# build-id, symbol of a known function, backtrace and a gdb-loaded core
# with the fixture's function names, diff of two checkpoints, exit codes,
# and truncated / bit-flipped images giving exit 2 with a message.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

INSP=$BIN/dmtcp_inspect

# t_insp EXPECTED_RC OUTFILE ARGS...: runs dmtcp_inspect, checks its status
t_insp() {
	local want=$1 out=$2 rc
	shift 2
	timeout -k 2 "$T_TIMEOUT" "$INSP" "$@" >"$out" 2>"$out.err"
	rc=$?
	[ $rc -eq "$want" ] ||
		t_fail "dmtcp_inspect $* exited $rc, expected $want: $(head -c 600 "$out.err")"
}

t_has() { # file pattern what
	grep -qE -- "$2" "$1" || t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 1500 "$1")"
}

scenario() {
	local img1 img2 prog=$PROGS/inspect_fixture f addr n i sz mode=raw
	[ "${DMTCP_GZIP:-}" = 1 ] && mode=gzip
	t_have "$INSP"
	t_coord_start
	t_launch inspect_fixture
	t_wait_ready
	t_checkpoint
	img1=$T/one.dmtcp
	cp "${CKPT_IMAGES[0]}" "$img1"
	sleep 0.3
	t_checkpoint
	img2=$T/two.dmtcp
	cp "${CKPT_IMAGES[0]}" "$img2"

	# info (also the default command) and --json
	t_insp 0 "$T/info.out" "$img1"
	t_has "$T/info.out" "^program: +inspect_fixture$" "info program"
	t_has "$T/info.out" "^pid: +$APP_PID$" "info pid"
	t_has "$T/info.out" "^host: +$(uname -n)$" "info host"
	t_has "$T/info.out" "^threads: +[0-9]+ \(4 application\)" "info threads"
	t_has "$T/info.out" "^format: +v3, $mode$" "info compression"
	t_has "$T/info.out" "^generation: +1$" "info generation"
	t_insp 0 "$T/info.json" --json info "$img1"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["program"]=="inspect_fixture", d' \
		"$T/info.json" || t_fail "info --json is not the expected JSON"

	# threads: the names the fixture gave them
	t_insp 0 "$T/threads.out" threads "$img1"
	for n in fx-alpha fx-beta fx-gamma; do
		t_has "$T/threads.out" " $n " "threads"
	done
	t_has "$T/threads.out" "\[main\]" "threads main"

	# maps: the program with its build-id
	t_insp 0 "$T/maps.out" maps "$img1"
	t_has "$T/maps.out" " $prog build-id=[0-9a-f]{40}" "maps program build-id"
	t_insp 0 "$T/fds.out" fds "$img1"
	t_has "$T/fds.out" "app.log" "fds"
	t_insp 0 "$T/env.out" env "$img1"
	t_has "$T/env.out" "^DMTCP_TEST_MARK=$T$" "env"
	t_insp 0 "$T/auxv.out" auxv "$img1"
	t_has "$T/auxv.out" "^AT_EXECFN .*\"$prog\"" "auxv AT_EXECFN"

	# symbol of the addresses the fixture printed
	for f in fixture_alpha_wait fixture_beta_wait fixture_main_loop; do
		addr=$(sed -n "s/^SYM $f //p" "$T/app.log")
		[ -n "$addr" ] || t_fail "fixture did not print SYM $f"
		t_insp 0 "$T/sym.out" symbol "$img1" "$addr"
		t_has "$T/sym.out" "^$addr: $f\+0x0 \(inspect_fixture.c:[0-9]+\)" "symbol $f"
	done
	t_insp 3 "$T/sym.out" symbol "$img1" 0x10
	t_has "$T/sym.out.err" "not mapped" "symbol of an unmapped address"
	t_insp 1 "$T/sym.out" symbol "$img1" xyz

	# backtrace: each thread in its own fixture functions
	t_insp 0 "$T/bt.out" backtrace "$img1"
	for f in fixture_main_loop fixture_alpha_wait fixture_alpha \
		fixture_beta_wait fixture_beta fixture_gamma_wait fixture_gamma; do
		t_has "$T/bt.out" "^#[0-9]+ +0x[0-9a-f]+ $f\+0x[0-9a-f]+ \(" "backtrace $f"
	done
	t_has "$T/bt.out" "^#[0-9]+ +0x[0-9a-f]+ main\+" "backtrace main"
	t_insp 0 "$T/bt.json" --json bt "$img1"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["threads"])==4' \
		"$T/bt.json" || t_fail "bt --json"

	# core: gdb and eu-stack read it
	t_insp 0 "$T/core.out" core "$img1" -o "$T/core"
	if command -v gdb >/dev/null; then
		timeout -k 2 120 gdb -nx -batch -ex 'info threads' \
			-ex 'thread apply all bt' "$prog" "$T/core" \
			>"$T/gdb.out" 2>&1
		for f in fixture_main_loop fixture_alpha_wait fixture_beta_wait \
			fixture_gamma_wait main; do
			t_has "$T/gdb.out" " $f \(" "gdb bt of the core"
		done
		# the 4 application threads and the checkpoint thread
		[ "$(grep -c '^Thread [0-9]' "$T/gdb.out")" -eq 5 ] ||
			t_fail "gdb does not show 5 threads: $(cat "$T/gdb.out")"
	else
		t_log "gdb not installed: core not checked with gdb"
	fi
	if command -v eu-stack >/dev/null; then
		timeout -k 2 60 eu-stack --core "$T/core" -e "$prog" >"$T/eu.out" 2>&1
		t_has "$T/eu.out" "fixture_alpha_wait" "eu-stack --core"
	fi
	t_insp 1 "$T/core.out" core "$img1"

	# diff: the main loop rewrites a page of its buffer every round
	t_insp 0 "$T/diff.out" diff "$img1" "$img2"
	t_has "$T/diff.out" "^areas: 0 added, 0 removed, [1-9][0-9]* changed; [1-9][0-9]* pages? differs?" "diff"
	# ... and some of those pages are in the buffer the fixture rewrites
	t_insp 0 "$T/diff.json" --json diff "$img1" "$img2"
	python3 - "$T/diff.json" $(sed -n 's/^BUF //p' "$T/app.log") <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
lo = int(sys.argv[2], 16)
hi = lo + int(sys.argv[3])
hits = [r for a in d["areas"] for r in a.get("ranges", [])
        if int(r[0], 16) < hi and int(r[1], 16) > lo]
sys.exit(0 if hits and d["pages_differ"] > 0 else 1)
PY
		t_fail "diff --json: no changed page in the fixture's buffer: $(cat "$T/diff.json")"
	t_insp 0 "$T/diff0.out" diff "$img1" "$img1"
	t_has "$T/diff0.out" "^areas: 0 added, 0 removed, 0 changed; 0 pages differ" "diff of an image with itself"

	# usage and bad images
	t_insp 1 "$T/u.out" nosuchcommand
	t_insp 0 "$T/u.out" --help
	t_insp 2 "$T/u.out" info "$T/none.dmtcp"
	sz=$(stat -c %s "$img1")
	head -c $((sz / 2)) "$img1" >"$T/trunc.dmtcp"
	t_insp 2 "$T/u.out" threads "$T/trunc.dmtcp"
	t_has "$T/u.out.err" "truncated|corrupt" "truncated image message"
	# bit flips all over the file: never a crash, only 0 or 2
	for ((i = 0; i < 25; i++)); do
		cp "$img1" "$T/flip.dmtcp"
		printf '\xa5\x5a' | dd of="$T/flip.dmtcp" bs=1 conv=notrunc \
			seek=$(( (RANDOM * 32768 + RANDOM) % sz )) status=none
		for c in info threads maps bt "core -o $T/flip.core" "diff $img1"; do
			timeout -k 2 "$T_TIMEOUT" "$INSP" $c "$T/flip.dmtcp" \
				>/dev/null 2>"$T/flip.err"
			n=$?
			case $n in
			0) ;;
			2) [ -s "$T/flip.err" ] || t_fail "exit 2 without a message ($c)" ;;
			*) cp "$T/flip.dmtcp" "$T/flip-bad.dmtcp"
			   t_fail "dmtcp_inspect $c on a bit-flipped image exited $n" ;;
			esac
		done
	done
	t_kill "$APP_PID"
}

t_main t_modes scenario
