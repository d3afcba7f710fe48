#!/bin/bash
# test-ckpt-txn-kill.sh - a checkpoint is all or nothing when something
# dies in the middle of it (doc/design.md, "Checkpoint as a transaction").
# tests/progs/txn_pair: two processes whose images only fit together,
# each with a SysV IPC side file.
#  proc:   kill -9 of one process (the child, then the parent) while it
#          is frozen inside a --bcheckpoint (held there by the test
#          plugin libckpt_hold.so): the command exits non-zero with a
#          FAILED= line naming that process, every file of the previous
#          generation is untouched and nothing of the failed one is left,
#          and the restart script brings back both processes from the
#          previous generation (they report it) with consistent data.
#  random: kill -9 of the coordinator, of dmtcp_command, of the child or
#          of the parent at a random moment of a --bcheckpoint (slowed
#          down by the plugin so the moments cover every phase),
#          --keep-generations 2.  Whatever happened, the generation the
#          restart script names restarts whole (coordinator, command);
#          after a process kill the previous generation restarts whole
#          from its image paths given to dmtcp_restart, and a failed
#          checkpoint names the process.  After a coordinator kill, the
#          next checkpoint removes what the interrupted one left.
# gzip and raw images, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"
. "$DMTCP_SRCDIR/tests/e2e/txn-lib.sh"

HOLD_SO=$B/tests/plugin/libckpt_hold.so

held() { [ -e "$CKPT_HOLD_DIR/held.$X_PARENT" ] && [ -e "$CKPT_HOLD_DIR/held.$X_CHILD" ]; }

scenario_proc() { # child|parent
	local victim
	t_have "$HOLD_SO"
	export CKPT_HOLD_DIR=$T/hold
	mkdir -p "$CKPT_HOLD_DIR"
	T_LAUNCH_OPTS=(--with-plugin "$HOLD_SO")
	x_launch
	x_ckpt_ok
	victim=$X_CHILD
	[ "$1" = parent ] && victim=$X_PARENT
	touch "$CKPT_HOLD_DIR/hold"
	x_bckpt
	t_wait "$T_TIMEOUT" "both processes frozen in the checkpoint" held
	t_log "kill -9 $1 $victim inside checkpoint $((X_GEN + 1))"
	kill -KILL "$victim"
	rm -f "$CKPT_HOLD_DIR/hold"
	x_bckpt_rc
	x_expect_failed "pid $victim: the process was lost" "kill -9 of the $1"
	x_prev_intact "after the failed checkpoint"
	[ "$(x_script_gen "$COORD_CKPTDIR")" = "$X_GEN" ] ||
		t_fail "the restart script no longer names generation $X_GEN"
	x_stop_all
	x_restart_gen "$X_GEN"
}

# Distinct generations of the images in the checkpoint directory.
x_dir_gens() {
	ls "$COORD_CKPTDIR" | sed -n 's/^ckpt_.*_0*\([0-9][0-9]*\)\.dmtcp$/\1/p' |
		sort -un | tr '\n' ' '
}

restart_paths() { # gen: dmtcp_restart with that generation's image paths
	local g
	g=$(printf %05d "$1")
	T_RESTART_CMD=("$BIN/dmtcp_restart" "$COORD_CKPTDIR"/ckpt_txn_pair_*_"$g".dmtcp)
	[ ${#T_RESTART_CMD[@]} -eq 3 ] ||
		t_fail "generation $1 does not have 2 images: $(ls "$COORD_CKPTDIR")"
}

one_random() { # round
	local target delay gen g0 n started
	export CKPT_SLOW_MS=150
	T_LAUNCH_OPTS=(--with-plugin "$HOLD_SO")
	T_COORD_OPTS=(--keep-generations 2)
	x_launch "coord.$1"
	x_ckpt_ok
	g0=$X_GEN
	case $((RANDOM % 4)) in
	0) target=coordinator ;;
	1) target=command ;;
	2) target=child ;;
	3) target=parent ;;
	esac
	delay=$((RANDOM % 450))
	x_bckpt
	sleep "$(printf '0.%03d' "$delay")"
	t_log "round $1: kill -9 of the $target $delay ms into checkpoint $((g0 + 1))"
	case $target in
	coordinator) kill -KILL "$COORD_PID" ;;
	command) kill -KILL "$X_BC_PID" ;;
	child) kill -KILL "$X_CHILD" ;;
	parent) kill -KILL "$X_PARENT" ;;
	esac
	x_bckpt_rc
	case $target in
	command)
		# the checkpoint goes on without the command and commits
		# (unless the command died before asking for it)
		t_wait "$T_CKPT_TIMEOUT" "the checkpoint to complete" t_peers_running 2
		gen=$(x_script_gen "$COORD_CKPTDIR")
		started=$(t_command --status | sed -n 's/^GENERATION=//p')
		[ "$gen" = "$started" ] ||
			t_fail "checkpoint $started did not commit (script names $gen)"
		t_log "generation $gen committed"
		x_stop_all
		x_restart_to "$gen"
		;;
	coordinator)
		gen=$(x_script_gen "$COORD_CKPTDIR")
		case $gen in
		"$g0" | $((g0 + 1))) ;;
		*) t_fail "the restart script names generation '$gen'" ;;
		esac
		t_log "the coordinator died with generation $gen committed; images: $(x_dir_gens)"
		x_stop_all
		t_coord_start "coord2.$1" "$COORD_CKPTDIR"
		x_restart_to "$gen" -p "$COORD_PORT"
		;;
	child | parent)
		gen=$(x_script_gen "$COORD_CKPTDIR")
		if [ "$X_RC" -eq 0 ]; then
			n=$(grep -c '^IMAGE=' <<<"$X_OUT")
			t_log "the checkpoint committed generation $gen with $n image(s): the $target died before it was suspended, or after the commit"
			[ "$gen" = $((g0 + 1)) ] || t_fail "exit 0 but the script names generation $gen"
		else
			x_expect_failed "pid $([ $target = child ] && echo "$X_CHILD" || echo "$X_PARENT"): the process was lost" "kill -9 of the $target"
			[ "$gen" = "$g0" ] || t_fail "failed, but the script names generation $gen"
			x_prev_intact "after the failed checkpoint"
		fi
		x_stop_all
		# the previous generation, from its image paths
		restart_paths "$g0"
		x_restart_gen "$g0"
		T_RESTART_CMD=()
		return 0
		;;
	esac
	# a checkpoint of the restarted computation: what an interrupted
	# one left is gone, the restarted generation is kept as well
	x_ckpt_ok "$gen"
	t_finish "$RST_PID" txn_pair 1
}

all() {
	t_run proc-child scenario_proc child &&
		t_run proc-parent scenario_proc parent &&
		t_run random.1 one_random 1 &&
		t_run random.2 one_random 2 &&
		t_run random.3 one_random 3
}

t_main t_modes all
