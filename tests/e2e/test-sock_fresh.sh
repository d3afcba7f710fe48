#!/bin/bash
# test-sock_fresh.sh - tests/progs/sock_fresh: TCP and UDP sockets that
# were created but not connected at checkpoint time come back as sockets
# of the same family and type and connect after each of two restarts
# (they used to come back as UNIX sockets: connect() gave EINVAL).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() { t_cycles sock_fresh 2; }

t_main t_modes scenario
