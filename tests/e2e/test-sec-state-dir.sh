#!/bin/bash
# test-sec-state-dir.sh - another local user (dmtcpspy) creates the
# victim's per-user state directory $DMTCP_TMPDIR/dmtcp-$USER@$HOST
# first, in a shared $DMTCP_TMPDIR (mode 0777, not sticky): mode 0777 with
# a symlink planted where the coordinator's log goes and a pre-created
# 0666 file; then as a symlink to a directory of the spy's; then the
# victim's own directory left writable by others.  Each time the
# coordinator, dmtcp_command and dmtcp_launch must refuse it with a clear
# error naming the directory, and write nothing into it (no secret, no
# log, nothing through the symlink).  A private directory still works.
# Needs root (to be two users); prints SKIP elsewhere.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# try_tools LABEL: each tool, with the state directory refused
try_tools() {
	local label=$1 rc out
	out=$T/$label
	timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_coordinator" -p 0 --daemon \
		--port-file "$T/$label.port" --ckptdir "$T/ckpt" \
		</dev/null >"$out.coord" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] || {
		cat "$T/$label.port" 2>/dev/null >"$T/stray.port"
		t_fail "$label: dmtcp_coordinator started with a state directory it must refuse: $(cat "$out.coord")"
	}
	grep -q "refusing state directory $SD" "$out.coord" ||
		t_fail "$label: no clear error from dmtcp_coordinator: $(cat "$out.coord")"
	# a coordinator of the victim's that runs with a good directory
	timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_command" -p "$GOOD_PORT" \
		--status >"$out.cmd" 2>&1
	grep -q "refusing state directory $SD" "$out.cmd" ||
		t_fail "$label: no clear error from dmtcp_command: $(cat "$out.cmd")"
	timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_launch" --new-coordinator \
		-p 0 "$PROGS/counter" </dev/null >"$out.launch" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] || t_fail "$label: dmtcp_launch ran with a refused state directory"
	grep -q "refusing state directory $SD" "$out.launch" ||
		t_fail "$label: no clear error from dmtcp_launch: $(cat "$out.launch")"
	t_log "$label: refused ($(head -n1 "$out.coord"))"
}

# nothing_of_ours DIR: the victim created nothing in DIR
nothing_of_ours() {
	local f
	f=$(find "$1" -mindepth 1 -user "$(id -u)" 2>/dev/null | head -n 3)
	[ -z "$f" ] || t_fail "the victim wrote into the refused directory: $f"
}

scenario() {
	local shared=$T/shared user host spydir
	t_shared_dir "$shared"
	t_coord_start good
	GOOD_PORT=$COORD_PORT
	export DMTCP_TMPDIR=$shared
	user=${USER:-}
	[ -n "$user" ] || user=$(id -u)
	host=$(hostname)
	SD=$shared/dmtcp-$user@$host
	echo "victim's file" >"$T/precious"

	# 1. the spy makes the directory first, mode 0777, with traps in it
	t_spy mkdir -m 0777 "$SD" || t_fail "spy mkdir"
	t_spy chmod 0777 "$SD"
	for p in $(seq 7770 7790); do
		t_spy ln -s "$T/precious" "$SD/coordinator-$p.log"
	done
	t_spy sh -c ': >"$1/coord-planted" && chmod 0666 "$1/coord-planted"' \
		sh "$SD"
	try_tools spy-dir
	nothing_of_ours "$SD"
	[ "$(cat "$T/precious")" = "victim's file" ] ||
		t_fail "the victim's file behind the spy's symlink changed"
	t_spy rm -rf "$SD"

	# 2. a symlink to a directory of the spy's
	spydir=$shared/spy-owned
	t_spy mkdir -m 0777 "$spydir"
	t_spy ln -s "$spydir" "$SD"
	try_tools symlink
	nothing_of_ours "$spydir"
	t_spy rm -rf "$SD" "$spydir"

	# 3. the victim's own directory, but writable by others
	mkdir -m 0700 "$SD" && chmod 0777 "$SD"
	try_tools world-writable
	rm -rf "$SD"

	# 4. a private one works, and is made private
	t_command --quit >/dev/null 2>&1
	t_coord_start
	[ "$(stat -c '%u %a' "$SD")" = "$(id -u) 700" ] ||
		t_fail "state directory $SD is $(stat -c '%u %a' "$SD")"
	t_launch counter
	t_wait "$T_TIMEOUT" "counter to run" t_peers_running 1
	t_checkpoint
}

t_hostile_main t_run state-dir scenario
