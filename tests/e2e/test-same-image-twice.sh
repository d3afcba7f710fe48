#!/bin/bash
# test-same-image-twice.sh - restart the same image twice in a row: both
# restored processes must PASS (restarts=1 each time).  Between the two
# runs the stdout log is put back the way it was at checkpoint time.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	local prog=${1:-threads_tls} logsize script
	t_coord_start
	t_launch "$prog"
	t_wait_ready
	t_checkpoint
	logsize=$(stat -c %s "$T/app.log")
	# keep the script of this checkpoint: later ones must not matter
	script=$(readlink -f "$COORD_CKPTDIR/dmtcp_restart_script.sh")
	cp -a "$T/ckpt" "$T/ckpt.saved"
	t_kill "$APP_PID"

	t_restart
	t_finish "$RST_PID" "$prog" 1
	cp "$T/app.log" "$T/app.run1.log"

	# second time from the very same image
	rm -f "$TEST_STOP_FILE"
	truncate -s "$logsize" "$T/app.log"
	t_wait "$T_TIMEOUT" "coordinator with no peers" t_peers 0
	cmp -s "$T/ckpt/${CKPT_IMAGES[0]##*/}" "$T/ckpt.saved/${CKPT_IMAGES[0]##*/}" ||
		t_fail "the image changed after the first restart"
	T_RESTART_CMD=("$script")
	t_restart
	t_finish "$RST_PID" "$prog" 1
}

two() {
	t_run threads_tls scenario threads_tls && t_run file_offsets scenario file_offsets
}

t_main t_modes two
