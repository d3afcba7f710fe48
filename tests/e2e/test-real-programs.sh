#!/bin/bash
# test-real-programs.sh - real programs through 2 checkpoint/kill/restart
# cycles each:
#  - bash running a loop with a shell variable counter and an external
#    `sleep` child in every iteration (fork + exec followed; the output
#    must be the unbroken sequence 1..N);
#  - python3 with an in-memory sqlite database and a background thread
#    (the script checks the table after every insert).
# gzip and raw, as root and as the unprivileged user.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

ckpt_kill_restart() { # pid -> sets RST_PID
	local out rc
	out=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" \
		--bcheckpoint 2>&1)
	rc=$?
	[ $rc -eq 0 ] || t_fail "bcheckpoint exited $rc: $out"
	t_log "checkpoint: $(grep -c IMAGE= <<<"$out") image(s)"
	t_command --kill >/dev/null 2>&1 || t_fail "kill failed"
	t_wait_exit "$1" "$T_TIMEOUT" "killed computation"
	t_wait "$T_TIMEOUT" "0 peers after kill" t_peers 0
	RST_N=$((RST_N + 1))
	"$COORD_CKPTDIR/dmtcp_restart_script.sh" </dev/null \
		>"$T/restart.$RST_N.log" 2>&1 &
	RST_PID=$!
	t_track "$RST_PID"
	t_wait "$T_TIMEOUT" "restarted computation to join" t_peers_any
	sleep 1
	t_alive "$RST_PID" || t_fail "restart exited early: $(cat "$T/restart.$RST_N.log")"
}

t_peers_any() {
	local out
	out=$(t_command --status 2>&1) || return 1
	grep -qE '^[[:space:]]*RUNNING=yes' <<<"$out"
}

# real_cycles NAME LINE CMD...: dmtcp_launch CMD (stdout $T/app.log), wait
# for LINE in its output, 2 checkpoint/kill/restart cycles, then touch the
# stop file and wait for the restored program to exit (status in T_RC)
real_cycles() {
	local name=$1 line=$2 cur
	shift 2
	t_coord_start
	"$BIN/dmtcp_launch" --join-coordinator "$@" \
		</dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait "$T_TIMEOUT" "$name output" grep -q "^$line\$" "$T/app.log"
	cur=$APP_PID
	for _ in 1 2; do
		ckpt_kill_restart "$cur"
		cur=$RST_PID
	done
	touch "$TEST_STOP_FILE"
	t_wait_exit "$cur" "$T_TIMEOUT" "$name after the stop file"
}

bash_loop() {
	local n
	real_cycles "bash loop" i=5 bash -c \
		'i=0; while [ ! -e "$TEST_STOP_FILE" ]; do i=$((i+1)); echo "i=$i"; sleep 0.05; done; echo "final i=$i"'
	grep -q '^final i=' "$T/app.log" || t_fail "no final line: $(tail -n 3 "$T/app.log")"
	n=$(sed -n 's/^final i=//p' "$T/app.log")
	awk -v n="$n" '
		/^i=/ { k++; if ($0 != "i=" k) { print "line " k ": " $0; bad=1; exit } }
		END { if (!bad && k != n) { print "count " k " != " n; bad=1 } exit bad }
	' "$T/app.log" || t_fail "bash counter sequence broken"
	[ "$T_RC" -eq 0 ] || t_fail "bash exited $T_RC"
	t_log "bash: counter reached $n, sequence intact"
}

python_sqlite() {
	command -v python3 >/dev/null || { t_log "no python3: skipped"; return 0; }
	cat >"$T/app.py" <<'PY'
import os, sqlite3, sys, threading, time
db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("create table t(k integer primary key, v text)")
ticks = [0]
def bg():
    while True:
        ticks[0] += 1
        time.sleep(0.01)
threading.Thread(target=bg, daemon=True).start()
n = 0
stop = os.environ["TEST_STOP_FILE"]
while not os.path.exists(stop):
    n += 1
    db.execute("insert into t(v) values (?)", ("row%d" % n,))
    db.commit()
    c = db.execute("select count(*), max(k), sum(length(v)) from t").fetchone()
    if c[0] != n or c[1] != n:
        print("FAIL python: table has %r after %d inserts" % (c, n), flush=True)
        sys.exit(1)
    print("n=%d" % n, flush=True)
    time.sleep(0.02)
t0 = ticks[0]
time.sleep(0.2)
if ticks[0] == t0:
    print("FAIL python: background thread stopped", flush=True)
    sys.exit(1)
print("PASS python n=%d" % n, flush=True)
PY
	real_cycles python n=5 python3 "$T/app.py"
	grep -q '^PASS python' "$T/app.log" ||
		t_fail "python: $(grep -a FAIL "$T/app.log" | head -n 1) $(tail -n 3 "$T/app.err")"
	[ "$T_RC" -eq 0 ] || t_fail "python exited $T_RC"
	t_log "$(grep '^PASS python' "$T/app.log")"
}

scenario() {
	bash_loop
	t_kill_all 2>/dev/null
	rm -f "$TEST_STOP_FILE"
	python_sqlite
}

t_main t_modes scenario
