#!/bin/bash
# test-fork_pipe.sh - a parent, child and grandchild (own process group)
# exchanging numbers through two pipes: 2 checkpoint/kill/restart cycles
# with data in flight; pids, ppids, groups, exit statuses and every number
# are checked by the program itself; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

export T_NPEERS=3

scenario() {
	T_AFTER_CKPT="t_expect_images 3" t_cycles fork_pipe 2
}

t_main t_modes scenario
