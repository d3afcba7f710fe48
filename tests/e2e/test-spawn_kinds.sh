#!/bin/bash
# test-spawn_kinds.sh - tests/progs/spawn_kinds: children made by fork,
# vfork+exec, clone() used as fork, posix_spawn, system() and popen() are
# all under checkpoint control (the coordinator sees every process) and
# all come back at restart, two cycles; each child checks its memory and
# pid/ppid, the parent reaps them all with status 0.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

npeers() {
	t_command --status 2>/dev/null | sed -n 's/^[[:space:]]*NUM_PEERS=//p'
}

stable_peers() { # waits until NUM_PEERS stops changing; prints it
	local a b
	a=$(npeers)
	for _ in $(seq 1 50); do
		sleep 0.3
		b=$(npeers)
		[ "$a" = "$b" ] && [ -n "$b" ] && { echo "$b"; return; }
		a=$b
	done
	echo "$b"
}

scenario() {
	local i cur n
	t_coord_start
	t_launch spawn_kinds
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	n=$(stable_peers)
	t_log "processes under checkpoint control: $n"
	# parent, fork, vfork+exec, clone, posix_spawn, the system() helper,
	# its shell's command, popen's shell and command: at least 8
	[ "$n" -ge 8 ] || t_fail "only $n processes joined the coordinator: $(t_command --list)"
	export T_NPEERS=$n
	t_wait "$T_TIMEOUT" "$n running peers" t_peers_running "$n"
	cur=$APP_PID
	for i in 1 2; do
		t_checkpoint
		[ ${#CKPT_IMAGES[@]} -eq "$n" ] || t_fail "${#CKPT_IMAGES[@]} images for $n processes"
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" spawn_kinds 2
}

t_main t_modes scenario
