#!/bin/bash
# test-sec-coord-emfile.sh - the victim's coordinator runs out of file
# descriptors (started with ulimit -n 64).  It used to spin: accept()
# failed with EMFILE, poll() reported the listening socket again at once,
# 100% CPU and a log line per attempt.
#  1. Another local user (dmtcpspy) opens 150 connections and says
#     nothing.  The coordinator must not spin (CPU time over 3 s), must
#     log a bounded number of lines, the worker and an authenticated
#     command connection opened before must still be served, and a new
#     dmtcp_command --status must succeed during the flood (an old
#     silent connection makes room for it) and after.
#  2. Every descriptor is taken by authenticated connections (the victim
#     opens 80 command connections, sending its hello) while the spy
#     keeps connecting and disconnecting: still no spinning, a bounded
#     log, the connections already in are served; once they close,
#     dmtcp_command --status succeeds again.
# Needs root (to be two users); prints SKIP elsewhere.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

FD_LIMIT=64
MAX_CPU_TICKS=60	# of 300 in 3 s (spinning takes them all)
MAX_LOG_LINES=40	# per phase

# silent.py PORT N STATUSFILE STOPFILE [churn]: opens N connections that
# send nothing; writes "HOLDING <opened> <failed>" to STATUSFILE, then
# holds them until STOPFILE exists (at most 60 s).  With "churn" it then
# keeps opening and closing connections instead of just waiting.
write_silent_py() {
	cat >"$T/silent.py" <<'EOF'
import os, socket, sys, time
port, n, status, stop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
churn = len(sys.argv) > 5
socks, failed = [], 0
for i in range(n):
    try:
        socks.append(socket.create_connection(("127.0.0.1", port), timeout=3))
    except OSError:
        failed += 1
with open(status + ".tmp", "w") as f:
    f.write("HOLDING %d %d\n" % (len(socks), failed))
os.rename(status + ".tmp", status)
end = time.time() + 60
while time.time() < end and not os.path.exists(stop):
    if churn:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.01)
    else:
        time.sleep(0.2)
EOF
}

# authed.py PORT SECRETFILE N STATUSFILE STOPFILE: opens N authenticated
# command connections (hello with the secret; each asks for the status
# once), then asks for the status on the first one every 0.2 s until
# STOPFILE exists; writes "OPEN <n> ANSWERED <a> ASKED <q> FAILED <f>"
# (f: connections closed by the coordinator or unanswered) to STATUSFILE
# after the first round and again at the end.
write_authed_py() {
	cat >"$T/authed.py" <<'EOF'
import os, select, socket, struct, sys, time
port, secret_file, n, status, stop = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
MAGIC, HELLO_COMMAND, COMMAND, REPLY, STATUS = 0x50434d44, 10, 11, 30, 5
secret = open(secret_file).read().strip().encode()
def msg(typ, payload=b"", arg0=0):
    return struct.pack("<IHHIIQQQQ", MAGIC, 1, typ, len(payload), 0, arg0, 0, 0, 0) + payload
hello = struct.pack("<33s7xIIIIII64s64s64s64s4096sII", secret, os.getpid(), 0, 0, 0, 0, 0,
                    b"localhost", b"authed.py", b"", b"", b"", 0, 0)
def reply(s, timeout):
    buf, end = b"", time.time() + timeout
    while time.time() < end:
        if len(buf) >= 48:
            plen = struct.unpack_from("<I", buf, 8)[0]
            if len(buf) >= 48 + plen:
                return struct.unpack_from("<H", buf, 6)[0] == REPLY
        r, _, _ = select.select([s], [], [], max(0, end - time.time()))
        if not r:
            continue
        try:
            d = s.recv(65536)
        except OSError:
            return False
        if not d:
            return False
        buf += d
    return False
socks, asked, answered, failed = [], 0, 0, 0
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        s.sendall(msg(HELLO_COMMAND, hello) + msg(COMMAND, arg0=STATUS))
        socks.append(s)
        asked += 1
    except OSError:
        failed += 1
for s in list(socks):
    if reply(s, 3):
        answered += 1
    else:
        failed += 1
        socks.remove(s)
def report():
    with open(status + ".tmp", "w") as f:
        f.write("OPEN %d ANSWERED %d ASKED %d FAILED %d\n" % (len(socks), answered, asked, failed))
    os.rename(status + ".tmp", status)
report()
end = time.time() + 90
while socks and time.time() < end and not os.path.exists(stop):
    time.sleep(0.2)
    asked += 1
    try:
        socks[0].sendall(msg(COMMAND, arg0=STATUS))
        if reply(socks[0], 3):
            answered += 1
        else:
            failed += 1
    except OSError:
        failed += 1
report()
EOF
}

cpu_ticks() { # utime + stime of the coordinator
	local st
	st=$(cat "/proc/$COORD_PID/stat") || t_fail "coordinator gone"
	st=${st##*) }
	set -- $st
	echo $((${12} + ${13}))
}

log_lines() {
	wc -l <"$T/coord.log"
}

# measure LABEL: CPU ticks and log lines of the coordinator over 3 s
measure() {
	local c0 c1 l0 l1
	c0=$(cpu_ticks); l0=$(log_lines)
	sleep 3
	c1=$(cpu_ticks); l1=$(log_lines)
	CPU=$((c1 - c0)) LINES=$((l1 - l0))
	t_log "$1: coordinator used $CPU ticks of CPU in 3 s ($(getconf CLK_TCK)/s), logged $LINES lines, has $(ls /proc/$COORD_PID/fd | wc -l) fds"
	[ "$CPU" -le "$MAX_CPU_TICKS" ] ||
		t_fail "$1: the coordinator spins: $CPU ticks of CPU in 3 s"
}

wait_file() { # FILE PID DESC
	t_wait "$T_TIMEOUT" "$3" test -s "$1"
	t_alive "$2" || [ -s "$1" ] || t_fail "$3: process died"
}

status_now() { # dmtcp_command --status within 5 s
	timeout -k 1 5 "$BIN/dmtcp_command" -p "$COORD_PORT" --status >"$T/status.out" 2>&1 &&
		grep -qx 'NUM_PEERS=1' "$T/status.out"
}

scenario() {
	local secret lines0 spy authed old
	command -v python3 >/dev/null || t_fail "python3 needed"
	t_shared_dir "$T/spy"
	write_silent_py
	write_authed_py
	old=$(ulimit -Sn)
	ulimit -Sn "$FD_LIMIT" || t_fail "ulimit -n $FD_LIMIT"
	t_coord_start
	ulimit -Sn "$old"
	grep -q "^Max open files *$FD_LIMIT " "/proc/$COORD_PID/limits" ||
		t_fail "coordinator does not run with $FD_LIMIT descriptors"
	t_launch threads_tls
	t_wait_ready
	secret=$(echo "$DMTCP_TMPDIR"/dmtcp-*/coordinator-"$COORD_PORT".secret)
	[ -s "$secret" ] || t_fail "no secret file $secret"

	# an authenticated command connection, opened before any flood
	python3 "$T/authed.py" "$COORD_PORT" "$secret" 1 "$T/authed1.status" \
		"$T/authed1.stop" >"$T/authed1.log" 2>&1 &
	authed=$!
	t_track "$authed"
	wait_file "$T/authed1.status" "$authed" "the first authenticated connection"
	grep -q '^OPEN 1 ' "$T/authed1.status" ||
		t_fail "authenticated connection: $(cat "$T/authed1.status")"

	# 1. the spy's silent connections exhaust the descriptors
	lines0=$(log_lines)
	t_spy timeout 120 python3 "$T/silent.py" "$COORD_PORT" 150 \
		"$T/spy/silent.status" "$T/spy/silent.stop" >"$T/silent.log" 2>&1 &
	spy=$!
	t_track "$spy"
	wait_file "$T/spy/silent.status" "$spy" "the spy's connections"
	t_log "spy: $(cat "$T/spy/silent.status")"
	measure "150 silent connections"
	t_alive "$APP_PID" || t_fail "the application died"
	status_now || t_fail "dmtcp_command --status during the silent flood: $(cat "$T/status.out")"
	t_command -l | grep -q threads_tls || t_fail "worker not listed during the flood"
	touch "$T/spy/silent.stop"
	t_wait_exit "$spy" 30 "silent.py"
	[ $(($(log_lines) - lines0)) -le "$MAX_LOG_LINES" ] ||
		t_fail "the coordinator logged $(($(log_lines) - lines0)) lines during the silent flood"

	# 2. authenticated connections take every descriptor; the spy churns
	lines0=$(log_lines)
	python3 "$T/authed.py" "$COORD_PORT" "$secret" 80 "$T/authed80.status" \
		"$T/authed80.stop" >"$T/authed80.log" 2>&1 &
	local many=$!
	t_track "$many"
	wait_file "$T/authed80.status" "$many" "80 authenticated connections"
	t_log "80 authenticated connections: $(cat "$T/authed80.status")"
	t_spy timeout 120 python3 "$T/silent.py" "$COORD_PORT" 20 \
		"$T/spy/churn.status" "$T/spy/churn.stop" churn >"$T/churn.log" 2>&1 &
	spy=$!
	t_track "$spy"
	wait_file "$T/spy/churn.status" "$spy" "the spy's churning connections"
	measure "descriptors full of authenticated connections, spy churning"
	touch "$T/spy/churn.stop"
	t_wait_exit "$spy" 30 "silent.py churn"
	[ $(($(log_lines) - lines0)) -le "$MAX_LOG_LINES" ] ||
		t_fail "the coordinator logged $(($(log_lines) - lines0)) lines while out of descriptors"
	touch "$T/authed80.stop"
	t_wait_exit "$many" 30 "authed.py (80)"
	t_log "80 authenticated connections at the end: $(cat "$T/authed80.status")"
	grep -q 'ANSWERED [1-9]' "$T/authed80.status" ||
		t_fail "no authenticated connection was answered: $(cat "$T/authed80.status")"

	# descriptors are free again: a new command gets through
	t_wait 15 "dmtcp_command --status after the connections closed" status_now
	touch "$T/authed1.stop"
	t_wait_exit "$authed" 30 "authed.py (1)"
	t_log "first authenticated connection: $(cat "$T/authed1.status")"
	grep -q 'FAILED 0$' "$T/authed1.status" ||
		t_fail "the authenticated connection opened before the floods was not served: $(cat "$T/authed1.status")"
	t_checkpoint
	t_log "coordinator log: $(log_lines) lines; $(grep -ci 'descriptor' "$T/coord.log") about descriptors"
}

t_hostile_main t_run coord-emfile scenario
