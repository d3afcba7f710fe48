#!/bin/bash
# test-fd_timers.sh - timerfd (remaining time, interval, clock, unread
# expirations), signalfd (mask, flags, pending signals read exactly once)
# and inotify (watches with their numbers, a gap included, events for
# files created after the restart) through 2 checkpoint/kill/restart
# cycles; gzip and raw.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

scenario() { t_cycles fd_timers 2; }

t_main t_modes scenario
