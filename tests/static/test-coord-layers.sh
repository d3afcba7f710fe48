#!/bin/bash
# test-coord-layers.sh - the coordinator's files call only downwards
# (the layers at the top of coordinator/coord.h): from the built objects,
# which file uses (nm: U) a symbol which other file defines (T/D/B/R/C);
# fails if two files reach each other through those calls, i.e. on any
# cycle, naming the calls that close it.  No coordinator is run.
#
# Usage: test-coord-layers.sh [BUILDDIR]   (default $DMTCP_BUILDDIR)
set -u
builddir=${1:-${DMTCP_BUILDDIR:?builddir}}
objs=("$builddir"/coordinator/bin_dmtcp_coordinator-*.o)
if [ ! -f "${objs[0]}" ]; then
	echo "FAIL: no coordinator objects in $builddir/coordinator (build first)"
	exit 1
fi
if ! command -v nm >/dev/null; then
	echo "FAIL: nm (binutils) not found"
	exit 1
fi
for o in "${objs[@]}"; do
	f=${o##*/bin_dmtcp_coordinator-}
	nm "$o" | sed "s|^|${f%.o} |"
done | awk '
	NF == 4 && $3 ~ /^[TDBRC]$/ { def[$4] = $1; next }
	NF == 3 && $2 == "U" { use[$1, $3] = 1; files[$1] = 1 }
	NF == 4 { files[$1] = 1 }
	END {
		n = 0
		for (k in use) {
			split(k, p, SUBSEP)
			b = def[p[2]]
			if (b == "" || b == p[1])
				continue
			if (!((p[1], b) in edge))
				edge[p[1], b] = p[2]
			else
				edge[p[1], b] = edge[p[1], b] " " p[2]
			reach[p[1], b] = 1
		}
		for (f in files)
			nodes[++n] = f
		for (k = 1; k <= n; k++)
			for (i = 1; i <= n; i++)
				if ((nodes[i], nodes[k]) in reach)
					for (j = 1; j <= n; j++)
						if ((nodes[k], nodes[j]) in reach)
							reach[nodes[i], nodes[j]] = 1
		bad = 0
		for (k in edge) {
			split(k, p, SUBSEP)
			if ((p[2], p[1]) in reach) {
				printf "cycle: %s.c calls %s.c (%s), which leads " \
				       "back to %s.c\n", p[1], p[2], edge[k], p[1]
				bad = 1
			}
		}
		printf "%d files, %s\n", n, bad ? "with cycles" : "no cycle"
		exit bad
	}'
