#!/bin/bash
# test-inspect-print.sh - dmtcp_inspect print on real images of
# tests/progs/print_fixture (-O0, with its dlopen'ed libprintfx.so) and
# print_fixture_o2 (-O2): globals, statics of the program and of the
# library, struct members, array elements, pointers followed, casts,
# arithmetic, sizeof, enums, strings, locals and a parameter of a chosen
# frame, --json, and every error with its exit status (syntax with the
# column, unknown identifier, optimized out, no debug info naming the
# file and build-id, address not in the image, no such thread/frame).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

INSP=$BIN/dmtcp_inspect

# p_ok IMG EXPR WANT [OPTS...]: print's output is exactly WANT (exit 0)
p_ok() {
	local img=$1 e=$2 want=$3 out
	shift 3
	out=$(timeout -k 2 "$T_TIMEOUT" "$INSP" print "$@" "$img" "$e" 2>"$T/p.err") ||
		t_fail "print '$e' exited $?: $(cat "$T/p.err")"
	[ "$out" = "$want" ] || t_fail "print '$e': got '$out', expected '$want'"
}

# p_re IMG EXPR REGEX [OPTS...]
p_re() {
	local img=$1 e=$2 re=$3 out
	shift 3
	out=$(timeout -k 2 "$T_TIMEOUT" "$INSP" print "$@" "$img" "$e" 2>"$T/p.err") ||
		t_fail "print '$e' exited $?: $(cat "$T/p.err")"
	grep -qE -- "$re" <<<"$out" || t_fail "print '$e': got '$out', expected /$re/"
}

# p_err IMG EXPR RC REGEX [OPTS...]: fails with RC and a message matching
p_err() {
	local img=$1 e=$2 want=$3 re=$4 rc
	shift 4
	timeout -k 2 "$T_TIMEOUT" "$INSP" print "$@" "$img" "$e" >"$T/p.out" 2>"$T/p.err"
	rc=$?
	[ $rc -eq "$want" ] || t_fail "print '$e' exited $rc, expected $want: $(cat "$T/p.out" "$T/p.err")"
	[ ! -s "$T/p.out" ] || t_fail "print '$e' failed but printed $(cat "$T/p.out")"
	grep -qE -- "$re" "$T/p.err" || t_fail "print '$e': message '$(cat "$T/p.err")', expected /$re/"
}

# the frame number of FUNC in the main thread's backtrace
frame_of() {
	"$INSP" backtrace "$1" 2>/dev/null | sed -n "s/^#\([0-9]*\) .* $2[+.].*/\1/p" | head -1
}

scenario_o0() {
	local img f
	t_have "$INSP"
	t_coord_start
	t_launch print_fixture "$PROGS/libprintfx.so"
	t_wait_ready
	t_checkpoint
	img=${CKPT_IMAGES[0]}

	# globals, members, arrays, pointers, strings, enums, bit-fields
	p_ok "$img" g_point '(struct point) {x = -3, y = 1234567890123, ratio = 0.5, name = "pt", color = GREEN, flag = 5, first = '"$("$INSP" print "$img" list_head | sed 's/^([^)]*) //')"'}'
	p_ok "$img" g_array '(int [5]) {10, 20, 30, 40, 50}'
	p_ok "$img" 'g_array[3]' '(int) 40'
	p_ok "$img" 'g_array[1] * 2 + g_array[4] / 5 - 1' '(int) 49'
	p_ok "$img" 'list_head->next->next->value' '(int) 300'
	p_ok "$img" '(*list_head).next->value' '(int) 200'
	p_ok "$img" 'list_head->next->next->next->next->next' '(struct node *) 0x0'
	p_re "$img" '*list_head' '^\(struct node\) \{value = 100, next = 0x[0-9a-f]+\}$'
	p_re "$img" 'list_head' '^\(struct node \*\) 0x[0-9a-f]+$'
	p_ok "$img" 'g_point.first == list_head' '(int) 1'
	p_ok "$img" 'g_point.name' '(char [8]) "pt"'
	p_ok "$img" 'g_point.name[1]' "(char) 116 't'"
	p_ok "$img" 'g_point.color' '(enum color) GREEN'
	p_ok "$img" 'g_point.color == GREEN && BLUE == 6' '(int) 1'
	p_ok "$img" 'g_point.flag' '(unsigned int) 5'
	p_ok "$img" 'g_point.x < 0 || 1 / 0' '(int) 1'
	p_re "$img" 'g_str' '^\(const char \*|char \*\) 0x[0-9a-f]+ "hello \\"world\\""$'
	p_ok "$img" 'g_uchar' "(unsigned char) 200 '\\310'"
	p_ok "$img" 'file_static' '(int) 7'
	p_ok "$img" 'calls' '(int) 1'
	# casts, sizeof, address-of, bit operations
	p_ok "$img" 'sizeof(struct point)' '(unsigned long) 48'
	p_ok "$img" 'sizeof g_array / sizeof g_array[0]' '(unsigned long) 5'
	p_ok "$img" '(long)g_point.ratio' '(long) 0'
	p_ok "$img" 'g_point.ratio * 3' '(double) 1.5'
	p_ok "$img" '(char)(g_array[0] + 55)' "(char) 65 'A'"
	p_ok "$img" '((struct node *)g_point.first)->value' '(int) 100'
	p_ok "$img" '((node_t *)g_point.first)->next->value' '(int) 200'
	p_ok "$img" '*(int *)((char *)&g_array[0] + 8)' '(int) 30'
	p_ok "$img" '&g_array[2] - &g_array[0]' '(long) 2'
	p_ok "$img" '(g_array[0] << 2 | 1) ^ ~0 & 0xff' '(int) 214'
	p_ok "$img" '-7 % 3' '(int) -1' --
	p_ok "$img" "'a' + 1" '(int) 98'
	# the library's statics (found in its DWARF by build-id)
	p_re "$img" 'lib_static_counter' '^\(int\) 1[0-9]{3,}$'
	p_re "$img" 'bumps > 0' '^\(int\) 1$'
	# locals and the parameter of wait_here, and the default frame's
	f=$(frame_of "$img" wait_here)
	[ -n "$f" ] || t_fail "no wait_here frame in the backtrace"
	p_ok "$img" local_count '(int) 45' --frame "$f"
	p_ok "$img" depth_arg '(int) 3' --frame "$f"
	p_ok "$img" 'local_node->value + scratch' '(int) 103' --frame "$f"
	p_ok "$img" 'local_node == list_head' '(int) 1' --frame "$f" --thread "$APP_PID"
	p_ok "$img" ms '(long int) 20'
	# JSON
	"$INSP" --json print "$img" 'g_point' >"$T/p.json" || t_fail "print --json"
	python3 - "$T/p.json" <<'PY' || t_fail "print --json: $(cat "$T/p.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["expr"] == "g_point" and d["type"] == "struct point", d
v = d["value"]
assert v["x"] == -3 and v["y"] == 1234567890123 and v["ratio"] == 0.5, v
assert v["name"] == "pt" and v["color"] == "GREEN" and v["flag"] == 5, v
assert v["first"].startswith("0x"), v
PY
	"$INSP" --json print "$img" 'g_array' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["value"]==[10,20,30,40,50] and d["type"]=="int [5]", d' ||
		t_fail "print --json g_array"
	# errors
	p_err "$img" 'nosuch' 3 "no symbol 'nosuch'"
	p_err "$img" 'g_array[' 1 'column 9: expected an expression'
	p_err "$img" 'g_array[1] $ 2' 1 "column 12: unexpected character"
	p_err "$img" 'g_point.nope' 3 "struct point has no member named 'nope'"
	p_err "$img" '*(int *)0' 3 'address 0x0'
	p_err "$img" '*(int *)16' 3 'cannot access memory at address 0x10 '
	p_err "$img" 'list_head->next->next->next->next->next->value' 3 'NULL pointer'
	p_err "$img" 'environ' 3 "no debug info for /.*libc\.so\.6 \(build-id [0-9a-f]{40}\)"
	p_re "$img" '(long)environ > 0' '^\(int\) 1$'
	p_err "$img" 'local_count' 3 "no symbol 'local_count'" --frame 0
	p_err "$img" 'g_iter' 3 'no thread 999999' --thread 999999
	p_err "$img" 'g_iter' 3 'no frame 9999' --frame 9999
	p_err "$img" '1 % 0' 3 'division by zero'
	t_kill "$APP_PID"
}

scenario_o2() {
	local img
	t_have "$INSP"
	t_coord_start
	t_launch print_fixture_o2
	t_wait_ready
	t_checkpoint
	img=${CKPT_IMAGES[0]}
	# wait_here is where the program waits (tp_sleep_ms is inlined in it)
	p_ok "$img" local_count '(int) 45'
	p_ok "$img" depth_arg '(int) 3'
	p_ok "$img" 'local_node->next->value' '(int) 200'
	p_err "$img" scratch 3 "'scratch': <optimized out>"
	t_kill "$APP_PID"
}

both() {
	t_run print-O0 scenario_o0 && t_run print-O2 scenario_o2
}

t_main both
