#!/bin/bash
# test-redis.sh - a real server: redis-server (no persistence: --save ''
# --appendonly no, so its data exists only in its memory) on a free port,
# through 2 checkpoint/kill/restart cycles.  Keys, a list and a counter are
# written with redis-cli (run outside the computation, one short-lived
# connection per call) before each checkpoint; after each restart redis
# must answer new connections with the same pid and every key written so
# far.  At the end SHUTDOWN NOSAVE must end the restarted redis with
# status 0.  gzip and raw, root and unprivileged.  Skipped (with a note)
# where redis-server or redis-cli is not installed (.ci/run installs them).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

RPORT=""

rcli() {
	timeout -k 2 10 redis-cli -h 127.0.0.1 -p "$RPORT" "$@"
}

# A TCP port nobody listens on (LISTEN sockets in /proc/net/tcp{,6}).
pick_port() {
	local used=" " p _sl loc _rem st _rest
	while read -r _sl loc _rem st _rest; do
		[ "$st" = 0A ] && used+="$((16#${loc##*:})) "
	done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		[[ "$used" == *" $p "* ]] || { echo "$p"; return 0; }
	done
	return 1
}

redis_up() { # pid
	[ "$(rcli ping 2>/dev/null)" = PONG ] && return 0
	t_alive "$1" || return 2
	return 1
}

# Starts redis under dmtcp_launch; retries on another port when the one
# chosen was taken meanwhile.  Sets APP_PID and RPORT.
start_redis() {
	local try rc
	for try in 1 2 3 4 5; do
		RPORT=$(pick_port) || t_fail "no free TCP port found"
		: >"$T/app.log"
		"$BIN/dmtcp_launch" --join-coordinator redis-server \
			--port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
			--daemonize no --dir "$T" \
			</dev/null >"$T/app.log" 2>"$T/app.err" &
		APP_PID=$!
		t_track "$APP_PID"
		for _ in $(seq 300); do
			redis_up "$APP_PID"
			rc=$?
			[ $rc -ne 1 ] && break
			sleep 0.1
		done
		if [ $rc -eq 0 ]; then
			t_log "redis-server pid $APP_PID on port $RPORT (try $try)"
			return 0
		fi
		if [ $rc -eq 2 ] && grep -qi 'address already in use' "$T/app.log"; then
			t_log "port $RPORT taken meanwhile: another one"
			wait "$APP_PID" 2>/dev/null
			continue
		fi
		t_fail "redis-server did not answer PING on port $RPORT"
	done
	t_fail "redis-server: no port worked in 5 tries"
}

# put_batch B: 50 keys kB_1..kB_50, list items and a counter increment.
put_batch() {
	local b=$1 i args=()
	for ((i = 1; i <= 50; i++)); do
		args+=("k${b}_$i" "v${b}_$i-$(((b * 7919 + i * 104729) % 1000003))")
	done
	[ "$(rcli mset "${args[@]}")" = OK ] || t_fail "MSET batch $b failed"
	rcli rpush lst "item$b-a" "item$b-b" >/dev/null || t_fail "RPUSH batch $b failed"
	rcli incrby ctr "$((b * 10))" >/dev/null || t_fail "INCRBY batch $b failed"
}

# check_batches N: batches 1..N all there, nothing else.
check_batches() {
	local n=$1 b i keys=() want=() got ctr=0 lst=()
	for ((b = 1; b <= n; b++)); do
		for ((i = 1; i <= 50; i++)); do
			keys+=("k${b}_$i")
			want+=("v${b}_$i-$(((b * 7919 + i * 104729) % 1000003))")
		done
		lst+=("item$b-a" "item$b-b")
		ctr=$((ctr + b * 10))
	done
	got=$(rcli dbsize) || t_fail "DBSIZE: no answer"
	[ "$got" = $((n * 50 + 2)) ] || t_fail "DBSIZE is $got, expected $((n * 50 + 2))"
	got=$(rcli mget "${keys[@]}") || t_fail "MGET: no answer"
	[ "$got" = "$(printf '%s\n' "${want[@]}")" ] ||
		t_fail "MGET of ${#keys[@]} keys differs: $(diff <(echo "$got") <(printf '%s\n' "${want[@]}") | head -n 4)"
	got=$(rcli lrange lst 0 -1)
	[ "$got" = "$(printf '%s\n' "${lst[@]}")" ] || t_fail "list is: $got"
	got=$(rcli get ctr)
	[ "$got" = "$ctr" ] || t_fail "counter is $got, expected $ctr"
	t_log "redis holds batches 1..$n ($((n * 50 + 2)) keys) intact"
}

redis_pid() {
	rcli info server | tr -d '\r' | sed -n 's/^process_id://p'
}

scenario() {
	local cur pid0 b
	t_coord_start
	start_redis
	pid0=$(redis_pid)
	[ -n "$pid0" ] || t_fail "INFO server shows no process_id"
	t_wait "$T_TIMEOUT" "coordinator to list redis" t_peers_running 1
	put_batch 1
	check_batches 1
	cur=$APP_PID
	for b in 2 3; do
		t_checkpoint
		t_kill "$cur"
		t_restart
		cur=$RST_PID
		t_wait "$T_TIMEOUT" "restarted redis to answer a new connection" \
			redis_up "$cur"
		[ "$(redis_pid)" = "$pid0" ] ||
			t_fail "redis reports pid $(redis_pid) after restart, was $pid0"
		check_batches $((b - 1))
		put_batch "$b"
		check_batches "$b"
	done
	t_log "SHUTDOWN NOSAVE"
	rcli shutdown nosave >/dev/null 2>&1
	t_wait_exit "$cur" "$T_TIMEOUT" "restarted redis after SHUTDOWN"
	[ "$T_RC" -eq 0 ] || t_fail "restarted redis ended with status $T_RC"
}

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "note: redis-server/redis-cli not installed: test skipped (.ci/run installs them)"
	exit 0
fi
t_main t_modes scenario
