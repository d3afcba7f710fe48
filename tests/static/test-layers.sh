#!/bin/bash
# test-layers.sh - the preload library's folders call only downwards.
#
# Derives from the built objects (nm: symbols each object defines and
# uses) which folder of src/preload/ uses which, prints that graph, and
# fails on an edge that goes up the declared order (src/preload/
# Makefile.mk) or on any cycle (tsort).  The libraries linked into
# libdmtcp.so (src/common, src/image) are the bottom: they must not use
# anything of the preload library (e.g. bind to an application-facing
# wrapper such as poll()).
#
# Usage: test-layers.sh [BUILDDIR]   (default $DMTCP_BUILDDIR)
set -u
builddir=${1:-${DMTCP_BUILDDIR:?builddir}}
# top first; a folder may use only folders after it
order=(wrap ckpt plugin image fd ipc threads base image-lib common)

objs=()
for d in "$builddir"/src/preload/*/; do
	for o in "$d"lib_libdmtcp_so-*.o; do [ -f "$o" ] && objs+=("$o"); done
done
for o in "$builddir"/src/common/*.o "$builddir"/src/image/*.o; do
	case $o in */lib_libdmtcpcommon_a-*|*/lib_libdmtcpimage_a-*) objs+=("$o") ;; esac
done
if [ ${#objs[@]} -lt 10 ]; then
	echo "FAIL: no objects of lib/libdmtcp.so under $builddir (build first)"
	exit 1
fi

folder_of() { # object path -> folder name
	case $1 in
	*/src/preload/*) local f=${1#*/src/preload/}; echo "${f%%/*}" ;;
	*/src/common/*) echo common ;;
	*/src/image/*) echo image-lib ;;
	esac
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for o in "${objs[@]}"; do
	f=$(folder_of "$o")
	nm "$o" | awk -v f="$f" -v o="${o##*/}" '
		$1 == "U" { print "U", f, o, $2; next }
		NF == 3 && $2 ~ /^[TDBRVWGSC]$/ { print "D", f, o, $3 }'
done > "$tmp/all"

# Archive members count only when the link pulls them in: those that
# define a symbol something already in uses (to a fixed point).
awk '{ in_lib = ($2 == "common" || $2 == "image-lib") }
     !in_lib { take[$3] = 1 }
     { line[NR] = $0; obj[NR] = $3; kind[NR] = $1; sym[NR] = $4 }
     END {
	do {
		changed = 0
		for (i = 1; i <= NR; i++)
			if (take[obj[i]] && kind[i] == "U") need[sym[i]] = 1
		for (i = 1; i <= NR; i++)
			if (!take[obj[i]] && kind[i] == "D" && need[sym[i]]) {
				take[obj[i]] = 1; changed = 1 }
	} while (changed)
	for (i = 1; i <= NR; i++) if (take[obj[i]]) print line[i]
     }' "$tmp/all" > "$tmp/syms"

# Names the link sends to __wrap_NAME (-Wl,--wrap, base/real.c) are
# libc's for the library's own calls: no edge.  That the link really
# did so is checked below on the library itself.
awk '$1 == "D" && $4 ~ /^__wrap_/ { print substr($4, 8) }' "$tmp/syms" |
	sort -u > "$tmp/wrapped"

# edges "user used symbol user-object" where the symbol's definer is
# another folder
awk 'FNR == NR { wrapped[$1] = 1; next }
     $1 == "D" { def[$4] = $2 }
     $1 == "U" && !($4 in wrapped) { use[++n] = $2 " " $4 " " $3 }
     END { for (i = 1; i <= n; i++) { split(use[i], a, " ");
		if ((a[2] in def) && def[a[2]] != a[1])
			print a[1], def[a[2]], a[2], a[3] } }' \
	"$tmp/wrapped" "$tmp/syms" | sort -u > "$tmp/edges"

bad=0
if [ ! -s "$tmp/wrapped" ]; then
	echo "FAIL: no __wrap_ entry points in base/ (base/real.c)"
	bad=1
elif [ -f "$builddir/Makefile" ]; then
	# every __wrap_NAME needs its -Wl,--wrap=NAME in the link, or the
	# library's own calls to NAME still go to the wrapper
	sed -n '/^DMTCP_INTERNAL_CALLS *=/,/[^\\]$/p' "$builddir/Makefile" |
		grep -o -- '--wrap=[A-Za-z0-9_]*' | cut -d= -f2 | sort -u \
		> "$tmp/linked"
	if ! cmp -s "$tmp/wrapped" "$tmp/linked"; then
		echo "FAIL: __wrap_ entry points (base/real.c) and" \
		     "DMTCP_INTERNAL_CALLS (src/preload/Makefile.mk) differ:"
		diff "$tmp/wrapped" "$tmp/linked" | sed 's/^/  /'
		bad=1
	fi
fi

echo "folder uses (symbols):"
awk '{ k = $1 " -> " $2; if (!seen[k, $3]++) s[k] = s[k] " " $3 } END { for (k in s) print k ":" s[k] }' \
	"$tmp/edges" | sort | sed 's/^/  /'

rank() { local i; for i in "${!order[@]}"; do
	[ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
while read -r from to; do
	rf=$(rank "$from"); rt=$(rank "$to")
	if [ "$rf" -lt 0 ] || [ "$rt" -lt 0 ]; then
		echo "FAIL: folder $from or $to is not in the declared order" \
		     "(tests/static/test-layers.sh, src/preload/Makefile.mk)"
		bad=1
	elif [ "$rf" -ge "$rt" ]; then
		echo "FAIL: $from uses $to, which is above it:" \
		     "$(awk -v a="$from" -v b="$to" '$1 == a && $2 == b { printf "%s (%s) ", $3, $4 }' "$tmp/edges")"
		bad=1
	fi
done < <(awk '{ print $1, $2 }' "$tmp/edges" | sort -u)

if ! awk '{ print $1, $2 }' "$tmp/edges" | sort -u | tsort >/dev/null 2>"$tmp/loop"; then
	echo "FAIL: the folders use each other in a cycle:"
	sed 's/^/  /' "$tmp/loop"
	bad=1
fi
[ "$bad" -eq 0 ] && echo "no folder uses one above it; no cycle (${#objs[@]} objects)"
exit "$bad"
