#!/bin/bash
# test-install-gdb.sh - gdb loads the dmtcp commands by itself from a build
# tree (lib/libdmtcp.so-gdb.py, next to the library):
#  (a) `gdb -p PID` on a launched program, with only the one
#      `add-auto-load-safe-path BUILDDIR/lib` line and no `source`: `help
#      dmtcp` lists the commands, `info auto-load python-scripts` names the
#      script; sourcing the loader by hand afterwards changes nothing;
#  (b) without that line gdb declines the script and has no `dmtcp`;
#  (c) `dmtcp_restart --gdb` prints that line when no gdb init file of the
#      user names the directory, and not once ~/.gdbinit has it; `help
#      dmtcp` works in its gdb either way.
# The installed case (gdb's own auto-load directory) is test-deb.sh's.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

GDB=${GDB:-gdb}

t_has() { # file pattern what
	grep -qE -- "$2" "$1" ||
		t_fail "$3: no /$2/ in $(basename "$1"): $(head -c 3000 "$1")"
}

t_gdb_done() { # log pid
	grep -q 'detached\]' "$1" && return 0
	t_alive "$2" || t_fail "dmtcp_restart --gdb exited before gdb finished (see $(basename "$1"))"
	return 1
}

# (c): dmtcp_restart --gdb IMG with HOME=$T/home; output in $T/$1.log
restart_gdb() { # label
	local rpid
	HOME=$T/home "$BIN/dmtcp_restart" --gdb "$IMG" -- -batch \
		-ex 'help dmtcp' </dev/null >"$T/$1.log" 2>&1 &
	rpid=$!
	t_track "$rpid"
	t_wait "$T_TIMEOUT" "gdb of dmtcp_restart --gdb to detach" \
		t_gdb_done "$T/$1.log" "$rpid"
	t_has "$T/$1.log" '^List of dmtcp subcommands' "$1: help dmtcp"
	t_wait "$T_TIMEOUT" "the restored process to run after gdb" \
		t_peers_running 1
	t_kill "$rpid"
}

scenario() {
	local libdir line
	command -v "$GDB" >/dev/null || t_fail "gdb not found"
	libdir=$(realpath "$B/lib")
	[ -f "$libdir/libdmtcp.so-gdb.py" ] ||
		t_fail "$libdir/libdmtcp.so-gdb.py not built (make)"
	line="add-auto-load-safe-path $libdir"
	t_coord_start
	t_launch gdb_fixture
	t_wait_ready

	t_log "(a) gdb -p $APP_PID with '$line' only"
	timeout -k 2 "$T_TIMEOUT" "$GDB" -nx -q -batch -iex "$line" \
		-p "$APP_PID" -ex 'help dmtcp' \
		-ex 'info auto-load python-scripts' \
		-ex "source $DMTCP_SRCDIR/gdb/dmtcp-gdb.py" -ex 'help dmtcp threads' \
		</dev/null >"$T/gdb-a.log" 2>&1 || t_fail "gdb exited $?: $(tail "$T/gdb-a.log")"
	t_has "$T/gdb-a.log" '^List of dmtcp subcommands' "(a) help dmtcp"
	t_has "$T/gdb-a.log" '^dmtcp rewind -- ' "(a) help dmtcp lists rewind"
	t_has "$T/gdb-a.log" "^Yes +$libdir/libdmtcp\.so-gdb\.py" "(a) auto-loaded script"
	grep -qE 'Undefined command|Error|Traceback' "$T/gdb-a.log" &&
		t_fail "(a) errors in gdb's output: $(grep -E 'Undefined|Error|Traceback' "$T/gdb-a.log")"
	t_alive "$APP_PID" || t_fail "(a) the program died under gdb"

	t_log "(b) gdb -p $APP_PID without it"
	timeout -k 2 "$T_TIMEOUT" "$GDB" -nx -q -batch -p "$APP_PID" \
		-ex 'help dmtcp' </dev/null >"$T/gdb-b.log" 2>&1
	t_has "$T/gdb-b.log" 'Undefined command: "dmtcp"' "(b) no dmtcp command"
	t_has "$T/gdb-b.log" 'auto-loading has been declined' "(b) declined script"

	t_log "(c) dmtcp_restart --gdb and the hint"
	t_checkpoint
	IMG=${CKPT_IMAGES[0]}
	t_kill "$APP_PID"
	mkdir -p "$T/home"
	restart_gdb gdb-c1
	t_has "$T/gdb-c1.log" "^ +$line\$" "(c) hint without a ~/.gdbinit"
	echo "$line" >"$T/home/.gdbinit"
	restart_gdb gdb-c2
	grep -qF "$line" "$T/gdb-c2.log" &&
		t_fail "(c) hint printed although ~/.gdbinit has the line"
	t_log "hint shown without ~/.gdbinit, not with it"
}

t_main t_run autoload scenario
