#!/bin/bash
# test-gdb-cxx.sh - a C++ program (tests/progs/gdb_cxx.cc, compiled here
# with g++ -g -O0) checkpointed and rewound from gdb: the helpers select
# the program's frame (step, in gdb_cxx.cc), so gdb's language is C++ and
# `print v.size()` works and equals the global `pushed`.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}
CXX=${CXX:-g++}
LOADER=$DMTCP_SRCDIR/gdb/dmtcp-gdb.py

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 4000 "$1")"
}

scenario() {
	local n s
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	command -v "$CXX" >/dev/null || t_fail "$CXX not found (the C++ case needs it)"
	"$CXX" -g -O0 -o "$T/gdb_cxx" "$DMTCP_SRCDIR/tests/progs/gdb_cxx.cc" \
		>"$T/cxx.err" 2>&1 || t_fail "$CXX failed: $(cat "$T/cxx.err")"
	chmod 755 "$T/gdb_cxx"
	t_coord_start
	"$BIN/dmtcp_launch" --join-coordinator "$T/gdb_cxx" </dev/null \
		>"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait_ready
	t_checkpoint
	DMTCP_BINDIR=$BIN timeout -k 5 "$T_TIMEOUT" "$GDB" -q -batch \
		-iex "source $LOADER" -p "$APP_PID" -ex 'dmtcp rewind' \
		-ex 'show language' -ex 'printf "SIZE %lu\n", v.size()' \
		-ex 'printf "PUSHED %ld\n", pushed' -ex 'kill' \
		</dev/null >"$T/gdb.log" 2>&1
	sed 's/^/    | /' "$T/gdb.log" | grep -vE 'New LWP|libthread_db'
	t_has "$T/gdb.log" '^#[0-9]+ .* step \(\) at .*gdb_cxx\.cc:[0-9]+' "the program's frame selected"
	t_has "$T/gdb.log" 'currently c\+\+' "gdb's language"
	n=$(sed -n 's/^PUSHED //p' "$T/gdb.log")
	s=$(sed -n 's/^SIZE //p' "$T/gdb.log")
	[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$s" = "$n" ] ||
		t_fail "v.size() is '$s', pushed '$n'"
	t_log "C++: v.size() = pushed = $n after the rewind"
}

t_main t_run cxx scenario
