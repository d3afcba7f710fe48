#!/bin/bash
# test-mtcp-freestanding.sh - mtcp_restart must stay freestanding: no
# libc header in src/mtcp (only stdint.h/stddef.h, its own header and the
# include/dmtcp contracts, which include nothing else), a static executable with no interpreter and
# no undefined symbol, linked inside the reserved restart range.
set -u
src=$DMTCP_SRCDIR/src/mtcp
bin=$DMTCP_BUILDDIR/bin/mtcp_restart
fail() { echo "FAIL: $*"; exit 1; }

bad=$(grep -hE '^[[:space:]]*#[[:space:]]*include' "$src"/*.c "$src"/*.h |
	grep -vE '<(stdint|stddef)\.h>|"mtcp-sys\.h"|"dmtcp/(image|restore|rawsys|fds)\.h"')
[ -z "$bad" ] || fail "libc-world include in src/mtcp: $bad"
# the shared contracts it takes stay freestanding too
for h in rawsys fds restore restore-check; do
	bad=$(grep -hE '^[[:space:]]*#[[:space:]]*include' \
		"$DMTCP_SRCDIR/include/dmtcp/$h.h" |
		grep -vE '<(stdint|stddef)\.h>|"dmtcp/(fds|restore-check|image)\.h"')
	[ -z "$bad" ] || fail "include/dmtcp/$h.h includes $bad"
done
[ -x "$bin" ] || fail "$bin not built"
readelf -lW "$bin" | grep -q INTERP && fail "mtcp_restart has an interpreter"
und=$(nm -u "$bin")
[ -z "$und" ] || fail "undefined symbols in mtcp_restart: $und"
readelf -lW "$bin" | awk '$1 == "LOAD" { print $3 }' | while read -r a; do
	case $a in
	0x00003d00000*) ;;
	*) echo "FAIL: segment at $a outside the reserved range"; exit 1 ;;
	esac
done || exit 1
# the restart range in the contract and the link address agree
grep -q 'DMTCP_RESERVE_ADDR[[:space:]]*0x3d0000000000UL' \
	"$DMTCP_SRCDIR/include/dmtcp/restore.h" || fail "reserve address changed?"
echo "mtcp_restart is freestanding and linked at 0x3d0000000000"
