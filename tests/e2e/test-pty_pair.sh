#!/bin/bash
# test-pty_pair.sh - a pty pair between a parent (master) and a child
# session leader (slave as controlling terminal and stdio) with a
# grandchild in its own process group: after each of 2 checkpoint/kill/
# restart cycles the pair is recreated (a new /dev/pts/N), termios, window
# size and the foreground group are back, no byte in flight is lost or
# repeated, and tcsetpgrp still works; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() {
	export T_NPEERS=3
	T_AFTER_CKPT="t_expect_images 3" t_cycles pty_pair 2
	grep -a '^restart ' "$T/app.log" | sed 's/^/    /'
}

t_main t_modes scenario
