#!/bin/bash
# test-coordinator.sh - end-to-end checks of dmtcp_coordinator,
# dmtcp_command and dmtcp_launch's error paths.  Self-contained: only
# ports chosen by the kernel (-p 0 + --port-file), every wait bounded,
# everything started is stopped by pid.
set -u
B=${DMTCP_BUILDDIR:?DMTCP_BUILDDIR must point at the build tree}/bin
T=$(mktemp -d /tmp/test-coordinator.XXXXXX)
export DMTCP_TMPDIR=$T
unset DMTCP_COORD_SECRET DMTCP_COORD_HOST DMTCP_COORD_PORT DMTCP_CHECKPOINT_DIR
pids=()
failures=0
trap '' PIPE
cd "$T" || exit 1	# the coordinator writes restart scripts to its cwd

cleanup() {
	local p f
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	# coordinators started by dmtcp_launch: stop them through their port
	for f in "$T"/dmtcp-*/coordinator-*.secret; do
		[ -e "$f" ] || continue
		p=${f##*coordinator-}
		timeout 10 "$B/dmtcp_command" -p "${p%.secret}" q >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# wait_for FILE: up to 5 s for FILE to be non-empty
wait_for() {
	local i
	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_gone PID: up to 5 s for PID to exit
wait_gone() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# start_coord NAME STDIN [ARGS...]: coordinator on a kernel-chosen port;
# sets $port and $cpid.  (A background job's stdin is /dev/null unless
# redirected on the command itself, hence the STDIN argument.)
start_coord() {
	local name=$1 input=$2; shift 2
	rm -f "$T/$name.port"
	"$B/dmtcp_coordinator" -p 0 --port-file "$T/$name.port" "$@" \
		<"$input" >"$T/$name.out" 2>"$T/$name.err" &
	cpid=$!
	pids+=("$cpid")
	if ! wait_for "$T/$name.port"; then
		fail "$name: no port file within 5 s"; cat "$T/$name.err"
		return 1
	fi
	port=$(cat "$T/$name.port")
}

cmd() { timeout 30 "$B/dmtcp_command" -p "$port" "$@"; }

# --- port 0, port file, status with no peers -------------------------
start_coord c1 /dev/null || exit 1
c1pid=$cpid c1port=$port
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] &&
	pass "port file holds port $port" || fail "bad port file: '$port'"
grep -q "Port: $port" "$T/c1.out" && pass "banner shows the port" ||
	fail "banner lacks the port: $(cat "$T/c1.out")"
out=$(cmd -s); rc=$?
[ $rc -eq 0 ] && grep -qx 'NUM_PEERS=0' <<<"$out" &&
	grep -qx 'RUNNING=no' <<<"$out" &&
	grep -qx "COORDINATOR=localhost:$port" <<<"$out" &&
	pass "dmtcp_command -s: NUM_PEERS=0" ||
	fail "dmtcp_command -s (rc $rc): $out"
out=$(cmd s l); [ $? -eq 0 ] && grep -qx 'NUM_PEERS=0' <<<"$out" &&
	pass "DMTCP-style words" || fail "words s l: $out"
secret=$(ls "$T"/dmtcp-*/coordinator-"$port".secret 2>/dev/null)
if [ -n "$secret" ] && [ "$(stat -c %a "$secret")" = 600 ] &&
   grep -qE '^[0-9a-f]{32}$' "$secret"; then
	pass "secret file is 0600 with 32 hex characters"
else
	fail "secret file: '$secret'"
fi

# --- checkpoint without peers; interval --------------------------------
out=$(cmd -c 2>&1); rc=$?
[ $rc -eq 3 ] && grep -q 'no processes' <<<"$out" &&
	pass "checkpoint without peers: exit 3" ||
	fail "checkpoint without peers (rc $rc): $out"
out=$(cmd -i 42 -s); grep -qx 'INTERVAL=42' <<<"$out" &&
	pass "interval set" || fail "interval: $out"

# --- a second coordinator on the same port fails clearly ---------------
out=$(timeout 10 "$B/dmtcp_coordinator" -p "$port" </dev/null 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "port $port is already in use" <<<"$out" &&
	pass "second coordinator on port $port: exit $rc" ||
	fail "second coordinator (rc $rc): $out"
kill -0 "$c1pid" 2>/dev/null && pass "first coordinator still alive" ||
	fail "first coordinator died"

# --- junk, a silent client, 200 connect/close cycles -------------------
exec 3<>/dev/tcp/127.0.0.1/"$port"	# silent: never says hello
# in subshells: the coordinator hangs up on junk, and a write after that
# raises SIGPIPE, which must not end this script
(
	exec 4<>/dev/tcp/127.0.0.1/"$port" || exit 1
	printf 'GET / HTTP/1.0\r\n\r\nthis is not a dmtcp message....' >&4
	head -c 4096 /dev/urandom >&4
) 2>/dev/null
(
	for i in $(seq 200); do
		exec 5<>/dev/tcp/127.0.0.1/"$port" || exit 1
		exec 5>&-
	done
) 2>/dev/null || fail "connect/close cycles: a connect failed"
out=$(cmd -s); rc=$?
[ $rc -eq 0 ] && grep -qx 'NUM_PEERS=0' <<<"$out" &&
	pass "still answers after junk, a silent client and 200 connects" ||
	fail "status after junk (rc $rc): $out"
exec 3>&-
grep -q 'bad magic' "$T/c1.err" && pass "junk sender logged" ||
	fail "no log line for the junk sender: $(cat "$T/c1.err")"

# --- wrong secret is refused -------------------------------------------
out=$(DMTCP_COORD_SECRET=0123456789abcdef0123456789abcdef cmd -s 2>&1)
rc=$?
[ $rc -eq 3 ] && grep -q 'refused' <<<"$out" &&
	pass "wrong secret refused: exit 3" ||
	fail "wrong secret (rc $rc): $out"

# --- dmtcp_launch error paths ------------------------------------------
out=$("$B/dmtcp_launch" -j -p "$port" /nonexistent/prog 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q '/nonexistent/prog' <<<"$out" &&
	pass "launch: missing program, exit 1" ||
	fail "launch missing program (rc $rc): $out"
out=$("$B/dmtcp_launch" -j -p "$port" no-such-command-xyz 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'not found' <<<"$out" &&
	pass "launch: command not in PATH, exit 1" ||
	fail "launch not in PATH (rc $rc): $out"
if [ -x /sbin/ldconfig ] && file -L /sbin/ldconfig 2>/dev/null |
	grep -q static; then
	out=$("$B/dmtcp_launch" -j -p "$port" /sbin/ldconfig 2>&1); rc=$?
	[ $rc -eq 1 ] && grep -q 'is statically linked: the checkpoint library cannot be preloaded' <<<"$out" &&
		pass "launch: static program refused" ||
		fail "launch static (rc $rc): $out"
fi
out=$("$B/dmtcp_launch" --bogus /bin/true 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'Usage' <<<"$out" &&
	pass "launch: unknown option, usage, exit 1" ||
	fail "launch unknown option (rc $rc): $out"
out=$("$B/dmtcp_launch"); rc=$?
[ $rc -eq 1 ] && grep -q 'Usage' <<<"$out" &&
	pass "launch: no program prints usage on stdout, exit 1" ||
	fail "launch no args (rc $rc): $out"
out=$("$B/dmtcp_command"); rc=$?
[ $rc -eq 1 ] && grep -q 'Usage' <<<"$out" &&
	pass "command: no arguments prints usage on stdout, exit 1" ||
	fail "command no args (rc $rc): $out"

# --- a launched program joins (needs the checkpoint library) ----------
if [ -e "$B/../lib/libdmtcp.so" ]; then
	timeout 20 "$B/dmtcp_launch" -j -p "$port" --ckptdir "$T/ck" \
		sleep 2 >"$T/launch.out" 2>&1 &
	lpid=$!
	pids+=("$lpid")
	ok=
	for i in $(seq 60); do
		out=$(cmd -s)
		grep -qx 'NUM_PEERS=1' <<<"$out" && { ok=1; break; }
		sleep 0.05
	done
	[ -n "$ok" ] && pass "launched program joined: NUM_PEERS=1" ||
		fail "launched program did not join: $out $(cat "$T/launch.out")"
	wait "$lpid"
	rc=$?
	[ $rc -eq 0 ] && pass "launched program exited 0" ||
		fail "launched program exit $rc: $(cat "$T/launch.out")"
fi

# --- quit stops it; then the port is dead -------------------------------
out=$(cmd --quit); rc=$?
[ $rc -eq 0 ] && pass "dmtcp_command --quit" || fail "quit (rc $rc): $out"
wait_gone "$c1pid" && pass "coordinator exited after --quit" ||
	fail "coordinator still running after --quit"
[ -z "$(ls "$T"/dmtcp-*/coordinator-"$c1port".secret 2>/dev/null)" ] &&
	pass "secret file removed at exit" || fail "secret file left behind"
out=$(timeout 10 "$B/dmtcp_command" -p "$c1port" -s 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "localhost:$c1port" <<<"$out" &&
	grep -q 'Connection refused' <<<"$out" &&
	pass "dead port: exit 2, names host:port and reason" ||
	fail "dead port (rc $rc): $out"

# --- console on a pipe: answers lines, EOF does not quit ----------------
mkfifo "$T/console"
exec 6<>"$T/console"	# a writer, so that opening for reading cannot block
start_coord c2 "$T/console" || exit 1
printf 's\nl\nbogus\n' >&6
for i in $(seq 100); do
	grep -q 'NUM_PEERS=0' "$T/c2.out" && break
	sleep 0.05
done
grep -qx 'NUM_PEERS=0' "$T/c2.out" && pass "console 's' prints status" ||
	fail "console status: $(cat "$T/c2.out")"
grep -q "unknown command 'bogus'" "$T/c2.out" &&
	pass "console rejects unknown commands" ||
	fail "console unknown: $(cat "$T/c2.out")"
exec 6>&-	# EOF on stdin
sleep 0.2
out=$(cmd -s); [ $? -eq 0 ] && kill -0 "$cpid" &&
	pass "EOF on a non-tty console does not stop the coordinator" ||
	fail "coordinator gone after console EOF"
out=$(cmd q); wait_gone "$cpid" && pass "q via dmtcp_command" ||
	fail "c2 still running"

# --- console 'q' quits ----------------------------------------------------
start_coord c3 <(sleep 0.3; echo q; sleep 5) || exit 1
wait_gone "$cpid" && pass "console 'q' quits" || fail "console q"

# --- dmtcp_launch --new-coordinator -p 0 then --join to it ---------------
if [ -e "$B/../lib/libdmtcp.so" ]; then
	out=$(timeout 20 "$B/dmtcp_launch" --new-coordinator -p 0 \
		sh -c 'echo "PORT=$DMTCP_COORD_PORT SECRET=$DMTCP_COORD_SECRET"' 2>&1)
	rc=$?
	[ $rc -eq 0 ] && grep -qE 'PORT=[1-9][0-9]* SECRET=[0-9a-f]{32}' <<<"$out" &&
		pass "launch --new-coordinator -p 0 sets the port and secret" ||
		fail "launch --new-coordinator (rc $rc): $out"
fi

echo
if [ $failures -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
