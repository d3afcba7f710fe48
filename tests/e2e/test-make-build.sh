#!/bin/bash
# test-make-build.sh - a parallel build in progress: `make -j2` of a
# generated tree (a top Makefile running two recursive sub-makes, which
# share the top make's jobserver pipe; each sub-make builds 32 leaves that
# sleep briefly and write a computed value, 8 targets summing 4 leaves
# each through a cat|awk pipeline, and a sum; the top make sums the two
# sums).  Checkpointed twice while it runs (forked shells, sleeps, pipes,
# children being waited for, tokens in the jobserver pipe), killed and
# restarted each time; the restarted build must finish with exit status 0
# and every output must hold the right value.  The recipes are
# idempotent (each writes its target directly), since files written
# between a checkpoint and the kill stay on disk.  Every leaf and middle
# recipe is a pipeline into a sleeping subshell (echo V | { sleep; cat; }
# > $@), so checkpoints land amid forks and execs; no target is
# .PRECIOUS: --kill stops every process before any dies, so no make sees
# its recipe killed and deletes the target.  T_MAKE_SIMPLE=1: plain
# recipes (sleep; echo V > $@).  gzip and raw, root and unprivileged.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

NLEAF=32

leaf_val() { # sub i
	echo "$1 $((($2 * 7919 + ${#1} * 13) % 1000003))"
}

gen_tree() { # dir
	local d=$1 sub i
	for sub in a bb; do
		mkdir -p "$d/$sub"
		{
			echo "all: sum.out"
			for ((i = 1; i <= NLEAF; i++)); do
				echo "leaf$i.out:"
				if [ -z "${T_MAKE_SIMPLE:-}" ]; then
					printf '\t@echo %s | { sleep 0.2; cat; } > $@\n' "$(leaf_val "$sub" "$i")"
				else
					printf '\t@sleep 0.2; echo %s > $@\n' "$(leaf_val "$sub" "$i")"
				fi
			done
			for ((i = 1; i <= NLEAF; i += 4)); do
				echo "mid$i.out: leaf$i.out leaf$((i + 1)).out leaf$((i + 2)).out leaf$((i + 3)).out"
				if [ -z "${T_MAKE_SIMPLE:-}" ]; then
					printf '\t@cat $^ | { sleep 0.1; awk %s; } > $@\n' "'{ s += \$\$2 } END { print s }'"
				else
					printf '\t@sleep 0.1; cat $^ | awk %s > $@\n' "'{ s += \$\$2 } END { print s }'"
				fi
			done
			printf 'sum.out:'
			for ((i = 1; i <= NLEAF; i += 4)); do printf ' mid%d.out' "$i"; done
			echo
			printf '\t@cat $^ | awk %s > $@\n' "'{ s += \$\$1 } END { print s }'"
		} >"$d/$sub/Makefile"
	done
	cat >"$d/Makefile" <<'EOF'
all: final.out
.PHONY: a/sum.out bb/sum.out
a/sum.out bb/sum.out:
	+@$(MAKE) -s -C $(@D)
final.out: a/sum.out bb/sum.out
	@cat $^ | awk '{ s += $$1 } END { print s }' > $@
EOF
}

verify_tree() { # dir
	local d=$1 sub i j want got total=0 sum mid
	for sub in a bb; do
		sum=0
		for ((i = 1; i <= NLEAF; i += 4)); do
			mid=0
			for ((j = i; j < i + 4; j++)); do
				want=$(leaf_val "$sub" "$j")
				got=$(cat "$d/$sub/leaf$j.out" 2>&1)
				[ "$got" = "$want" ] || t_fail "$sub/leaf$j.out is '$got', expected '$want'"
				mid=$((mid + ${want#* }))
			done
			got=$(cat "$d/$sub/mid$i.out" 2>&1)
			[ "$got" = "$mid" ] || t_fail "$sub/mid$i.out is '$got', expected $mid"
			sum=$((sum + mid))
		done
		got=$(cat "$d/$sub/sum.out" 2>&1)
		[ "$got" = "$sum" ] || t_fail "$sub/sum.out is '$got', expected $sum"
		total=$((total + sum))
	done
	got=$(cat "$d/final.out" 2>&1)
	[ "$got" = "$total" ] || t_fail "final.out is '$got', expected $total"
	t_log "all $((2 * (NLEAF + NLEAF / 4 + 1) + 1)) outputs correct (total $total)"
}

n_outputs() {
	find "$T/work" -name '*.out' | wc -l
}

outputs_at_least() {
	[ "$(n_outputs)" -ge "$1" ]
}

t_peers_any() {
	local out
	out=$(t_command --status 2>&1) || return 1
	grep -qE '^[[:space:]]*RUNNING=yes' <<<"$out"
}

rst_joined_or_done() { # pid
	t_peers_any && return 0
	! t_alive "$1"
}

scenario() {
	local cur i out n before
	command -v make >/dev/null || t_fail "make not installed"
	mkdir -p "$T/work"
	gen_tree "$T/work"
	t_coord_start
	"$BIN/dmtcp_launch" --join-coordinator make -j2 -C "$T/work" \
		</dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_log "launched make -j2: pid $APP_PID"
	t_wait "$T_TIMEOUT" "6 outputs of the build" outputs_at_least 6
	cur=$APP_PID
	for i in 1 2; do
		t_log "checkpoint $i with $(n_outputs) outputs built"
		out=$(timeout -k 5 "$T_CKPT_TIMEOUT" "$BIN/dmtcp_command" -p "$COORD_PORT" \
			--bcheckpoint 2>&1) || t_fail "bcheckpoint exited $?: $out"
		n=$(grep -c 'IMAGE=' <<<"$out")
		t_log "checkpoint $i: $n images ($(grep -o 'ckpt_[a-z]*' <<<"$out" | sort | uniq -c | tr -s ' \n' ' '))," \
			"$(sed -n 's/^[[:space:]]*TIME_MS=//p' <<<"$out") ms"
		[ -e "$T/work/final.out" ] && t_fail "the build finished before checkpoint $i: too fast for this test"
		[ "$n" -ge 3 ] || t_fail "checkpoint $i has $n images: expected make, its sub-makes and their jobs"
		t_command --kill >"$T/kill.out" 2>&1 || t_fail "kill failed: $(cat "$T/kill.out")"
		t_wait_exit "$cur" "$T_TIMEOUT" "killed build"
		t_wait "$T_TIMEOUT" "0 peers after kill" t_peers 0
		before=$(n_outputs)
		RST_N=$((RST_N + 1))
		"$COORD_CKPTDIR/dmtcp_restart_script.sh" </dev/null \
			>"$T/restart.$RST_N.log" 2>&1 &
		RST_PID=$!
		t_track "$RST_PID"
		cur=$RST_PID
		t_wait "$T_TIMEOUT" "restarted build to join" rst_joined_or_done "$RST_PID"
		t_alive "$RST_PID" || {
			wait "$RST_PID"
			t_fail "restarted build ended (status $?) at once: $(tail -n 5 "$T/restart.$RST_N.log") $(tail -n 3 "$T/app.err")"
		}
		t_log "restart $i: running, $before outputs on disk"
		# the build goes on after the restart
		[ "$i" -eq 1 ] && t_wait "$T_TIMEOUT" "4 more outputs after restart" \
			outputs_at_least $((before + 4))
	done
	t_wait_exit "$cur" 60 "restarted build to finish"
	[ "$T_RC" -eq 0 ] || t_fail "the restarted make exited $T_RC: $(tail -n 5 "$T/app.err") $(tail -n 5 "$T/restart.$RST_N.log")"
	verify_tree "$T/work"
}

t_main t_modes scenario
