#!/bin/bash
# test-pgid_sid.sh - tests/progs/pgid_sid: a process whose group and
# session leaders are outside the computation (this script's), a child
# leading a group of its own and a grandchild in it: pid, ppid, pgid and
# sid of every process are the same after each of two restarts (run
# without a terminal, as scripts and batch jobs do).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	export T_NPEERS=3
	t_cycles pgid_sid 2
}

t_main t_modes scenario
