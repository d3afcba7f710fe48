#!/bin/bash
# test-errors.sh - every user error gets a clear message that names the
# file or resource, a non-zero exit status, no crash and no hang:
# no coordinator, port in use, unwritable checkpoint directory, static or
# setuid program given to dmtcp_launch, missing/foreign/empty/truncated/
# corrupt/wrong-version image given to dmtcp_restart.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

E_N=0

# t_expect_error DESC REGEX CMD...: CMD must exit non-zero (not by a
# signal, not by timing out) within T_TIMEOUT and print something matching
# REGEX (extended, case-insensitive) on stdout or stderr.
t_expect_error() {
	local desc=$1 re=$2 rc out
	shift 2
	E_N=$((E_N + 1))
	out=$T/error.$E_N.log
	timeout -k 2 "$T_TIMEOUT" "$@" </dev/null >"$out" 2>&1
	rc=$?
	t_log "$desc: exit $rc: $(head -c 300 "$out" | tr '\n' ' ')"
	[ $rc -ne 124 ] && [ $rc -ne 137 ] ||
		t_fail "$desc: hung (killed after ${T_TIMEOUT}s): $*"
	[ $rc -lt 128 ] || t_fail "$desc: killed by signal $((rc - 128)): $*"
	[ $rc -ne 0 ] || t_fail "$desc: succeeded (exit 0), expected an error: $*"
	grep -Eqi -- "$re" "$out" ||
		t_fail "$desc: message does not match /$re/: $(head -c 400 "$out")"
	ls "$T"/core* >/dev/null 2>&1 && t_fail "$desc: left a core file"
	return 0
}

# Sets FREE_PORT to a port nobody listens on: lets a coordinator pick one,
# then quits it.
free_port() {
	local pid port
	"$BIN/dmtcp_coordinator" -p 0 --port-file "$T/free.port" \
		</dev/null >"$T/free-coord.log" 2>&1 &
	pid=$!
	t_track "$pid"
	t_wait "$T_TIMEOUT" "port file" t_port_file_ready "$T/free.port" "$pid"
	port=$(cat "$T/free.port")
	timeout 10 "$BIN/dmtcp_command" -p "$port" --quit >/dev/null 2>&1
	t_wait_exit "$pid" "$T_TIMEOUT" "temporary coordinator"
	FREE_PORT=$port
}

errors_coordinator() {
	local port
	free_port
	port=$FREE_PORT
	touch "$TEST_STOP_FILE"
	t_expect_error "dmtcp_command, no coordinator (exit 2)" "$port" \
		"$BIN/dmtcp_command" -p "$port" --status
	"$BIN/dmtcp_command" -p "$port" --status >/dev/null 2>&1
	[ $? -eq 2 ] || t_fail "dmtcp_command without coordinator must exit 2"
	t_expect_error "dmtcp_launch --join-coordinator, no coordinator" "$port" \
		"$BIN/dmtcp_launch" --join-coordinator -p "$port" \
		"$PROGS/threads_tls"
	grep -aq READY "$T/error.$E_N.log" &&
		t_fail "the program ran although no coordinator was there"

	t_coord_start
	t_expect_error "second coordinator on a port in use" "$COORD_PORT" \
		"$BIN/dmtcp_coordinator" -p "$COORD_PORT" --ckptdir "$T/ckpt"
	t_expect_error "dmtcp_launch --new-coordinator on a port in use" \
		"$COORD_PORT" "$BIN/dmtcp_launch" --new-coordinator \
		-p "$COORD_PORT" "$PROGS/threads_tls"
	t_alive "$COORD_PID" || t_fail "the first coordinator died"
	t_expect_error "--bcheckpoint with no processes (exit 3)" "." \
		"$BIN/dmtcp_command" -p "$COORD_PORT" --bcheckpoint
	"$BIN/dmtcp_command" -p "$COORD_PORT" --bcheckpoint >/dev/null 2>&1
	[ $? -eq 3 ] || t_fail "--bcheckpoint without processes must exit 3"
}

errors_launch() {
	local bad=$T/not-a-dir/ckpt rc
	t_coord_start
	touch "$TEST_STOP_FILE"	# a program that runs anyway ends at once
	t_expect_error "dmtcp_launch of a static program" "static_hello" \
		"$BIN/dmtcp_launch" --join-coordinator "$PROGS/static_hello"
	grep -aq '^PASS' "$T/error.$E_N.log" &&
		t_fail "the static program ran"
	grep -Eqi 'static' "$T/error.$E_N.log" ||
		t_fail "the message does not say the program is static"

	# setuid to another user (setuid to oneself changes nothing, the
	# launcher may accept it): as root a copy owned by nobody, otherwise a
	# setuid-root system program
	if [ "$(id -u)" -eq 0 ]; then
		cp "$PROGS/threads_tls" "$T/suid_prog"
		chown 65534 "$T/suid_prog"
		chmod 4755 "$T/suid_prog"
		t_expect_error "dmtcp_launch of a setuid program" \
			"suid_prog.*set-?uid|set-?uid.*suid_prog" \
			"$BIN/dmtcp_launch" --join-coordinator "$T/suid_prog"
		grep -aq '^PASS' "$T/error.$E_N.log" &&
			t_fail "the setuid program ran"
	else
		for f in /usr/bin/chfn /usr/bin/passwd /bin/su ""; do
			[ -n "$f" ] && [ -u "$f" ] && [ -O "$f" ] || break
		done
		if [ -n "$f" ] && [ -u "$f" ]; then
			t_expect_error "dmtcp_launch of setuid-root $f" \
				"${f##*/}.*set-?uid|set-?uid.*${f##*/}" \
				"$BIN/dmtcp_launch" --join-coordinator "$f"
		else
			t_log "no setuid-root program found: setuid case skipped"
		fi
	fi

	t_expect_error "dmtcp_launch of a missing program" "no-such-prog" \
		"$BIN/dmtcp_launch" --join-coordinator "$T/no-such-prog"

	# an unwritable checkpoint directory (a path through a regular file:
	# unwritable for root too)
	: >"$T/not-a-dir"
	t_expect_error "dmtcp_coordinator --ckptdir unwritable" "not-a-dir" \
		"$BIN/dmtcp_coordinator" -p 0 --ckptdir "$bad"
	rm -f "$TEST_STOP_FILE"
	"$BIN/dmtcp_launch" --join-coordinator --ckptdir "$bad" \
		"$PROGS/threads_tls" </dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait "$T_TIMEOUT" "dmtcp_launch to fail or the program to start" \
		eval 'grep -aq READY "$T/app.log" || ! t_alive $APP_PID'
	if ! grep -aq READY "$T/app.log"; then
		wait "$APP_PID"
		rc=$?
		t_log "dmtcp_launch --ckptdir unwritable: exit $rc: $(head -c 300 "$T/app.err")"
		[ $rc -ne 0 ] && [ $rc -lt 128 ] ||
			t_fail "dmtcp_launch --ckptdir unwritable: exit $rc"
		grep -q "not-a-dir" "$T/app.err" ||
			t_fail "dmtcp_launch --ckptdir unwritable: message does not name $bad"
		return 0
	fi
	# refused only at checkpoint time: the checkpoint must fail clearly
	t_wait "$T_TIMEOUT" "1 running peer" t_peers_running 1
	t_expect_error "--bcheckpoint into an unwritable directory" \
		"not-a-dir|checkpoint.*(fail|error)" \
		"$BIN/dmtcp_command" -p "$COORD_PORT" --bcheckpoint
	grep -q "not-a-dir" "$T/error.$E_N.log" "$T/app.err" "$T/coord.log" ||
		t_fail "no message names the unwritable directory $bad"
	t_alive "$APP_PID" ||
		t_fail "the program died because its checkpoint could not be written"
}

errors_restart() {
	local img f size
	t_have "$BIN/dmtcp_restart"
	t_coord_start
	t_expect_error "dmtcp_restart of a missing image" "missing.dmtcp" \
		"$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" \
		"$T/missing.dmtcp"
	cp /etc/passwd "$T/foreign.dmtcp"
	t_expect_error "dmtcp_restart of a foreign file" "foreign.dmtcp" \
		"$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" \
		"$T/foreign.dmtcp"
	: >"$T/empty.dmtcp"
	t_expect_error "dmtcp_restart of an empty file" "empty.dmtcp" \
		"$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" \
		"$T/empty.dmtcp"
	printf 'DMTCPIMG\001\000\000\000' >"$T/short.dmtcp"
	t_expect_error "dmtcp_restart of a 12-byte image" "short.dmtcp" \
		"$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" \
		"$T/short.dmtcp"

	# damaged copies of a real image
	t_launch threads_tls
	t_wait_ready
	t_checkpoint
	img=${CKPT_IMAGES[0]}
	t_kill "$APP_PID"
	size=$(stat -c %s "$img")

	cp "$img" "$T/badver.dmtcp"
	printf '\143\000\000\000' | dd of="$T/badver.dmtcp" bs=1 seek=8 \
		conv=notrunc status=none
	t_expect_error "dmtcp_restart of a version-99 image" \
		"badver\.dmtcp.*(version|v99)" \
		"$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" \
		"$T/badver.dmtcp"

	head -c $((size / 2)) "$img" >"$T/half.dmtcp"
	t_expect_error "dmtcp_restart of an image cut in half" "half.dmtcp" \
		"$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" \
		"$T/half.dmtcp"
	head -c $((size - 100)) "$img" >"$T/tail.dmtcp"
	t_expect_error "dmtcp_restart of an image missing its last 100 bytes" \
		"tail.dmtcp" "$BIN/dmtcp_restart" --join-coordinator \
		-p "$COORD_PORT" "$T/tail.dmtcp"

	cp "$img" "$T/hdr.dmtcp"
	printf '\377\377\377\377' | dd of="$T/hdr.dmtcp" bs=1 seek=32 \
		conv=notrunc status=none
	t_expect_error "dmtcp_restart of an image with a damaged header" \
		"hdr.dmtcp" "$BIN/dmtcp_restart" --join-coordinator \
		-p "$COORD_PORT" "$T/hdr.dmtcp"

	cp "$img" "$T/rec.dmtcp"
	head -c 64 /dev/zero | tr '\0' '\377' |
		dd of="$T/rec.dmtcp" bs=1 seek=4096 conv=notrunc status=none
	t_expect_error "dmtcp_restart of an image with a damaged record" \
		"rec.dmtcp" "$BIN/dmtcp_restart" --join-coordinator \
		-p "$COORD_PORT" "$T/rec.dmtcp"

	for f in badver half tail hdr rec; do
		cmp -s "$img" "$T/$f.dmtcp" && t_fail "$f.dmtcp was not modified"
	done
	t_peers 0 || t_fail "a failed restart left a process connected"
	# the intact image still restarts
	T_RESTART_CMD=("$BIN/dmtcp_restart" --join-coordinator -p "$COORD_PORT" "$img")
	t_restart
	t_finish "$RST_PID" threads_tls 1
}

all() {
	t_run coordinator errors_coordinator &&
		t_run launch errors_launch &&
		t_run restart errors_restart
}

t_main all
