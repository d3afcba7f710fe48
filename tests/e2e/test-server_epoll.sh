#!/bin/bash
# test-server_epoll.sh - a TCP server (listening socket, epoll set with the
# listener and an eventfd) and its own client thread: after each of 2
# checkpoint/kill/restart cycles the listener accepts new connections on
# the same port, epoll tags and the eventfd work; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() { t_cycles server_epoll 2; }

t_main t_modes scenario
