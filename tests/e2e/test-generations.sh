#!/bin/bash
# test-generations.sh - three generations of images: restart, checkpoint
# the restarted process, restart that image, and again (threads_tls and
# heap_pattern), gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	t_cycles threads_tls 3
}

scenario_heap() {
	t_cycles heap_pattern 3
}

both() {
	t_run threads_tls scenario && t_run heap_pattern scenario_heap
}

t_main t_modes both
