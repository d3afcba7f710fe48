# tests/e2e/lib.sh - helpers for the end-to-end checkpoint/restart tests.
#
# Sourced by tests/e2e/test-*.sh, which tests/run-tests.sh runs with
# DMTCP_BUILDDIR and DMTCP_SRCDIR set.  A scenario runs in a subshell with
# a private temp dir ($T), its own coordinator on a free port (-p 0
# --port-file), DMTCP_COORD_PORT / DMTCP_CHECKPOINT_DIR / DMTCP_TMPDIR
# pointing into $T, and an EXIT trap that kills every process it started
# (and their descendants) and removes $T.  Every wait is bounded.
#
# Typical test:
#   . "$DMTCP_SRCDIR/tests/e2e/lib.sh"
#   scenario() { t_cycles threads_tls 2; }
#   t_main t_modes scenario        # gzip + raw, as root and as dmtcptest
#
# Knobs (environment): T_TIMEOUT (seconds for ordinary waits, default 30),
# T_CKPT_TIMEOUT (checkpoint, default 120), T_SETTLE (seconds the program
# runs after READY and after each restart before the next step, default
# 0.5, so its loop re-verifies state in between), T_KEEP=1 keeps $T,
# DMTCP_TEST_NO_USER=1 skips the unprivileged rerun,
# DMTCP_TEST_REQUIRE_USER=1 makes an impossible unprivileged rerun a failure,
# T_VERBOSE=1 traces the scenario (set -x).

set -u

: "${DMTCP_BUILDDIR:?DMTCP_BUILDDIR must point to the build tree}"
: "${DMTCP_SRCDIR:?DMTCP_SRCDIR must point to the source tree}"
B=$DMTCP_BUILDDIR
BIN=$B/bin
PROGS=$B/tests/progs
T_TIMEOUT=${T_TIMEOUT:-30}
T_CKPT_TIMEOUT=${T_CKPT_TIMEOUT:-120}
T_SETTLE=${T_SETTLE:-0.5}
T_TEST_USER=${T_TEST_USER:-dmtcptest}
T=""
T_PIDS=()
COORD_PID=""
COORD_PORT=""
COORD_CKPTDIR=""
APP_PID=""
RST_PID=""
CUR_PID=""
RST_N=0
CKPT_IMAGES=()
CKPT_OUT=""

t_log() {
	echo "[$(date +%T.%3N)] $*"
}

# Prints the end of every log in $T, then the message last (the runner shows
# only the tail of the output) and exits the scenario.
t_fail() {
	local f
	echo "FAIL: $*" >&2
	if [ -n "$T" ] && [ -d "$T" ]; then
		for f in "$T"/*.log "$T"/*.err; do
			[ -s "$f" ] || continue
			echo "---- ${f##*/} (last 15 lines)"
			tail -n 15 "$f" | cut -c1-300
		done
		echo "----"
	fi
	echo "FAIL: $*"
	exit 1
}

t_have() {
	[ -x "$1" ] || t_fail "$1 not built (run make, and make check for tests/progs)"
}

# --- processes -----------------------------------------------------------

t_track() {
	T_PIDS+=("$@")
}

# True while the pid exists and is not a zombie.
t_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ] && [ "${st%% *}" != X ]
}

# Prints pid and all its descendants (children first found via /proc).
t_descendants() {
	local pid=$1 p st ppid
	echo "$pid"
	for p in /proc/[0-9]*; do
		st=$(cat "$p/stat" 2>/dev/null) || continue
		st=${st##*) }
		ppid=$(echo "$st" | cut -d' ' -f2)
		if [ "$ppid" = "$pid" ]; then
			t_descendants "${p#/proc/}"
		fi
	done
}

# Pids of processes whose environment carries this scenario's marker (the
# coordinator, launched and restored processes all inherit it).
t_marked_pids() {
	local p
	[ -n "$T" ] || return 0
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = $$ ] && continue
		[ "${p#/proc/}" = "$BASHPID" ] && continue
		if grep -qzxF "DMTCP_TEST_MARK=$T" "$p/environ" 2>/dev/null; then
			echo "${p#/proc/}"
		fi
	done
}

t_kill_all() {
	local all=() p
	for p in "${T_PIDS[@]}"; do
		t_alive "$p" && mapfile -t -O "${#all[@]}" all < <(t_descendants "$p")
	done
	mapfile -t -O "${#all[@]}" all < <(t_marked_pids)
	[ ${#all[@]} -gt 0 ] && kill -KILL "${all[@]}" 2>/dev/null
	for p in "${T_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	return 0
}

t_cleanup() {
	local rc=$?
	trap - EXIT
	t_kill_all
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ -n "${T_KEEP:-}" ]; then
			echo "kept $T"
		else
			rm -rf "$T"
		fi
	fi
	exit "$rc"
}

# t_wait SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s until it
# succeeds; fails the scenario with DESCRIPTION after SECONDS.
t_wait() {
	local secs=$1 desc=$2 end
	shift 2
	end=$(($(date +%s%N) + secs * 1000000000))
	until "$@"; do
		if [ "$(date +%s%N)" -gt "$end" ]; then
			t_fail "timed out after ${secs}s waiting for $desc"
		fi
		sleep 0.1
	done
}

# t_wait_exit PID SECONDS DESCRIPTION: waits until PID is gone and sets
# T_RC to its exit status.
t_wait_exit() {
	t_wait "$2" "$3 (pid $1) to exit" t_not_alive "$1"
	wait "$1" 2>/dev/null
	T_RC=$?
}

t_not_alive() {
	! t_alive "$1"
}

# --- scenario setup ------------------------------------------------------

# t_setup LABEL: private temp dir and environment; installs the cleanup trap.
t_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/dmtcp-e2e-$1.XXXXXX") ||
		t_fail "mktemp failed"
	chmod 755 "$T"
	trap t_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	mkdir -p "$T/ckpt" "$T/tmp"
	export DMTCP_TEST_MARK=$T
	export DMTCP_CHECKPOINT_DIR=$T/ckpt
	export DMTCP_TMPDIR=$T/tmp
	export TEST_STOP_FILE=$T/stop
	export TEST_WORKDIR=$T
	export TEST_MAX_SECONDS=600
	unset DMTCP_COORD_HOST DMTCP_SIGCKPT
	ulimit -c 0
	cd "$T" || t_fail "cd $T"
	[ -n "${T_VERBOSE:-}" ] && set -x
	t_log "scenario $1 in $T as $(id -un), DMTCP_GZIP=${DMTCP_GZIP:-unset}"
}

t_port_file_ready() { # file pid
	[ -s "$1" ] && grep -qE '^[0-9]+$' "$1" && return 0
	t_alive "$2" || t_fail "dmtcp_coordinator exited before writing $1"
	return 1
}

# t_coord_start [TAG [CKPTDIR]]: starts a coordinator on a free port, with
# the extra options in the array T_COORD_OPTS.
# Sets COORD_PID, COORD_PORT, COORD_CKPTDIR and exports DMTCP_COORD_PORT.
t_coord_start() {
	local tag=${1:-coord} ckdir=${2:-$T/ckpt}
	t_have "$BIN/dmtcp_coordinator"
	mkdir -p "$ckdir"
	rm -f "$T/$tag.port"
	"$BIN/dmtcp_coordinator" -p 0 --port-file "$T/$tag.port" \
		--ckptdir "$ckdir" ${T_COORD_OPTS[@]+"${T_COORD_OPTS[@]}"} \
		</dev/null >"$T/$tag.log" 2>&1 &
	COORD_PID=$!
	t_track "$COORD_PID"
	t_wait "$T_TIMEOUT" "coordinator port file $T/$tag.port" \
		t_port_file_ready "$T/$tag.port" "$COORD_PID"
	COORD_PORT=$(cat "$T/$tag.port")
	COORD_CKPTDIR=$ckdir
	export DMTCP_COORD_PORT=$COORD_PORT
	t_log "coordinator pid $COORD_PID port $COORD_PORT ckptdir $ckdir"
}

t_command() { # dmtcp_command args (port of the current coordinator)
	timeout -k 2 "$T_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" "$@"
}

# True when the coordinator reports N peers, all running.
t_peers_running() {
	local out
	out=$(t_command --status 2>&1) || return 1
	grep -qE "^[[:space:]]*NUM_PEERS=$1[[:space:]]*$" <<<"$out" &&
		grep -qE '^[[:space:]]*RUNNING=yes[[:space:]]*$' <<<"$out"
}

t_peers() {
	local out
	out=$(t_command --status 2>&1) || return 1
	grep -qE "^[[:space:]]*NUM_PEERS=$1[[:space:]]*$" <<<"$out"
}

# --- launch / checkpoint / kill / restart --------------------------------

# t_launch PROG [ARGS...]: dmtcp_launch tests/progs/PROG in the background
# (stdout $T/app.log, stderr $T/app.err).  Extra dmtcp_launch options go in
# the array T_LAUNCH_OPTS.  Sets APP_PID.
t_launch() {
	local prog=$1
	shift
	t_have "$BIN/dmtcp_launch"
	t_have "$PROGS/$prog"
	"$BIN/dmtcp_launch" --join-coordinator ${T_LAUNCH_OPTS[@]+"${T_LAUNCH_OPTS[@]}"} \
		"$PROGS/$prog" "$@" </dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_log "launched $prog: pid $APP_PID"
}

t_is_ready() { # pid
	grep -aq '^READY$' "$T/app.log" && return 0
	if grep -aq '^FAIL ' "$T/app.log"; then
		t_fail "program failed before READY: $(grep -a '^FAIL ' "$T/app.log")"
	fi
	t_alive "$1" || t_fail "process $1 exited before printing READY"
	return 1
}

# t_wait_ready [PID]: READY in app.log, then T_NPEERS (default 1) running
# peers listed by the coordinator.
t_wait_ready() { # [pid]
	t_wait "$T_TIMEOUT" "READY in $T/app.log" t_is_ready "${1:-$APP_PID}"
	t_wait "$T_TIMEOUT" "coordinator to list ${T_NPEERS:-1} running peer(s)" \
		t_peers_running "${T_NPEERS:-1}"
	sleep "$T_SETTLE"
}

# t_checkpoint: blocking checkpoint; sets CKPT_IMAGES and CKPT_OUT, checks
# each image exists, is mode 0600 and starts with the magic, and that the
# restart script exists.
t_checkpoint() {
	local rc img mode
	t_log "checkpoint (dmtcp_command --bcheckpoint)"
	CKPT_OUT=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" \
		-p "$COORD_PORT" --bcheckpoint 2>&1)
	rc=$?
	echo "$CKPT_OUT" | sed 's/^/    /'
	[ $rc -eq 124 ] && t_fail "dmtcp_command --bcheckpoint timed out after ${T_CKPT_TIMEOUT}s"
	[ $rc -eq 0 ] || t_fail "dmtcp_command --bcheckpoint exited $rc"
	mapfile -t CKPT_IMAGES < <(sed -n 's/^[[:space:]]*IMAGE=//p' <<<"$CKPT_OUT")
	[ ${#CKPT_IMAGES[@]} -ge 1 ] || t_fail "--bcheckpoint printed no IMAGE= line"
	for img in "${CKPT_IMAGES[@]}"; do
		[ -f "$img" ] || t_fail "image $img does not exist"
		mode=$(stat -c %a "$img")
		[ "$mode" = 600 ] || t_fail "image $img has mode $mode, expected 600"
		[ "$(head -c 8 "$img")" = DMTCPIMG ] ||
			t_fail "image $img does not start with DMTCPIMG"
		case ${img##*/} in
		ckpt_*.dmtcp) ;;
		*) t_fail "image name ${img##*/} is not ckpt_<prog>_<id>.dmtcp" ;;
		esac
	done
	[ -e "$COORD_CKPTDIR/dmtcp_restart_script.sh" ] ||
		t_fail "no $COORD_CKPTDIR/dmtcp_restart_script.sh after checkpoint"
	# the application stays running after a checkpoint
	t_wait "$T_TIMEOUT" "peers running again after checkpoint" \
		t_peers_running "${T_NPEERS:-1}"
}

# t_checkpoint_of PID NAME: t_checkpoint, and when it fails because the
# process PID (launch or restart, our child) died, say how it died.
t_checkpoint_of() {
	local st
	(t_checkpoint) && return 0
	t_alive "$1" && t_fail "checkpoint failed, $2 (pid $1) still runs"
	wait "$1"
	st=$?
	[ "$st" -gt 128 ] &&
		t_fail "$2 died of SIG$(kill -l $((st - 128))) during a checkpoint"
	t_fail "$2 exited with status $st during a checkpoint"
}

# t_kill PID: dmtcp_command --kill, then waits for PID (the launch or
# restart process in the foreground of the computation) to be gone.
t_kill() {
	local rc
	t_log "kill (dmtcp_command --kill)"
	t_command --kill >"$T/kill.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || t_fail "dmtcp_command --kill exited $rc: $(cat "$T/kill.out")"
	t_wait_exit "$1" "$T_TIMEOUT" "killed computation"
	t_wait "$T_TIMEOUT" "coordinator to report 0 peers after --kill" t_peers 0
}

t_rst_running() { # pid
	t_alive "$1" && t_peers_running "${T_NPEERS:-1}" && return 0
	if ! t_alive "$1"; then
		wait "$1"
		t_fail "restart (pid $1) exited with status $? before the program ran again (see restart.$RST_N.log)"
	fi
	return 1
}

# t_restart [SCRIPT ARGS...]: runs the coordinator's dmtcp_restart_script.sh
# in the background (output $T/restart.N.log) and waits until the restored
# computation runs.  T_RESTART_CMD (array) replaces the script when set.
t_restart() {
	RST_N=$((RST_N + 1))
	if [ -n "${T_RESTART_CMD+x}" ] && [ ${#T_RESTART_CMD[@]} -gt 0 ]; then
		t_log "restart #$RST_N: ${T_RESTART_CMD[*]} $*"
		"${T_RESTART_CMD[@]}" "$@" </dev/null >"$T/restart.$RST_N.log" 2>&1 &
	else
		[ -e "$COORD_CKPTDIR/dmtcp_restart_script.sh" ] ||
			t_fail "no restart script in $COORD_CKPTDIR"
		t_log "restart #$RST_N: $COORD_CKPTDIR/dmtcp_restart_script.sh $*"
		"$COORD_CKPTDIR/dmtcp_restart_script.sh" "$@" \
			</dev/null >"$T/restart.$RST_N.log" 2>&1 &
	fi
	RST_PID=$!
	t_track "$RST_PID"
	t_wait "$T_TIMEOUT" "restarted process to run (restart.$RST_N.log)" \
		t_rst_running "$RST_PID"
	t_log "restarted: pid $RST_PID"
	sleep "$T_SETTLE"
	t_alive "$RST_PID" || t_fail "restarted computation exited within ${T_SETTLE}s: $(grep -a '^FAIL' "$T/app.log")"
}

# t_finish PID NAME RESTARTS: touches the stop file, waits for PID and
# checks "PASS NAME ... restarts=RESTARTS" in app.log and exit status 0.
t_finish() {
	local pid=$1 name=$2 nr=$3 line
	t_log "stop: touch $TEST_STOP_FILE"
	touch "$TEST_STOP_FILE"
	t_wait_exit "$pid" "$T_TIMEOUT" "$name after the stop file"
	line=$(grep -a -E "^(PASS|FAIL) ${name}[ :]" "$T/app.log" | tail -n 1)
	[ -n "$line" ] || t_fail "$name printed neither PASS nor FAIL (exit status $T_RC)"
	t_log "result: $line (exit status $T_RC)"
	case $line in
	"PASS $name "*) ;;
	*) t_fail "the program reported: $line" ;;
	esac
	[[ "$line" =~ restarts=$nr$ ]] ||
		t_fail "expected restarts=$nr: $line"
	[ "$T_RC" -eq 0 ] || t_fail "$name printed PASS but exit status is $T_RC"
}

# t_expect_images N: the last checkpoint wrote N images (one a process).
t_expect_images() {
	[ ${#CKPT_IMAGES[@]} -eq "$1" ] ||
		t_fail "expected $1 images, got ${#CKPT_IMAGES[@]}"
}

# t_more_cycles PID N: N times checkpoint/kill/restart of the running
# computation whose foreground process is PID; sets CUR_PID to the last
# restart's.  Hooks: T_AFTER_CKPT (after each checkpoint), T_AFTER_KILL
# (between the kill and the restart), T_AFTER_RESTART (once the restored
# computation runs); T_CYCLE is the cycle's number (1..N) while they run.
t_more_cycles() {
	local n=$2 i
	CUR_PID=$1
	for ((i = 1; i <= n; i++)); do
		T_CYCLE=$i
		t_checkpoint
		${T_AFTER_CKPT:-:}
		t_kill "$CUR_PID"
		${T_AFTER_KILL:-:}
		t_restart
		CUR_PID=$RST_PID
		${T_AFTER_RESTART:-:}
	done
}

# t_cycles PROG N [ARGS...]: launch, then N times checkpoint/kill/restart
# (t_more_cycles, with its hooks), then stop and verify.  Leaves the last
# images in CKPT_IMAGES.
t_cycles() {
	local prog=$1 n=$2
	shift 2
	t_coord_start
	t_launch "$prog" "$@"
	t_wait_ready
	t_more_cycles "$APP_PID" "$n"
	t_finish "$CUR_PID" "$prog" "$n"
}

# t_churn_checkpoints PID PROG N: N checkpoints in a row of the running
# PROG (foreground pid PID), each after a random pause of 20 to 219 ms, so
# that each catches another moment of a program that never stops changing.
t_churn_checkpoints() {
	local i
	for ((i = 1; i <= $3; i++)); do
		sleep "$(printf '0.%03d' $(((RANDOM % 200) + 20)))"
		t_checkpoint_of "$1" "$2"
	done
}

# t_churn PROG: ten checkpoints in a row of PROG, then three kill/restart
# cycles with three more checkpoints after each restart; stop and verify,
# then show the "thread ..." lines of its report.
t_churn() {
	local prog=$1 c cur
	t_coord_start
	t_launch "$prog"
	t_wait_ready
	cur=$APP_PID
	t_churn_checkpoints "$cur" "$prog" 10
	for ((c = 1; c <= 3; c++)); do
		t_kill "$cur"
		t_restart
		cur=$RST_PID
		t_churn_checkpoints "$cur" "$prog" 3
	done
	t_finish "$cur" "$prog" 3
	grep -a '^thread ' "$T/app.log" | sed 's/^/    /'
}

# t_checkpoint_fails WHY: a --bcheckpoint that must fail (it fails the
# scenario with "--bcheckpoint succeeded WHY" when it does not); its
# output, shown, is left in CKPT_OUT.
t_checkpoint_fails() {
	local rc
	CKPT_OUT=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" \
		-p "$COORD_PORT" --bcheckpoint 2>&1)
	rc=$?
	echo "$CKPT_OUT" | sed 's/^/    /'
	[ $rc -ne 124 ] || t_fail "--bcheckpoint timed out"
	[ $rc -ne 0 ] || t_fail "--bcheckpoint succeeded $1"
}

# t_ckpt_sums [FILE...]: the md5 of every image in the coordinator's
# checkpoint directory and of each FILE, one a line (to compare before
# and after a checkpoint that must leave them, or change them).
t_ckpt_sums() {
	local f
	for f in "$COORD_CKPTDIR"/*.dmtcp "$@"; do
		echo "$f $(md5sum <"$f")"
	done
}

# --- running scenarios ---------------------------------------------------

# t_run LABEL CMD...: runs CMD in a subshell after t_setup LABEL.
t_run() {
	local label=$1 rc
	shift
	echo "=== $label: start (user $(id -un))"
	(t_setup "$label" && "$@")
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "=== $label: FAILED (status $rc)"
		return 1
	fi
	echo "=== $label: ok"
}

# t_modes CMD...: runs the scenario with gzip images and with raw ones
# (DMTCP_GZIP=1 / DMTCP_GZIP=0).
t_modes() {
	(export DMTCP_GZIP=1 && t_run gzip "$@") &&
		(export DMTCP_GZIP=0 && t_run raw "$@")
}

# t_main CMD...: runs CMD as the current user; when that is root and the
# user $T_TEST_USER exists, runs this whole test again as that user.
t_main() {
	"$@" || exit 1
	if [ "$(id -u)" -ne 0 ] || [ -n "${DMTCP_TEST_NO_USER:-}" ]; then
		exit 0
	fi
	if ! id "$T_TEST_USER" >/dev/null 2>&1; then
		echo "note: user $T_TEST_USER does not exist: unprivileged run skipped"
		[ -n "${DMTCP_TEST_REQUIRE_USER:-}" ] && exit 1
		exit 0
	fi
	if ! runuser -u "$T_TEST_USER" -- test -x "$BIN/dmtcp_launch" -a -r "$0"; then
		echo "note: $BIN or $0 is not accessible to $T_TEST_USER: unprivileged run skipped"
		echo "      (make the build and source trees world-readable to run it)"
		[ -n "${DMTCP_TEST_REQUIRE_USER:-}" ] && exit 1
		exit 0
	fi
	echo "=== again as $T_TEST_USER"
	runuser -u "$T_TEST_USER" -- env DMTCP_BUILDDIR="$DMTCP_BUILDDIR" \
		DMTCP_SRCDIR="$DMTCP_SRCDIR" DMTCP_TEST_NO_USER=1 \
		TMPDIR=/tmp PATH="$PATH" T_TIMEOUT="$T_TIMEOUT" \
		T_CKPT_TIMEOUT="$T_CKPT_TIMEOUT" T_SETTLE="$T_SETTLE" ${T_KEEP:+T_KEEP=1} \
		${T_VERBOSE:+T_VERBOSE=1} bash "$0"
	exit $?
}

# --- a hostile second user (security tests) ------------------------------
#
# The security tests play another local user, $T_SPY_USER (dmtcpspy, which
# .ci/run creates), against the victim (the user running the test, root
# there).  They need root to switch users; elsewhere they print
# "SKIP: reason" and pass.  Shared scratch directories are mode 0777
# WITHOUT the sticky bit, so fs.protected_symlinks / protected_regular
# (which only guard sticky directories) do not hide a hole.

T_SPY_USER=${T_SPY_USER:-dmtcpspy}

# t_hostile_main CMD...: runs CMD once as root, or prints SKIP.
t_hostile_main() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root to act as the second user $T_SPY_USER"
		exit 0
	fi
	if ! id "$T_SPY_USER" >/dev/null 2>&1; then
		echo "SKIP: user $T_SPY_USER does not exist (.ci/run creates it)"
		[ -n "${DMTCP_TEST_REQUIRE_USER:-}" ] && exit 1
		exit 0
	fi
	if ! runuser -u "$T_SPY_USER" -- test -x "$BIN/dmtcp_launch"; then
		echo "SKIP: $BIN is not accessible to $T_SPY_USER"
		[ -n "${DMTCP_TEST_REQUIRE_USER:-}" ] && exit 1
		exit 0
	fi
	"$@" || exit 1
	exit 0
}

# t_spy CMD...: runs CMD as the hostile user (bounded).
t_spy() {
	timeout -k 2 "$T_TIMEOUT" runuser -u "$T_SPY_USER" -- "$@"
}

# t_shared_dir PATH: a directory every user can write (mode 0777, no
# sticky bit), like a cluster's common scratch space.
t_shared_dir() {
	mkdir -p "$1" && chmod 0777 "$1" || t_fail "cannot make shared dir $1"
}
