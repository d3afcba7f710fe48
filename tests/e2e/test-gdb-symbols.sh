#!/bin/bash
# test-gdb-symbols.sh - util/gdb-add-symbol-file on tests/progs/gdb_fixture:
#  (d) for a live pid and for a checkpoint image the output has an
#      `add-symbol-file <fixture path> 0x<addr>` line whose address lies in
#      the fixture's executable mapping (from /proc/PID/maps, resp.
#      `dmtcp_inspect maps --json`), a libc line, and --help works; the
#      commands give gdb the fixture's function names when it cannot read
#      the target's files itself (sysroot pointing nowhere).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}
ASF=$DMTCP_SRCDIR/util/gdb-add-symbol-file

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 3000 "$1")"
}

# t_in_range ADDR "START-END"...: true when ADDR is inside one range
t_in_range() {
	local a=$(($1)) r s e
	shift
	for r in "$@"; do
		s=$((0x${r%-*}))
		e=$((0x${r#*-}))
		[ "$a" -ge "$s" ] && [ "$a" -lt "$e" ] && return 0
	done
	return 1
}

t_check_output() { # file what ranges...
	local f=$1 what=$2 addr
	shift 2
	t_has "$f" "^add-symbol-file ${PROGS//./\\.}/gdb_fixture 0x[0-9a-f]+$" "$what: fixture"
	t_has "$f" '^add-symbol-file /.*/libc\.so\.6 0x[0-9a-f]+$' "$what: libc"
	t_has "$f" '^add-symbol-file /.*/libdmtcp\.so 0x[0-9a-f]+$' "$what: libdmtcp"
	addr=$(sed -n "s|^add-symbol-file $PROGS/gdb_fixture ||p" "$f")
	t_in_range "$addr" "$@" ||
		t_fail "$what: .text address $addr of the fixture is outside its executable mappings $*"
	t_log "$what: fixture .text at $addr (in $*)"
}

scenario() {
	local img pid ranges
	[ -x "$ASF" ] || t_fail "$ASF missing or not executable"
	"$ASF" --help >"$T/help.out" 2>&1 || t_fail "--help exited $?"
	t_has "$T/help.out" 'add-symbol-file' "--help"
	"$ASF" >"$T/noarg.out" 2>&1 && t_fail "no argument should be an error"

	t_coord_start
	t_launch gdb_fixture
	t_wait_ready
	t_checkpoint
	img=${CKPT_IMAGES[0]}
	pid=$APP_PID

	# live pid
	timeout -k 2 "$T_TIMEOUT" "$ASF" "$pid" >"$T/pid.out" 2>&1 ||
		t_fail "gdb-add-symbol-file $pid exited $?: $(cat "$T/pid.out")"
	mapfile -t ranges < <(awk -v p="$PROGS/gdb_fixture" \
		'$2 ~ /x/ && $6 == p { print $1 }' "/proc/$pid/maps")
	[ ${#ranges[@]} -ge 1 ] || t_fail "no executable mapping of the fixture in /proc/$pid/maps"
	t_check_output "$T/pid.out" "pid $pid" "${ranges[@]}"

	# image (the same process: same addresses)
	DMTCP_BINDIR=$BIN timeout -k 2 "$T_TIMEOUT" "$ASF" --image "$img" \
		>"$T/img.out" 2>&1 ||
		t_fail "gdb-add-symbol-file --image exited $?: $(cat "$T/img.out")"
	mapfile -t ranges < <("$BIN/dmtcp_inspect" maps --json "$img" |
		python3 -c '
import json, sys
p = sys.argv[1]
for a in json.load(sys.stdin)["areas"]:
    if a.get("path") == p and "x" in a.get("perms", ""):
        print("%x-%x" % (int(a["start"], 16), int(a["end"], 16)))
' "$PROGS/gdb_fixture")
	[ ${#ranges[@]} -ge 1 ] || t_fail "no executable area of the fixture in the image"
	t_check_output "$T/img.out" "image" "${ranges[@]}"
	cmp -s "$T/pid.out" "$T/img.out" ||
		t_fail "pid and image output differ: $(diff "$T/pid.out" "$T/img.out")"

	# gdb with no access to the files but these commands names the frames
	if command -v "$GDB" >/dev/null; then
		timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch -nx \
			-iex 'set sysroot /nonexistent' -x "$T/pid.out" \
			-p "$pid" -ex 'thread apply all bt' \
			</dev/null >"$T/gdb-syms.log" 2>&1
		t_has "$T/gdb-syms.log" '\bgdbfx_main_loop \(' "gdb with add-symbol-file"
		t_has "$T/gdb-syms.log" '\bgdbfx_wait_one \(' "gdb with add-symbol-file"
	fi
	t_finish "$pid" gdb_fixture 0
}

t_main t_run symbols scenario
