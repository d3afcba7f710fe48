#!/bin/bash
# test-coord-flood.sh - a live coordinator with a running computation
# is sent junk and floods: random bytes, an HTTP request, a valid magic
# with another version, an oversized payload_len, a truncated header, a
# hello with a wrong secret, clients that connect and never speak, and
# thousands of connections that open and close (some writing junk).  The
# coordinator must log and drop them, keep answering dmtcp_command during
# the flood, and the computation must still checkpoint and restart
# afterwards.  The flood rate (connections/s) is printed.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

FLOOD_N=${T_FLOOD_N:-2500}	# connections per flooder
FLOODERS=${T_FLOODERS:-4}	# parallel flooders

# junk.py PORT: one connection per kind of bad input; prints what it did.
write_junk_py() {
	cat >"$T/junk.py" <<'EOF'
import os, socket, struct, sys, time
port = int(sys.argv[1])
MAGIC = 0x50434d44

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s

def send_close(data, wait_reply=False):
    s = conn()
    try:
        s.sendall(data)
        if wait_reply:
            s.settimeout(5)
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
    except OSError:
        pass
    s.close()

hdr = lambda magic, ver, typ, plen: struct.pack("<IHHIIQQQQ", magic, ver, typ, plen, 0, 0, 0, 0, 0)
send_close(os.urandom(4096), True)
send_close(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n", True)
send_close(hdr(MAGIC, 99, 10, 0), True)                 # other version
send_close(hdr(MAGIC, 1, 10, (1 << 20) + 1), True)      # oversized
send_close(hdr(MAGIC, 1, 10, 4096)[:20])                # truncated header
send_close(hdr(MAGIC, 1, 10, 4096) + b"x" * 100)        # truncated payload
send_close(hdr(MAGIC, 1, 11, 0), True)                  # command before hello
print("junk sent")
EOF
}

# flood.py PORT N: N connections opened and closed as fast as possible,
# every tenth writing random bytes; prints "RATE <conn/s> <n>".
write_flood_py() {
	cat >"$T/flood.py" <<'EOF'
import os, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
t0 = time.time()
done = 0
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i % 10 == 0:
            s.sendall(os.urandom(64))
        s.close()
        done += 1
    except OSError as e:
        print("connect failed:", e, file=sys.stderr)
dt = time.time() - t0
print("RATE %d %d" % (done / dt if dt > 0 else done, done))
sys.exit(0 if done == n else 1)
EOF
}

scenario() {
	local silent=() i out rate fpids=() p ok=0 bad=0 total=0 sum=0 t0 t1
	command -v python3 >/dev/null || t_fail "python3 needed"
	write_junk_py
	write_flood_py
	t_coord_start
	t_launch threads_tls
	t_wait_ready

	# clients that connect and never speak (kept open through the flood)
	for i in 1 2 3; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$COORD_PORT" || t_fail "connect"
		silent+=("$fd")
	done

	timeout 60 python3 "$T/junk.py" "$COORD_PORT" >"$T/junk.log" 2>&1 ||
		t_fail "junk.py failed: $(cat "$T/junk.log")"
	# a wrong secret is refused with exit 3 and logged
	DMTCP_COORD_SECRET=0123456789abcdef0123456789abcdef t_command -s \
		>"$T/wrong.out" 2>&1
	[ $? -eq 3 ] || t_fail "wrong secret: expected exit 3: $(cat "$T/wrong.out")"

	# the flood, during which a checkpoint is taken and dmtcp_command
	# keeps asking for the status
	t0=$(date +%s%N)
	for ((i = 0; i < FLOODERS; i++)); do
		timeout 300 python3 "$T/flood.py" "$COORD_PORT" "$FLOOD_N" \
			>"$T/flood.$i.log" 2>&1 &
		fpids+=($!)
		t_track $!
	done
	t_checkpoint
	for p in "${fpids[@]}"; do
		while t_alive "$p"; do
			if t_peers_running 1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		done
	done
	t1=$(date +%s%N)
	for ((i = 0; i < FLOODERS; i++)); do
		wait "${fpids[$i]}" || t_fail "flooder $i failed: $(tail -3 "$T/flood.$i.log")"
		rate=$(sed -n 's/^RATE //p' "$T/flood.$i.log")
		total=$((total + ${rate#* }))
	done
	rate=$((total * 1000 / ((t1 - t0) / 1000000 + 1)))
	t_log "flood: $total connections from $FLOODERS flooders in $(((t1 - t0) / 1000000)) ms = $rate connections/s; checkpoint during it ok; status answered $ok times, $bad failures"
	[ "$bad" -eq 0 ] || t_fail "dmtcp_command failed $bad times during the flood"

	# everything was logged, the computation is untouched
	for what in 'bad magic' 'protocol version mismatch' 'payload too large' \
		'before hello' 'refused connection'; do
		grep -q "$what" "$T/coord.log" ||
			t_fail "coordinator log lacks '$what'"
	done
	out=$(t_command -l) || t_fail "list after the flood"
	[ "$(grep -c threads_tls <<<"$out")" = 1 ] ||
		t_fail "list after the flood: $out"
	out=$(t_command -s)
	grep -qx 'NUM_PEERS=1' <<<"$out" || t_fail "status after the flood: $out"

	# the silent clients are still connected (hello timeout 10 s) or were
	# dropped with a log line; neither disturbs the checkpoint
	t_checkpoint
	for fd in "${silent[@]}"; do
		exec {fd}>&-
	done
	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" threads_tls 1
	kill -0 "$COORD_PID" || t_fail "coordinator died"
	t_log "coordinator log: $(grep -c 'dropping' "$T/coord.log") drops, $(grep -c 'refused' "$T/coord.log") refusals"
}

t_main t_run flood scenario
