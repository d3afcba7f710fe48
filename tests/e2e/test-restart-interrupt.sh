#!/bin/bash
# test-restart-interrupt.sh - Ctrl+C of dmtcp_restart leaves no hidden
# processes.  tests/progs/many_procs (8 processes) runs with IGNINT=1: the
# odd-numbered processes ignore SIGINT, like a shell's background jobs.
# The restart script runs in a session of its own (as in a terminal) and
# "Ctrl+C" is SIGINT to that whole process group:
#  1. after the restart completed: the 4 processes ignoring SIGINT stay;
#     the coordinator must list exactly them (--list, by their pids in the
#     namespace) as running, and dmtcp_command --kill must end them and
#     dmtcp_restart;
#  2. while the restart is still going on (SIGINT at once and after 0.05 s):
#     whatever survives (possibly processes waiting forever in a restart
#     barrier for peers that died) must be exactly what the coordinator
#     lists, and --kill must end all of it, dmtcp_restart, the namespace's
#     init and the stand-in parents.
# gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"
shopt -s extglob

N=8
RST_SID=""

# Host pids of live processes of this scenario (DMTCP_TEST_MARK in their
# environment) whose name matches the pattern: filtered by name first with
# shell builtins, so a scan forks only for the few candidates.
marked_named() { # pattern
	local p comm
	for p in /proc/[0-9]*; do
		{ read -r comm <"$p/comm"; } 2>/dev/null || continue
		[[ "$comm" == $1 ]] || continue
		grep -qzxF "DMTCP_TEST_MARK=$T" "$p/environ" 2>/dev/null || continue
		t_alive "${p#/proc/}" && echo "${p#/proc/}"
	done
}

# Processes of the computation (restored, or still being restored).
comp_pids() {
	marked_named '@(many_procs|mtcp_restart)'
}

# dmtcp_restart processes (the restart, the namespace's init, decoders,
# stand-in parents "dmtcp:parent").
restart_pids() {
	marked_named '@(dmtcp_restart|dmtcp:parent)'
}

# Their pids inside the restart's namespace (last NSpid field), sorted.
comp_ns_pids() {
	local p
	for p in $(comp_pids); do
		awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null
	done | sort -n
}

list_pids() {
	t_command --list 2>/dev/null | sed -n 's/^[0-9][0-9]*, \([0-9][0-9]*\), .*/\1/p' | sort -n
}

num_peers() {
	t_command --status 2>/dev/null | sed -n 's/^[[:space:]]*NUM_PEERS=//p'
}

STABLE=0
# True once the live processes are exactly the listed ones, 3 polls in a row.
listed_equals_live() {
	local live listed
	live=$(comp_ns_pids)
	listed=$(list_pids)
	if [ "$live" = "$listed" ]; then
		STABLE=$((STABLE + 1))
	else
		STABLE=0
	fi
	[ "$STABLE" -ge 3 ]
}

# The restart script in a session of its own (setsid execs env, which
# execs it: $! is the session and process group id, as for a job in a
# terminal), with SIGINT's default action as in a terminal (a background
# job of this non-interactive shell starts with SIGINT ignored).
start_restart() {
	RST_N=$((RST_N + 1))
	setsid env --default-signal=INT "$COORD_CKPTDIR/dmtcp_restart_script.sh" </dev/null \
		>"$T/restart.$RST_N.log" 2>&1 &
	RST_PID=$!
	t_track "$RST_PID"
	RST_SID=$RST_PID
	for _ in $(seq 1000); do	# no t_wait: its 0.1 s steps are too long
		is_session_leader "$RST_PID" && return 0
		sleep 0.005
	done
	t_fail "setsid did not make the restart ($RST_PID) a session leader"
}

is_session_leader() {
	[ "$(awk '{ print $6 }' "/proc/$1/stat" 2>/dev/null)" = "$1" ]
}

ctrl_c() {
	t_log "Ctrl+C: SIGINT to process group $RST_SID"
	kill -INT -- "-$RST_SID" 2>/dev/null
}

# Kill what is left through the coordinator; everything must end.
kill_leftovers() {
	local n
	STABLE=0
	t_wait "$T_TIMEOUT" "the coordinator to list exactly the live processes (live: $(comp_ns_pids | tr '\n' ' '))" \
		listed_equals_live
	n=$(num_peers)
	t_log "left after Ctrl+C: $n process(es) listed: $(list_pids | tr '\n' ' ')"
	if [ "${n:-0}" -gt 0 ]; then
		t_command --kill >"$T/kill.out" 2>&1 ||
			t_fail "dmtcp_command --kill failed: $(cat "$T/kill.out")"
	fi
	t_wait "$T_TIMEOUT" "0 peers after --kill" t_peers 0
	t_wait "$T_TIMEOUT" "no process of the computation left (left: $(comp_pids | tr '\n' ' '))" \
		test -z "$(comp_pids)"
	t_wait_exit "$RST_PID" "$T_TIMEOUT" "dmtcp_restart after --kill"
	t_wait "$T_TIMEOUT" "no dmtcp_restart process left (left: $(restart_pids | tr '\n' ' '))" \
		test -z "$(restart_pids)"
}

scenario() {
	local d listed
	export IGNINT=1
	t_coord_start
	t_launch many_procs "$N" 1
	t_wait "$T_TIMEOUT" "READY" t_is_ready "$APP_PID"
	t_wait "$T_TIMEOUT" "$N running peers" t_peers_running "$N"
	T_NPEERS=$N t_checkpoint
	t_kill "$APP_PID"

	# 1. Ctrl+C after the restart completed
	start_restart
	t_wait "$T_TIMEOUT" "$N restarted processes running" t_peers_running "$N"
	ctrl_c
	t_wait "$T_TIMEOUT" "$((N / 2)) processes ignoring SIGINT to remain running" \
		t_peers_running $((N / 2))
	STABLE=0
	t_wait "$T_TIMEOUT" "the listed processes to be the live ones" listed_equals_live
	listed=$(t_command --list 2>&1)
	[ "$(grep -c ', RUNNING, ' <<<"$listed")" -eq $((N / 2)) ] ||
		t_fail "--list does not show $((N / 2)) running processes: $listed"
	t_alive "$RST_PID" || t_fail "dmtcp_restart ended while restored processes still run"
	kill_leftovers

	# 2. Ctrl+C while the restart is still going on
	for d in 0 0.05; do
		start_restart
		sleep "$d"
		ctrl_c
		sleep 1
		kill_leftovers
	done
}

t_main t_modes scenario
