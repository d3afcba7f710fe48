#!/bin/bash
# test-sec-coord-memory.sh - another local user (dmtcpspy), who does not
# know the coordinator's secret, tries to make the victim's coordinator
# hold memory and descriptors before any authentication:
#  - 200 connections each send a header announcing a 1 MiB hello and
#    almost 1 MiB of it, then stay open (the coordinator used to buffer
#    it all, for up to 10 s: ~1 MiB per connection);
#  - 200 connections each send the start of a hello of the right size
#    and then trickle a byte a second (never completing it), so they
#    stay pending until the hello timeout.
# The coordinator's VmRSS must grow by less than 20 MB, it must keep at
# most a bounded number of pending connections open (file descriptors),
# dmtcp_command --status must keep working during both floods, and the
# computation connected before must still checkpoint afterwards.
# Needs root (to be two users); prints SKIP elsewhere.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

N=${T_MEM_CONNS:-200}
MAX_GROWTH_KB=$((20 * 1024))
MAX_FDS=100	# the pending bound (64) plus the coordinator's own fds

# hold.py PORT N MODE STATUSFILE STOPFILE: N connections; MODE big: a
# header announcing a 1 MiB hello and 1 MiB - 1 bytes of it; MODE
# trickle: a header announcing a hello of the real size and 100 bytes of
# it, then one byte a second on every connection.  Writes "HOLDING <n>
# <errors>" to STATUSFILE once every connection was opened and written,
# then holds them until STOPFILE exists (at most 60 s).
write_hold_py() {
	cat >"$T/hold.py" <<'EOF'
import os, socket, struct, sys, time
port, n, mode, status, stop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
MAGIC, HELLO_WORKER, HELLO_SIZE = 0x50434d44, 1, 4424
hdr = lambda plen: struct.pack("<IHHIIQQQQ", MAGIC, 1, HELLO_WORKER, plen, 0, 0, 0, 0, 0)
socks, errors = [], 0
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError:
        errors += 1
        continue
    try:
        if mode == "big":
            s.sendall(hdr(1 << 20) + b"\0" * ((1 << 20) - 1))
        else:
            s.sendall(hdr(HELLO_SIZE) + b"\0" * 100)
    except OSError:
        errors += 1
    socks.append(s)
with open(status + ".tmp", "w") as f:
    f.write("HOLDING %d %d\n" % (len(socks), errors))
os.rename(status + ".tmp", status)
end = time.time() + 60
while time.time() < end and not os.path.exists(stop):
    if mode == "trickle":
        for s in socks:
            try:
                s.send(b"\0")
            except OSError:
                pass
    time.sleep(1)
EOF
}

rss_kb() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$COORD_PID/status"
}

nfds() {
	ls "/proc/$COORD_PID/fd" | wc -l
}

# flood MODE: runs hold.py as the spy; while it runs, samples the
# coordinator's RSS and fd count (PEAK_RSS, PEAK_FDS) and asks for the
# status (STATUS_OK, STATUS_BAD); returns once every connection is held
# and measured, leaving the spy's connections open (SPY_PID).
flood() {
	local mode=$1 st=$T/spy/$1.status stop=$T/spy/$1.stop r f end
	PEAK_RSS=0 PEAK_FDS=0 STATUS_OK=0 STATUS_BAD=0
	rm -f "$st" "$stop"
	t_spy timeout 120 python3 "$T/hold.py" "$COORD_PORT" "$N" "$mode" \
		"$st" "$stop" >"$T/hold.$mode.log" 2>&1 &
	SPY_PID=$!
	t_track "$SPY_PID"
	end=$(($(date +%s) + 60))
	while [ ! -s "$st" ]; do
		t_alive "$SPY_PID" || t_fail "hold.py ($mode) died: $(cat "$T/hold.$mode.log")"
		[ "$(date +%s)" -lt "$end" ] || t_fail "hold.py ($mode) did not finish opening its connections"
		r=$(rss_kb); f=$(nfds)
		[ "$r" -gt "$PEAK_RSS" ] && PEAK_RSS=$r
		[ "$f" -gt "$PEAK_FDS" ] && PEAK_FDS=$f
		if t_command --status >/dev/null 2>&1; then
			STATUS_OK=$((STATUS_OK + 1))
		else
			STATUS_BAD=$((STATUS_BAD + 1))
		fi
	done
	# held: a few more samples (the coordinator reads what was sent)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		r=$(rss_kb); f=$(nfds)
		[ "$r" -gt "$PEAK_RSS" ] && PEAK_RSS=$r
		[ "$f" -gt "$PEAK_FDS" ] && PEAK_FDS=$f
		sleep 0.1
	done
	if t_command --status >"$T/status.$mode.out" 2>&1; then
		STATUS_OK=$((STATUS_OK + 1))
	else
		STATUS_BAD=$((STATUS_BAD + 1))
	fi
	t_log "$mode flood: $(cat "$st"); coordinator RSS before $RSS0 kB, peak $PEAK_RSS kB (+$((PEAK_RSS - RSS0)) kB), peak $PEAK_FDS fds; status ok $STATUS_OK, failed $STATUS_BAD"
}

end_flood() {
	touch "$T/spy/$1.stop"
	t_wait_exit "$SPY_PID" 30 "hold.py ($1)"
}

scenario() {
	command -v python3 >/dev/null || t_fail "python3 needed"
	t_shared_dir "$T/spy"
	write_hold_py
	t_coord_start
	t_launch threads_tls
	t_wait_ready
	RSS0=$(rss_kb)
	t_log "coordinator pid $COORD_PID: VmRSS $RSS0 kB, $(nfds) fds"

	flood big
	end_flood big
	[ $((PEAK_RSS - RSS0)) -lt "$MAX_GROWTH_KB" ] ||
		t_fail "$N unauthenticated connections announcing 1 MiB made the coordinator grow by $((PEAK_RSS - RSS0)) kB (limit $MAX_GROWTH_KB kB)"
	[ "$STATUS_BAD" -eq 0 ] ||
		t_fail "dmtcp_command --status failed $STATUS_BAD times during the big-hello flood"

	flood trickle
	[ "$PEAK_FDS" -le "$MAX_FDS" ] ||
		t_fail "$N pending unauthenticated connections: the coordinator held $PEAK_FDS descriptors (limit $MAX_FDS)"
	[ $((PEAK_RSS - RSS0)) -lt "$MAX_GROWTH_KB" ] ||
		t_fail "$N trickling connections made the coordinator grow by $((PEAK_RSS - RSS0)) kB"
	[ "$STATUS_BAD" -eq 0 ] ||
		t_fail "dmtcp_command --status failed $STATUS_BAD times during the trickle flood"
	grep -qx 'NUM_PEERS=1' "$T/status.trickle.out" ||
		t_fail "status during the flood: $(cat "$T/status.trickle.out")"
	# a new worker gets in while the spy's connections are held
	"$BIN/dmtcp_launch" --join-coordinator "$PROGS/threads_tls" \
		</dev/null >"$T/app2.log" 2>"$T/app2.err" &
	t_track $!
	t_wait "$T_TIMEOUT" "a second worker to join during the flood" t_peers_running 2
	end_flood trickle
	export T_NPEERS=2

	kill -0 "$COORD_PID" || t_fail "coordinator died"
	t_checkpoint
	t_log "coordinator log: $(grep -c 'pending\|dropping\|refused' "$T/coord.log") lines about dropped connections; RSS now $(rss_kb) kB"
}

t_hostile_main t_run coord-memory scenario
