# bench/table-cases.sh - the measurements of bench/table.sh, sourced by it
# after bench/lib.sh.  Each case_* function runs processes under a
# coordinator of its own (coord_start .. coord_stop), removes its images
# and leaves its numbers in R_* arrays (milliseconds, bytes, microseconds
# for gaps).  Uses W, BIN, PORT, SIZE, TIMEOUT and the programs table.sh
# built in $W (bigmem, many_procs).

progress() {
	echo "bench-table: $*" >&2
}

set_mode() { # raw|gzip
	if [ "$1" = gzip ]; then export DMTCP_GZIP=1; else export DMTCP_GZIP=0; fi
}

# checkpoint: dmtcp_command --bcheckpoint; sets CK_MS (its wall time),
# CK_TOOL_MS (the TIME_MS it prints), CK_BYTES (TOTAL_BYTES), CK_IMG
checkpoint() {
	local t0 out
	t0=$(now_ns)
	out=$(timeout "$TIMEOUT" "$BIN/dmtcp_command" -p "$PORT" --bcheckpoint 2>&1) ||
		die "checkpoint failed: $out"
	CK_MS=$(ms_since "$t0")
	CK_TOOL_MS=$(sed -n 's/^[[:space:]]*TIME_MS=//p' <<<"$out")
	CK_BYTES=$(sed -n 's/^[[:space:]]*TOTAL_BYTES=//p' <<<"$out")
	CK_IMG=$(sed -n 's/^[[:space:]]*IMAGE=//p' <<<"$out" | head -n 1)
	[ -f "$CK_IMG" ] && [ -n "$CK_BYTES" ] || die "no image or no TOTAL_BYTES: $out"
}

ctl_answered() {
	[ -e "$W/ctl.reply" ] && return 0
	alive "$CUR" || die "the program (pid $CUR) exited before answering (see $W/app.err)"
	return 1
}

# ctl COMMAND: sends COMMAND to bigmem ($W/ctl) and sets CTL_REPLY
ctl() {
	rm -f "$W/ctl.reply"
	echo "$1" >"$W/ctl.tmp" && mv "$W/ctl.tmp" "$W/ctl" || die "cannot write $W/ctl"
	wait_until 60 "an answer to '$1' in $W/ctl.reply" ctl_answered
	CTL_REPLY=$(cat "$W/ctl.reply")
	rm -f "$W/ctl.reply"
	case $CTL_REPLY in
	error*) die "bigmem answered '$CTL_REPLY' to '$1'" ;;
	esac
}

# gap: the longest gap bigmem saw since the previous gap, in CTL_REPLY (us)
gap() {
	ctl gap
	CTL_REPLY=${CTL_REPLY#gap_us }
}

# restart_timed: the restart script until the restored bigmem creates
# $W/mark; sets RS_MS, RST and CUR
restart_timed() {
	local t0
	rm -f "$W/mark"
	t0=$(now_ns)
	bench_restart "restored process (marker $W/mark)" "$TIMEOUT" '[ -e "$W/mark" ]'
	RS_MS=$(ms_since "$t0")
	CUR=$RST
}

# dd_write BYTES: dd writes BYTES (whole MiB, rounded up) with conv=fsync
# in $W; sets DD_MS; DD_READ=1 also reads the file back (DD_READ_MS)
dd_write() {
	local t0 mib=$((($1 + 1048575) / 1048576))
	t0=$(now_ns)
	timeout "$TIMEOUT" dd if=/dev/zero of="$W/dd.bin" bs=1M count="$mib" \
		conv=fsync status=none || die "dd writing $mib MiB in $W failed"
	DD_MS=$(ms_since "$t0")
	if [ "${DD_READ:-0}" = 1 ]; then
		t0=$(now_ns)
		timeout "$TIMEOUT" dd if="$W/dd.bin" of=/dev/null bs=1M status=none ||
			die "dd reading $W/dd.bin failed"
		DD_READ_MS=$(ms_since "$t0")
	fi
	rm -f "$W/dd.bin"
}

# case_big KIND MODE RUNS RESTART GAP DD: RUNS times a new bigmem of SIZE
# MiB of KIND, one checkpoint with MODE images (R_CK, R_TOOL, R_BYTES);
# GAP=1: the longest gap bigmem saw during it (R_GAP, us; and before the
# first, the longest over one idle second, IDLE_GAP); DD=1: dd of as many
# bytes (R_DD); RESTART=1: the restart time (R_RS)
case_big() {
	local kind=$1 mode=$2 n=$3 rst=$4 gp=$5 dd=$6 i
	R_CK=() R_TOOL=() R_BYTES=() R_GAP=() R_DD=() R_RS=()
	set_mode "$mode"
	for ((i = 1; i <= n; i++)); do
		progress "$SIZE MiB $kind, $mode images: run $i of $n"
		coord_start
		launch bigmem "$SIZE" "$kind"
		if [ "$gp" = 1 ]; then
			gap
			if [ -z "${IDLE_GAP:-}" ]; then
				sleep 1
				gap
				IDLE_GAP=$CTL_REPLY
			fi
		fi
		checkpoint
		R_CK+=("$CK_MS") R_TOOL+=("$CK_TOOL_MS") R_BYTES+=("$CK_BYTES")
		if [ "$gp" = 1 ]; then
			gap
			R_GAP+=("$CTL_REPLY")
		fi
		if [ "$dd" = 1 ]; then
			dd_write "$CK_BYTES"
			R_DD+=("$DD_MS")
		fi
		kill_comp "$APP"
		if [ "$rst" = 1 ]; then
			timeout "$TIMEOUT" sync
			restart_timed
			R_RS+=("$RS_MS")
			kill_comp "$RST"
		fi
		coord_stop
		rm -f "$W"/ckpt/*
	done
}

# is_delta IMAGE: prints 1 if dmtcp_inspect info calls IMAGE incremental
# (IMG_F_DELTA), else 0 (also when the build has no such images)
is_delta() {
	timeout 120 "$BIN/dmtcp_inspect" info "$1" 2>/dev/null |
		grep -q '^format:.*, incremental' && echo 1 || echo 0
}

# case_incr MODE RUNS: one bigmem of SIZE MiB random, a first checkpoint
# (R_BASE bytes), then RUNS times: 1% of its pages rewritten, a checkpoint
# (R_CK, R_TOOL, R_BYTES; R_DIRTIED pages each time; R_DELTA=1 if the
# first of them is a delta image).  Incremental when
# INCR=1 (DMTCP_INCREMENTAL=1; with dmtcp_launch --incremental when
# INCR_OPT=1): table.sh sets them from what the build knows.
case_incr() {
	local mode=$1 n=$2 i had=${DMTCP_INCREMENTAL+x} old=${DMTCP_INCREMENTAL-}
	R_CK=() R_TOOL=() R_BYTES=()
	set_mode "$mode"
	[ "$INCR" = 1 ] && export DMTCP_INCREMENTAL=1
	[ "$INCR_OPT" = 1 ] && LAUNCH_OPTS=(--incremental)
	progress "$SIZE MiB random, $mode images: first checkpoint, then $n after 1% changed"
	coord_start
	launch bigmem "$SIZE" random
	checkpoint
	R_BASE=$CK_BYTES
	for ((i = 1; i <= n; i++)); do
		ctl "dirty 1"
		R_DIRTIED=${CTL_REPLY#dirtied }
		checkpoint
		R_CK+=("$CK_MS") R_TOOL+=("$CK_TOOL_MS") R_BYTES+=("$CK_BYTES")
		[ "$i" = 1 ] && R_DELTA=$(is_delta "$CK_IMG")
	done
	kill_comp "$APP"
	coord_stop
	rm -f "$W"/ckpt/*
	LAUNCH_OPTS=()
	if [ -n "$had" ]; then export DMTCP_INCREMENTAL=$old; else unset DMTCP_INCREMENTAL; fi
}

# case_small RUNS: a counter (bigmem of 0 MiB), gzip images: RUNS
# checkpoints (R_CK, R_TOOL; R_BYTES of the last), then RUNS restarts of
# the last image (R_RS)
case_small() {
	local n=$1 i
	R_CK=() R_TOOL=() R_RS=()
	set_mode gzip
	progress "small process: $n checkpoints, $n restarts"
	coord_start
	launch bigmem 0 random
	for ((i = 1; i <= n; i++)); do
		sleep 0.05
		checkpoint
		R_CK+=("$CK_MS") R_TOOL+=("$CK_TOOL_MS")
	done
	R_BYTES=("$CK_BYTES")
	kill_comp "$APP"
	timeout "$TIMEOUT" sync
	for ((i = 1; i <= n; i++)); do
		restart_timed
		R_RS+=("$RS_MS")
		kill_comp "$RST"
	done
	coord_stop
	rm -f "$W"/ckpt/*
}

peers_running() { # n: the coordinator reports n peers, all running
	local out
	out=$(timeout 10 "$BIN/dmtcp_command" -p "$PORT" --status 2>/dev/null) || return 1
	grep -qE "^[[:space:]]*NUM_PEERS=$1[[:space:]]*$" <<<"$out" &&
		grep -qE '^[[:space:]]*RUNNING=yes' <<<"$out"
}

# case_procs NPROCS MIB RUNS: tests/progs/many_procs (a fork tree of
# NPROCS processes of MIB MiB), raw images: RUNS checkpoints (R_CK,
# R_TOOL, R_BYTES)
case_procs() {
	local np=$1 mib=$2 n=$3 i
	R_CK=() R_TOOL=() R_BYTES=()
	set_mode raw
	progress "$np processes x $mib MiB, raw images: $n checkpoints"
	coord_start
	launch many_procs "$np" "$mib"
	wait_until 60 "$np running processes" peers_running "$np"
	sleep 0.5
	for ((i = 1; i <= n; i++)); do
		checkpoint
		R_CK+=("$CK_MS") R_TOOL+=("$CK_TOOL_MS") R_BYTES+=("$CK_BYTES")
		sleep 0.3
	done
	kill_comp "$APP"
	coord_stop
	rm -f "$W"/ckpt/*
}
