#!/bin/bash
# test-api.sh - tests/progs/api: the program checkpoints itself with
# dmtcp_checkpoint() (DMTCP_AFTER_CHECKPOINT), is killed and restarted from
# that image (the same call returns DMTCP_AFTER_RESTART), then goes
# through 2 external checkpoint/restart cycles while spending most of its
# time inside dmtcp_disable_ckpt() sections; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	local cur
	t_coord_start
	t_launch api
	t_wait_ready
	grep -aqx 'api: self-checkpoint returned after_checkpoint' "$T/app.log" ||
		t_fail "dmtcp_checkpoint() did not return DMTCP_AFTER_CHECKPOINT: $(head -n 3 "$T/app.log")"
	ls "$DMTCP_CHECKPOINT_DIR"/ckpt_api_*.dmtcp >/dev/null 2>&1 ||
		t_fail "dmtcp_checkpoint() wrote no ckpt_api_*.dmtcp in $DMTCP_CHECKPOINT_DIR"
	# restart from the program's own checkpoint; its stdout offset was 0
	t_kill "$APP_PID"
	mv "$T/app.log" "$T/app.phase1.log"
	: >"$T/app.log"
	t_restart
	cur=$RST_PID
	t_wait "$T_TIMEOUT" "READY after restarting the self-checkpoint" \
		t_is_ready "$cur"
	grep -aqx 'api: self-checkpoint returned after_restart' "$T/app.log" ||
		t_fail "after restart dmtcp_checkpoint() did not return DMTCP_AFTER_RESTART: $(head -n 3 "$T/app.log")"
	t_more_cycles "$cur" 2
	t_finish "$CUR_PID" api 3
}

t_main t_modes scenario
