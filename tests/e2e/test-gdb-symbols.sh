#!/bin/bash
# test-gdb-symbols.sh - util/gdb-add-symbol-file on tests/progs/gdb_fixture:
#  (d) for a live pid and for a checkpoint image the output has an
#      `add-symbol-file <fixture path> 0x<addr>` line whose address lies in
#      the fixture's executable mapping (from /proc/PID/maps, resp.
#      `dmtcp_inspect maps --json`), a libc line, and --help works; the
#      commands give gdb the fixture's function names when it cannot read
#      the target's files itself (sysroot pointing nowhere).  Every
#      allocated section is relocated (-s .data ADDR -s .bss ADDR ...): a
#      gdb given only those commands puts the globals gdbfx_data (.data)
#      and gdbfx_counter (.bss) at load bias + their `nm` address.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}
ASF=$DMTCP_SRCDIR/util/gdb-add-symbol-file
SECS='( -s [^ ]+ 0x[0-9a-f]+)*'

# t_global_addr PID VAR SYMS: gdb, given only the add-symbol-file lines
# (no process, no executable), puts VAR at the load bias of the fixture
# (its mapping of offset 0; PIE: first PT_LOAD at 0) + its nm address
t_global_addr() {
	local pid=$1 var=$2 syms=$3 base nmaddr want got
	base=$(awk -v p="$PROGS/gdb_fixture" '$3 == "00000000" && $6 == p \
		{ split($1, r, "-"); print r[1]; exit }' "/proc/$pid/maps")
	nmaddr=$(nm "$PROGS/gdb_fixture" | awk -v v="$var" '$3 == v { print $1 }')
	[ -n "$base" ] && [ -n "$nmaddr" ] ||
		t_fail "no mapping or nm address for $var (base '$base', nm '$nmaddr')"
	want=$(printf '0x%x' $((0x$base + 0x$nmaddr)))
	"$GDB" -q -batch -nx -x "$syms" -ex "printf \"ADDR %p\\n\", &$var" \
		</dev/null >"$T/addr-$var.log" 2>&1
	got=$(sed -n 's/^ADDR //p' "$T/addr-$var.log")
	[ "$got" = "$want" ] ||
		t_fail "gdb puts $var at '$got' from the add-symbol-file lines, expected $want (bias 0x$base + nm 0x$nmaddr): $(cat "$T/addr-$var.log")"
	t_log "$var at $got = 0x$base + 0x$nmaddr"
}

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
	t_has "$f" "^add-symbol-file ${PROGS//./\\.}/gdb_fixture 0x[0-9a-f]+$SECS$" "$what: fixture"
	t_has "$f" "^add-symbol-file /.*/libc\\.so\\.6 0x[0-9a-f]+$SECS$" "$what: libc"
	t_has "$f" "^add-symbol-file /.*/libdmtcp\\.so 0x[0-9a-f]+$SECS$" "$what: libdmtcp"
	t_has "$f" "^add-symbol-file ${PROGS//./\\.}/gdb_fixture 0x[0-9a-f]+ .*-s \\.data 0x[0-9a-f]+ .*-s \\.bss 0x[0-9a-f]+" "$what: fixture's .data and .bss"
	addr=$(sed -n "s|^add-symbol-file $PROGS/gdb_fixture \([^ ]*\).*|\1|p" "$f")
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
		grep "^add-symbol-file $PROGS/gdb_fixture " "$T/pid.out" \
			>"$T/fixture.gdb"
		t_global_addr "$pid" gdbfx_data "$T/fixture.gdb"	# .data
		t_global_addr "$pid" gdbfx_counter "$T/fixture.gdb"	# .bss
		# and the values read through them in the live process
		timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch -nx \
			-x "$T/pid.out" -p "$pid" \
			-ex 'printf "DATA %lu\n", gdbfx_data' \
			</dev/null >"$T/gdb-data.log" 2>&1
		t_has "$T/gdb-data.log" '^DATA 4242$' "gdbfx_data read at the relocated .data"
	fi
	t_finish "$pid" gdb_fixture 0
}

t_main t_run symbols scenario
