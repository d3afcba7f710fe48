#!/bin/bash
# test-plugin-applic.sh - the application-API examples of tests/plugin:
#  - applic_initiated checkpoints itself (DMTCP_AFTER_CHECKPOINT), is
#    killed and restarted from that image (DMTCP_AFTER_RESTART) with the
#    value it computed before the checkpoint intact;
#  - applic_delayed spends most of its time in dmtcp_disable_ckpt()
#    sections: a checkpoint requested inside one completes only after it
#    (the program checks the generation did not change inside), twice,
#    through kill/restart.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

P=$B/tests/plugin

initiated() {
	local sum
	t_coord_start
	PROGS=$P t_launch applic_initiated
	t_wait_ready
	sum=$(sed -n 's/^applic_initiated: after checkpoint sum=//p' "$T/app.log")
	[ -n "$sum" ] || t_fail "no 'after checkpoint' line: $(cat "$T/app.log")"
	ls "$COORD_CKPTDIR"/ckpt_applic_initiated_*.dmtcp >/dev/null 2>&1 ||
		t_fail "no image from dmtcp_checkpoint()"
	t_kill "$APP_PID"
	mv "$T/app.log" "$T/app.1.log"
	: >"$T/app.log"
	t_restart
	t_wait "$T_TIMEOUT" "READY after restart" t_is_ready "$RST_PID"
	grep -aqx "applic_initiated: after restart sum=$sum" "$T/app.log" ||
		t_fail "after restart: $(cat "$T/app.log") (expected sum=$sum)"
	t_finish "$RST_PID" applic_initiated 1
}

delayed_ckpt() {
	local t0 t1
	t_wait "$T_TIMEOUT" "a critical section to start" test -e "$T/in_section"
	t0=$(date +%s%N)
	t_checkpoint
	t1=$(date +%s%N)
	t_log "checkpoint requested inside a section took $(((t1 - t0) / 1000000)) ms"
}

delayed() {
	local i cur
	t_coord_start
	PROGS=$P t_launch applic_delayed
	t_wait_ready
	cur=$APP_PID
	for i in 1 2; do
		delayed_ckpt
		t_kill "$cur"
		t_restart
		cur=$RST_PID
	done
	t_finish "$cur" applic_delayed 2
}

scenario() {
	(initiated) || exit 1
	rm -rf "$T/ckpt"/* "$T/stop" "$T/app.log"
	RST_N=0
	delayed
}

t_main t_modes scenario
