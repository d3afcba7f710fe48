# tests/e2e/txn-lib.sh - helpers of the checkpoint-transaction tests
# (test-ckpt-txn-*.sh; doc/design.md, "Checkpoint as a transaction"),
# sourced after lib.sh.  They run tests/progs/txn_pair (two processes
# whose images only fit together, each with a SysV IPC side file) and
# check, after failed or interrupted checkpoints, that the committed
# generation is untouched and restarts whole: every process reports the
# generation its image came from (RESTORED lines in $TXN_LOG) and the
# program checks its own data to the end.

export T_NPEERS=2
X_PARENT=""
X_CHILD=""
X_GEN=""	# generation the restart script names (committed)
X_LOGSIZE=""	# app.log size when the program was READY
X_SUMS=""	# every file of the checkpoint directories, with its md5
X_IMGDIR=""	# where the images go when not in the coordinator's dir

x_launch() { # [coordinator tag [ckpt dir]]
	export TXN_LOG=$T/txn.log
	t_coord_start "$@"
	t_launch txn_pair
	t_wait_ready
	read -r _ X_PARENT X_CHILD < <(grep -a -m1 '^PIDS ' "$T/app.log")
	[ -n "$X_CHILD" ] || t_fail "no PIDS line in app.log"
	X_LOGSIZE=$(stat -c %s "$T/app.log")
	t_log "txn_pair: parent $X_PARENT, child $X_CHILD"
}

# The first run's IPC objects live in the host's namespace.
x_ipc_cleanup() {
	local line id
	line=$(grep -a -m1 '^IPC ' "$T/app.log" 2>/dev/null) || return 0
	id=$(sed -n 's/.*shm=\([0-9]*\).*/\1/p' <<<"$line")
	[ -n "$id" ] && ipcrm -m "$id" 2>/dev/null
	id=$(sed -n 's/.*msg=\([0-9]*\).*/\1/p' <<<"$line")
	[ -n "$id" ] && ipcrm -q "$id" 2>/dev/null
	return 0
}

# Every file of the coordinator's checkpoint directory and of the image
# directory (names starting with a dot too), with its md5; the filler of
# the disk-full test is left out.
x_sums() {
	local f d
	for d in "$COORD_CKPTDIR" ${X_IMGDIR:+"$X_IMGDIR"}; do
		for f in "$d"/* "$d"/.[!.]*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			case ${f##*/} in filler*) continue ;; esac
			if [ -L "$f" ]; then
				echo "$f -> $(readlink "$f")"
			else
				echo "$f $(md5sum <"$f" | cut -c1-32)"
			fi
		done
	done
}

# The generation the restart script of dir commits.
x_script_gen() { # dir
	sed -n 's/^generation=//p' "$1/dmtcp_restart_script.sh" 2>/dev/null
}

# A checkpoint that must succeed: the script names its generation, and
# the directory holds exactly its images, their side files and the
# script (older generations were removed), plus those of the generations
# given (kept with --keep-generations).
x_ckpt_ok() { # [kept generation...]
	local n g keep=""
	for g in "$@"; do
		keep="$keep\|_$(printf %05d "$g")\.dmtcp\(\.ipc\)\?\$"
	done
	local dir=${X_IMGDIR:-$COORD_CKPTDIR}
	t_checkpoint
	[ ${#CKPT_IMAGES[@]} -eq 2 ] ||
		t_fail "expected 2 images, got ${#CKPT_IMAGES[@]}"
	X_GEN=$(sed -n 's/^[[:space:]]*GENERATION=//p' <<<"$CKPT_OUT")
	[ "$(x_script_gen "$COORD_CKPTDIR")" = "$X_GEN" ] ||
		t_fail "the restart script names generation $(x_script_gen "$COORD_CKPTDIR"), not $X_GEN"
	n=$(ls "$dir" | grep -c "_$(printf %05d "$X_GEN")\.dmtcp\.ipc$")
	[ "$n" -eq 2 ] || t_fail "expected 2 side files of generation $X_GEN: $(ls "$dir")"
	n=$( (ls -A "$dir"; [ "$dir" = "$COORD_CKPTDIR" ] || ls -A "$COORD_CKPTDIR") |
		grep -v '^filler' | grep -cv \
		"_$(printf %05d "$X_GEN")\.dmtcp\(\.ipc\)\?$\|^dmtcp_restart_script$keep")
	[ "$n" -eq 0 ] || t_fail "files of other generations left: $(ls -A "$dir" "$COORD_CKPTDIR")"
	X_SUMS=$(x_sums)
	t_log "generation $X_GEN committed"
}

# x_bckpt: --bcheckpoint in the background (X_BC_PID, output $T/bc.out).
x_bckpt() {
	timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" \
		--bcheckpoint >"$T/bc.out" 2>&1 &
	X_BC_PID=$!
	t_track "$X_BC_PID"
}

# x_bckpt_rc: waits for it; X_RC, X_OUT.
x_bckpt_rc() {
	t_wait_exit "$X_BC_PID" "$T_CKPT_TIMEOUT" "dmtcp_command --bcheckpoint"
	X_RC=$T_RC
	X_OUT=$(cat "$T/bc.out")
	sed 's/^/    /' <<<"$X_OUT"
}

# A checkpoint that must fail: non-zero exit, a FAILED= line matching
# the extended regexp, no IMAGE= line.
x_expect_failed() { # regexp desc
	[ "$X_RC" -ne 124 ] || t_fail "$2: --bcheckpoint timed out"
	[ "$X_RC" -ne 0 ] || t_fail "$2: --bcheckpoint succeeded (exit 0)"
	grep -qE "FAILED=.*$1" <<<"$X_OUT" ||
		t_fail "$2: no FAILED= line matching '$1'"
	grep -q '^IMAGE=' <<<"$X_OUT" &&
		t_fail "$2: a failed checkpoint lists images"
	return 0
}

# The committed generation is exactly as it was: same files, same bytes,
# nothing of the failed checkpoint left.
x_prev_intact() { # desc
	local now
	now=$(x_sums)
	[ "$now" = "$X_SUMS" ] || t_fail "$1: the checkpoint directory changed:
--- committed generation $X_GEN
$X_SUMS
--- now
$now"
}

# The computation is gone (killed through the coordinator when it runs,
# else every process of the first run by pid).
x_stop_all() {
	if [ -n "$COORD_PID" ] && t_alive "$COORD_PID" && t_peers_running 2 >/dev/null 2>&1; then
		t_kill "$APP_PID"
	else
		kill -KILL "$X_PARENT" "$X_CHILD" 2>/dev/null
		t_wait "$T_TIMEOUT" "the program to be gone" t_not_alive "$X_PARENT"
		t_wait "$T_TIMEOUT" "the program to be gone" t_not_alive "$X_CHILD"
	fi
	x_ipc_cleanup
}

# Both processes of the restart report generation gen.
x_restored_gen() { # gen from-line
	local lines
	lines=$(tail -n +"$2" "$T/txn.log" | grep -a '^RESTORED ')
	grep -q '^RESTORED parent .* gen='"$1"' ' <<<"$lines" &&
		grep -q '^RESTORED child .* gen='"$1"' ' <<<"$lines"
}

# x_restart_to GEN [script args]: restart from the restart script (its
# dmtcp_restart_script.sh, as a user would; T_RESTART_CMD replaces it)
# and check that both processes came back from generation GEN.
x_restart_to() {
	local gen=$1 from
	shift
	truncate -s "$X_LOGSIZE" "$T/app.log"
	from=$(($(wc -l <"$T/txn.log") + 1))
	t_restart "$@"
	t_wait "$T_TIMEOUT" "RESTORED lines of generation $gen from both processes" \
		x_restored_gen "$gen" "$from"
	t_log "both processes restored from generation $gen: $(tail -n +"$from" "$T/txn.log" | grep -a '^RESTORED' | tr '\n' ' ')"
}

# x_restart_gen GEN [script args]: x_restart_to, then the program checks
# its data to the end: PASS with restarts=1.
x_restart_gen() {
	x_restart_to "$@"
	t_finish "$RST_PID" txn_pair 1
}
