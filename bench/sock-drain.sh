#!/bin/bash
# bench/sock-drain.sh - what draining full TCP connections costs a
# checkpoint (doc/sockets.md, "Drain and refill"); not part of make check.
# For N connections between two processes (tests/progs/tcp_fill), each
# with the writer's send queue and the reader's receive queue full, and
# for the same N connections empty: the median checkpoint time
# (dmtcp_command --bcheckpoint, raw images) of 3 checkpoints that resume,
# the longest drain and refill of a process (the library's debug log:
# "sockets: drained ... in N ms", "wrote again ... in N ms"), the MiB
# drained per checkpoint and the image bytes.  Every run ends with the
# program checking each byte it read.
#
# Usage: bench/sock-drain.sh [BUILDDIR [N...]]   (default N: 1 4 16 64)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
export DMTCP_SRCDIR=$SRC
export DMTCP_BUILDDIR=$(cd "${1:-$SRC}" && pwd)
shift $(($# > 0 ? 1 : 0))
. "$SRC/tests/e2e/lib.sh"
export T_NPEERS=2 DMTCP_GZIP=0 T_SETTLE=0.2 DMTCP_DEBUG=1

median() {
	printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"
}

one() { # N full|empty
	local ms=() bytes=0 k drain refill mib
	t_coord_start >/dev/null
	t_launch tcp_fill "$1" "$2" >/dev/null
	t_wait_ready
	for k in 1 2 3; do
		t_checkpoint >/dev/null
		ms+=("$(sed -n 's/^[[:space:]]*TIME_MS=//p' <<<"$CKPT_OUT")")
		bytes=$(sed -n 's/^[[:space:]]*TOTAL_BYTES=//p' <<<"$CKPT_OUT")
	done
	t_finish "$APP_PID" tcp_fill 0 >/dev/null
	drain=$(sed -n 's/.*sockets: drained [0-9]* bytes .* in \([0-9]*\) ms.*/\1/p' \
		"$T/app.err" | sort -n | tail -1)
	refill=$(sed -n 's/.*sockets: wrote again [0-9]* bytes .* in \([0-9]*\) ms.*/\1/p' \
		"$T/app.err" | sort -n | tail -1)
	mib=$(sed -n 's/.*sockets: drained \([0-9]*\) bytes.*/\1/p' "$T/app.err" |
		awk '{ s += $1 } END { printf "%.1f", s / 3 / 1048576 }')
	printf '%-6s %-6s %8s %9s %10s %10s %12s\n' "$1" "$2" \
		"$(median "${ms[@]}")" "${drain:--}" "${refill:--}" "$mib" "$bytes"
}

printf '%-6s %-6s %8s %9s %10s %10s %12s\n' conns queues ckpt_ms drain_ms \
	refill_ms MiB/ckpt image_bytes
for n in "${@:-1 4 16 64}"; do
	for mode in empty full; do
		(t_setup "drain-$n-$mode" >/dev/null && one "$n" "$mode") ||
			echo "$n $mode: FAILED"
	done
done
