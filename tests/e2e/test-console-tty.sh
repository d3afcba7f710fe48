#!/bin/bash
# test-console-tty.sh - the coordinator's readline console driven as a
# person would, in a real terminal (tmux on a private socket): prompt,
# help, tab completion (che<Tab> -> checkpoint, help <Tab><Tab> lists the
# commands), checkpoint and list with a running computation, output from
# the event loop arriving while a command is half typed, Up recalls the
# last command, interval, quit; then the history survives a restart of
# the coordinator.  Skipped (passes) when tmux is not installed.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "note: tmux not installed (apt-get install tmux): test skipped"
	exit 0
fi

SOCK=""
SESSION=con

tm() { tmux -S "$SOCK" "$@"; }

# The whole pane including what scrolled off, trailing blank lines removed.
pane() {
	tm capture-pane -p -J -S - -t "$SESSION" 2>/dev/null | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

pane_has() { pane | grep -qF -- "$1"; }

# The line the cursor is on (what is being typed).
pane_current() {
	local y
	y=$(tm display -p -t "$SESSION" '#{cursor_y}')
	tm capture-pane -p -t "$SESSION" | sed -n "$((y + 1))p"
}

current_is() { [ "$(pane_current | sed 's/[[:space:]]*$//')" = "$1" ]; }

wait_pane() { # TEXT [SECONDS]
	t_wait "${2:-$T_TIMEOUT}" "'$1' on the console" pane_has "$1"
}

# Count of lines in the pane containing TEXT.
pane_count() { pane | grep -cF -- "$1"; }

keys() { tm send-keys -t "$SESSION" "$@"; }

# start_console TAG: the coordinator in a fresh tmux session; sets
# COORD_PID / COORD_PORT like t_coord_start.
start_console() {
	local tag=$1
	local shell
	rm -f "$T/$tag.port" "$T/$tag.rc"
	# the pane's shell records the exit status, then lingers a little
	tm new-session -d -s "$SESSION" -x 160 -y 50 \
		"env TERM=xterm '$BIN/dmtcp_coordinator' -p 0 \
		--port-file '$T/$tag.port' --ckptdir '$T/ckpt'; \
		echo \$? >'$T/$tag.rc'; sleep 2" ||
		t_fail "tmux new-session failed"
	shell=$(tm display -p -t "$SESSION" '#{pane_pid}')
	t_track "$shell"
	t_wait "$T_TIMEOUT" "coordinator port file" t_port_file_ready \
		"$T/$tag.port" "$shell"
	COORD_PID=$(t_descendants "$shell" | sed -n 2p)
	[ -n "$COORD_PID" ] || t_fail "no coordinator process under the tmux pane"
	COORD_TAG=$tag
	COORD_PORT=$(cat "$T/$tag.port")
	COORD_CKPTDIR=$T/ckpt
	export DMTCP_COORD_PORT=$COORD_PORT
	wait_pane 'dmtcp> '
	t_log "console coordinator pid $COORD_PID port $COORD_PORT"
}

scenario() {
	local hist
	SOCK=$T/tmux.sock
	start_console c1

	# help lists every command with its short form
	keys help Enter
	wait_pane 'bcheckpoint'
	for w in checkpoint list status interval kill quit; do
		pane_has "$w" || t_fail "help does not mention $w: $(pane)"
	done
	pane_has 'interval SECONDS' || t_fail "help lacks the interval synopsis"

	t_launch threads_tls
	t_wait_ready
	wait_pane 'worker 1 joined: threads_tls'

	# tab completion of a command, then of its argument
	keys 'che' Tab
	t_wait 5 "che<Tab> to complete to checkpoint" current_is 'dmtcp> checkpoint'
	keys Enter
	wait_pane 'checkpoint 1 done: 1 image' "$T_CKPT_TIMEOUT"
	keys 'help ' Tab Tab
	t_wait 5 "help <Tab><Tab> to list the commands" pane_has 'quit'
	keys C-u 'inter' Tab
	t_wait 5 "inter<Tab> to complete to interval" current_is 'dmtcp> interval'
	keys C-u

	# list shows the process with its image
	keys l Enter
	wait_pane 'LAST IMAGE'
	pane | grep -E '^1 +[0-9]+ .*threads_tls +RUNNING +/.*ckpt_threads_tls_.*\.dmtcp' >/dev/null ||
		t_fail "list does not show threads_tls with its image: $(pane | tail -5)"

	# an event arriving while a command is half typed keeps the line
	keys 'sta'
	t_wait 5 "'sta' typed" current_is 'dmtcp> sta'
	t_checkpoint
	wait_pane 'checkpoint 2 done: 1 image'
	t_wait 5 "the half-typed line to be redrawn" current_is 'dmtcp> sta'
	keys 'tus' Enter
	wait_pane 'NUM_PEERS=1'
	pane_has 'dmtcp> status' || t_fail "typed line was garbled: $(pane | tail -20)"
	pane_has 'LAST_CKPT_DURATION_MS=' || t_fail "status lacks the last checkpoint"

	# Up recalls the last command
	keys Up
	t_wait 5 "Up to recall 'status'" current_is 'dmtcp> status'
	keys C-u

	# interval from the console
	keys 'i 7' Enter
	wait_pane 'INTERVAL=7'
	keys 'interval 0' Enter
	wait_pane 'INTERVAL=0'
	keys 'interval x' Enter
	wait_pane 'usage: interval SECONDS'
	keys 'bogus' Enter
	wait_pane "unknown command 'bogus'"

	# quit kills the computation and stops the coordinator
	keys quit Enter
	t_wait "$T_TIMEOUT" "coordinator to exit after quit" test -s "$T/c1.rc"
	[ "$(cat "$T/c1.rc")" = 0 ] ||
		t_fail "coordinator exit status $(cat "$T/c1.rc") after quit"
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "computation after quit"
	# a transcript for the log
	echo "---- console transcript"
	pane | sed 's/^/    | /'

	hist=$(ls "$DMTCP_TMPDIR"/dmtcp-*/coordinator_history 2>/dev/null)
	[ -n "$hist" ] || t_fail "no history file in $DMTCP_TMPDIR/dmtcp-*/"
	grep -qx 'status' "$hist" && grep -qx 'quit' "$hist" ||
		t_fail "history file lacks commands: $(cat "$hist")"
	grep -q 'checkpoint ' "$hist" && t_fail "history keeps completion's trailing space"

	# the history survives a restart of the coordinator
	tm kill-server 2>/dev/null
	start_console c2
	keys Up
	t_wait 5 "Up to recall 'quit' after a restart" current_is 'dmtcp> quit'
	keys Up
	t_wait 5 "Up Up to recall 'bogus'" current_is 'dmtcp> bogus'
	keys C-u q Enter
	t_wait "$T_TIMEOUT" "second coordinator to exit after q" test -s "$T/c2.rc"
	tm kill-server 2>/dev/null
	return 0
}

t_main t_run console scenario
