#!/bin/bash
# test-sec-log-inject.sh - names that come from clients (program, host,
# computation id, image paths, error messages) must not forge lines in
# the coordinator's log, its console, dmtcp_command's output or the
# restart script:
#  1. another local user (dmtcpspy) leaves a program in a shared
#     directory whose file name holds a newline, "FAKE ..." and a
#     terminal escape; the victim runs it under dmtcp_launch.  The
#     coordinator's log (which also holds its console output: the console
#     "l" command is given), dmtcp_command --list and --bcheckpoint must
#     show no line starting with FAKE and no control character, and the
#     restart script must bring the program back from its image;
#  2. the spy sends a hello (without the secret) full of such names;
#  3. a client of the victim's (it has the secret: a process whose names
#     the spy chose) restarts with a computation id holding a newline and
#     shell syntax, reports an image path and a checkpoint error holding
#     newlines: besides the outputs above, the restart script written
#     for it must be valid bash with no forged line, and running it must
#     not run the spy's command.
# Needs root (to be two users); prints SKIP elsewhere.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# fake.py PORT SECRETFILE STATUSFILE CKPTDIR: a worker restarting
# computation "c1<newline>FAKE ...$(touch PWNED)"; takes part in
# checkpoints (the first one reports an image whose path holds a
# newline, later ones fail with a message holding one) and dies on KILL.
write_fake_py() {
	cat >"$T/fake.py" <<'EOF'
import os, socket, struct, sys
port, secret_file, status, ckdir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
MAGIC = 0x50434d44
HELLO_WORKER, BARRIER, CKPT_WRITTEN, KILL_READY = 1, 2, 3, 6
WELCOME, DO_CKPT, RELEASE, KILL, REFUSE = 20, 21, 22, 23, 40
secret = open(secret_file).read().strip().encode()
comp = b"c1\nFAKE comp $(touch PWNED) `touch PWNED`"
hello = struct.pack("<33s7xIIIIII64s64s64s64s4096sII", secret, os.getpid(), 1, 0, 1, 3, 1,
                    b"host\nFAKE host\x1b[31m", b"prog\r\nFAKE prog\x07\x9b",
                    comp, b"u\nFAKE uid", b"/nonexistent\nFAKE image.dmtcp", 0, 0)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
def send(typ, payload=b"", arg0=0, flags=0):
    s.sendall(struct.pack("<IHHIIQQQQ", MAGIC, 1, typ, len(payload), flags, arg0, 0, 0, 0) + payload)
def recv_exact(n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            sys.exit(0)
        b += d
    return b
def say(text):
    with open(status + ".tmp", "w") as f:
        f.write(text + "\n")
    os.rename(status + ".tmp", status)
send(HELLO_WORKER, hello)
ckpts = 0
s.settimeout(None)
while True:
    h = recv_exact(48)
    typ, plen, arg0 = struct.unpack_from("<H", h, 6)[0], struct.unpack_from("<I", h, 8)[0], struct.unpack_from("<Q", h, 16)[0]
    payload = recv_exact(plen)
    if typ == REFUSE:
        say("REFUSED " + payload.decode(errors="replace"))
        sys.exit(1)
    if typ == WELCOME:
        send(BARRIER, arg0=6)
    elif typ == RELEASE and arg0 == 6:
        send(BARRIER, arg0=7)
    elif typ == RELEASE and arg0 == 7:
        say("RUNNING")
    elif typ == DO_CKPT:
        ckpts += 1
        send(BARRIER, arg0=1)
    elif typ == RELEASE and arg0 in (1, 2):
        if arg0 == 2 and ckpts > 1:
            send(CKPT_WRITTEN, b"disk full\nFAKE failure\x1b]0;title\x07", flags=1)
        send(BARRIER, arg0=arg0 + 1)
    elif typ == RELEASE and arg0 == 3:
        if ckpts == 1:
            send(CKPT_WRITTEN, (ckdir + "/ckpt_x\nFAKE written.dmtcp").encode(), arg0=4096, flags=0)
        send(BARRIER, arg0=4)
    elif typ == RELEASE and arg0 == 4:
        send(BARRIER, arg0=5)
    elif typ == RELEASE and arg0 == 5:
        say("CKPT %d" % ckpts)
    elif typ == KILL and arg0 == 1:
        send(KILL_READY)
    elif typ == KILL:
        sys.exit(0)
EOF
}

# spy_hello.py PORT: a hello without the secret, names full of newlines
write_spy_hello_py() {
	cat >"$T/spy_hello.py" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
hello = struct.pack("<33s7xIIIIII64s64s64s64s4096sII", b"\nFAKE secret", 1, 1, 0, 1, 0, 1,
                    b"h\nFAKE spy host", b"p\nFAKE spy prog", b"c\nFAKE spy comp",
                    b"u\nFAKE spy id", b"/i\nFAKE spy image", 0, 0)
for typ in (1, 10):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(struct.pack("<IHHIIQQQQ", 0x50434d44, 1, typ, len(hello), 0, 0, 0, 0, 0) + hello)
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()
print("sent")
EOF
}

# no_fake WHAT FILE: no line of FILE starts with FAKE, no control byte
no_fake() {
	local bad
	bad=$(grep -an '^[[:space:]]*FAKE' "$2" | head -3)
	[ -z "$bad" ] || t_fail "$1 has a forged line: $bad"
	bad=$(LC_ALL=C grep -anP '[\x00-\x08\x0b-\x1f\x7f]' "$2" | head -3)
	[ -z "$bad" ] || t_fail "$1 holds control characters: $(cat -A <<<"$bad")"
}

# the coordinator with a console on a FIFO (else like t_coord_start)
coord_start_console() {
	mkfifo "$T/console"
	exec {CONSOLE}<>"$T/console"
	"$BIN/dmtcp_coordinator" -p 0 --port-file "$T/coord.port" \
		--ckptdir "$T/ckpt" <"$T/console" >"$T/coord.log" 2>&1 &
	COORD_PID=$!
	t_track "$COORD_PID"
	t_wait "$T_TIMEOUT" "coordinator port file" t_port_file_ready \
		"$T/coord.port" "$COORD_PID"
	COORD_PORT=$(cat "$T/coord.port")
	COORD_CKPTDIR=$T/ckpt
	export DMTCP_COORD_PORT=$COORD_PORT
	t_log "coordinator pid $COORD_PID port $COORD_PORT (console on $T/console)"
}

console() { # CMD: give the console a command, let it answer
	echo "$1" >&"$CONSOLE"
	sleep 0.5
}

status_has() { # FILE TEXT
	grep -qx "$2" "$1" 2>/dev/null
}

scenario() {
	local prog secret fake out script rc
	command -v python3 >/dev/null || t_fail "python3 needed"
	t_shared_dir "$T/shared"
	write_fake_py
	write_spy_hello_py
	coord_start_console

	# 1. a program named by the spy
	prog=$T/shared/$'tls\nFAKE LINE from the spy\e[2J'
	t_spy cp "$PROGS/threads_tls" "$prog" || t_fail "spy cannot copy the program"
	"$BIN/dmtcp_launch" --join-coordinator "$prog" </dev/null \
		>"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait_ready
	t_command -l >"$T/list1.out" 2>&1 || t_fail "--list: $(cat "$T/list1.out")"
	grep -q 'tls' "$T/list1.out" || t_fail "--list lacks the program: $(cat "$T/list1.out")"
	no_fake "dmtcp_command --list" "$T/list1.out"
	console l
	timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" \
		--bcheckpoint >"$T/ckpt1.out" 2>&1 || t_fail "--bcheckpoint: $(cat "$T/ckpt1.out")"
	grep -q '^IMAGE=' "$T/ckpt1.out" || t_fail "no image: $(cat "$T/ckpt1.out")"
	no_fake "dmtcp_command --bcheckpoint" "$T/ckpt1.out"
	t_command -l >"$T/list2.out" 2>&1
	no_fake "dmtcp_command --list after a checkpoint" "$T/list2.out"
	console l
	# the restart script names the image (newline and all) exactly
	t_kill "$APP_PID"
	grep -q "^[[:space:]]*\$'.*FAKE LINE" "$T/ckpt/dmtcp_restart_script.sh" ||
		t_fail "the restart script does not quote the image name on one line: $(cat "$T/ckpt/dmtcp_restart_script.sh")"
	t_restart
	t_command -l >"$T/list3.out" 2>&1
	no_fake "dmtcp_command --list after the restart" "$T/list3.out"
	t_kill "$RST_PID"

	# 2. the spy's own hello
	t_spy python3 "$T/spy_hello.py" "$COORD_PORT" >"$T/spy_hello.log" 2>&1 ||
		t_fail "spy_hello.py: $(cat "$T/spy_hello.log")"

	# 3. a client of the victim's with hostile names
	secret=$(echo "$DMTCP_TMPDIR"/dmtcp-*/coordinator-"$COORD_PORT".secret)
	[ -s "$secret" ] || t_fail "no secret file $secret"
	python3 "$T/fake.py" "$COORD_PORT" "$secret" "$T/fake.status" \
		"$T/ckpt" >"$T/fake.log" 2>&1 &
	fake=$!
	t_track "$fake"
	t_wait "$T_TIMEOUT" "the fake worker to run" status_has "$T/fake.status" RUNNING
	for what in --status --list; do
		t_command $what >"$T/fake$what.out" 2>&1 || t_fail "$what: $(cat "$T/fake$what.out")"
		no_fake "dmtcp_command $what" "$T/fake$what.out"
	done
	grep -q '^COMPUTATION=c1' "$T/fake--status.out" ||
		t_fail "status does not show the computation: $(cat "$T/fake--status.out")"
	console l
	timeout -k 5 60 "$BIN/dmtcp_command" -p "$COORD_PORT" --bcheckpoint \
		>"$T/ckpt2.out" 2>&1 || t_fail "--bcheckpoint (fake): $(cat "$T/ckpt2.out")"
	no_fake "dmtcp_command --bcheckpoint (fake worker)" "$T/ckpt2.out"
	timeout -k 5 60 "$BIN/dmtcp_command" -p "$COORD_PORT" --bcheckpoint \
		>"$T/ckpt3.out" 2>&1
	rc=$?
	[ $rc -ne 0 ] || t_fail "a failed checkpoint succeeded: $(cat "$T/ckpt3.out")"
	grep -q 'FAILED=' "$T/ckpt3.out" || t_fail "no FAILED= line: $(cat "$T/ckpt3.out")"
	no_fake "dmtcp_command --bcheckpoint (failing)" "$T/ckpt3.out"
	t_command -l >"$T/fake-list2.out" 2>&1
	no_fake "dmtcp_command --list (fake worker, after checkpoints)" "$T/fake-list2.out"
	console l
	console s

	# the restart script written for the fake computation
	script=$T/ckpt/dmtcp_restart_script.sh
	[ -f "$script" ] || t_fail "no restart script"
	grep -q "FAKE written" "$script" || t_fail "the script does not name the fake image: $(cat "$script")"
	(cd "$T" && bash "$script" --help) >"$T/script-help.out" 2>&1
	rc=$?
	[ ! -e "$T/PWNED" ] || t_fail "running the restart script ran the spy's command"
	[ $rc -eq 0 ] || t_fail "restart script --help failed: $(cat "$T/script-help.out")"
	bash -n "$script" || t_fail "the restart script is not valid bash"
	grep -n '^[[:space:]]*FAKE' "$script" && t_fail "the restart script has a forged line"
	no_fake "restart script --help" "$T/script-help.out"
	t_command --kill >/dev/null 2>&1
	t_wait_exit "$fake" 30 "fake.py"

	kill -0 "$COORD_PID" || t_fail "coordinator died"
	sleep 0.5
	no_fake "the coordinator's log and console" "$T/coord.log"
	grep -q 'tls' "$T/coord.log" || t_fail "the log does not name the program"
	t_log "log lines naming the program: $(grep -a 'tls' "$T/coord.log" | head -2 | cut -c1-160)"
	t_log "log lines naming the computation: $(grep -a 'computation c1' "$T/coord.log" | head -1 | cut -c1-160)"
}

t_hostile_main t_run log-inject scenario
