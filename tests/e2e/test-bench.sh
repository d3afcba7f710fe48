#!/bin/bash
# test-bench.sh - a smoke test of the benchmark table (bench/table.sh): a
# tiny run (8 MiB, one run, rows 1 and 5-7) exits 0 and prints a complete
# table whose cells have the right form, the image of 8 MiB half-zero data
# within its bounds, bigmem's 1% rewrite of the right number of pages,
# row 6 marked "full image" exactly when its images are not deltas,
# --save's TSV holding the printed cells and --compare printing them back;
# nothing is left behind (work directory, images, processes); bad options
# exit 2 naming what is wrong.  Timings are never checked.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

TABLE=$DMTCP_SRCDIR/bench/table.sh

bench() { # log args...: runs table.sh with images in $T/b
	local log=$1
	shift
	BENCH_DIR=$T/b BENCH_TIMEOUT=120 timeout 300 bash "$TABLE" "$@" \
		"$DMTCP_BUILDDIR" >"$T/$log" 2>"$T/$log.err"
}

row() { # n: the table line of row n
	grep -E "^$1   " "$T/bench.log"
}

scenario() {
	local rc line mib cell saved
	mkdir "$T/b"
	bench bench.log --size 8 --runs 1 --small-runs 2 --rows 1,5-7 --save "$T/save"
	rc=$?
	cat "$T/bench.log"
	[ $rc -eq 0 ] || t_fail "bench/table.sh exited $rc: $(tail -n 3 "$T/bench.log.err")"
	grep -qE '^#   case +target +measured +met$' "$T/bench.log" ||
		t_fail "no table header"
	[ "$(grep -cE '^[1-8]   ' "$T/bench.log")" -eq 4 ] || t_fail "not 4 rows (1, 5, 6, 7)"
	line=$(row 1)
	[[ $line =~ ^1\ +8\ MiB,\ half\ the\ pages\ zero,\ raw:\ image\ size\ +\<=\ 520\ MiB\ +(([0-9]+)\.[0-9]\ MiB)\ +n/a$ ]] ||
		t_fail "row 1: $line"
	cell=${BASH_REMATCH[1]} mib=${BASH_REMATCH[2]}
	# 4 MiB of random pages at least, no more than the 8 MiB and the program
	[ "$mib" -ge 4 ] && [ "$mib" -le 40 ] || t_fail "row 1: image of $mib MiB"
	[[ $(row 5) =~ \<=\ 50\ ms\ +[0-9]+\.[0-9]\ ms\ /\ [0-9]+\.[0-9]\ ms\ +n/a$ ]] ||
		t_fail "row 5: $(row 5)"
	[[ $(row 6) =~ \ [0-9]+\ ms\ [0-9.]+\ MiB\ /\ [0-9]+\ ms\ [0-9.]+\ MiB\ +n/a ]] ||
		t_fail "row 6: $(row 6)"
	[[ $(row 7) =~ \ [0-9]+\ ms\ /\ [0-9]+\ ms\ \([0-9.]+\ MiB\)\ +(yes|no)$ ]] ||
		t_fail "row 7: $(row 7)"
	# 8 MiB = 2048 pages, every 100th rewritten: pages 0, 100, ..., 2000
	grep -q '^  6: 21 pages rewritten before each; raw: ckpt ms [0-9]' "$T/bench.log" ||
		t_fail "row 6 details: $(grep '^  6:' "$T/bench.log")"
	# row 6 is marked full image exactly when a mode wrote no delta image
	case $(grep -o 'delta images: [a-z]*' "$T/bench.log" | cut -d' ' -f3 | paste -sd' ' -) in
	"yes yes") [[ $(row 6) != *"full image"* ]] || t_fail "row 6 marked full: $(row 6)" ;;
	"no no") [[ $(row 6) == *"  full image (no incremental)" ]] || t_fail "row 6 not marked: $(row 6)" ;;
	"yes no"|"no yes") [[ $(row 6) == *": full image (no incremental)" ]] || t_fail "row 6: $(row 6)" ;;
	*) t_fail "row 6 details: $(grep '^  6:' "$T/bench.log")" ;;
	esac
	grep -qE '^  DMTCP_FORKED_CHECKPOINT=.* \((known to this build|not known to this build: ignored)\)$' \
		"$T/bench.log" || t_fail "no DMTCP_FORKED_CHECKPOINT line in the header"

	[ -z "$(ls -A "$T/b")" ] || t_fail "left in BENCH_DIR: $(ls -A "$T/b")"
	[ -z "$(t_marked_pids)" ] || t_fail "processes left running: $(t_marked_pids)"

	[ "$(awk -F'\t' '$1 ~ /^[1-8]$/ { print $1 }' "$T/save/table.tsv" | paste -sd' ' -)" = "1 5 6 7" ] ||
		t_fail "rows of table.tsv: $(cat "$T/save/table.tsv")"
	saved=$(awk -F'\t' '$1 == 1 { print $4 }' "$T/save/table.tsv")
	[ "$saved" = "$cell" ] || t_fail "table.tsv has '$saved' for row 1, the table '$cell'"

	bench compare.log --size 8 --runs 1 --rows 1 --compare "$T/save" ||
		t_fail "the --compare run failed: $(tail -n 3 "$T/compare.log.err")"
	grep -qE '^#   case +target +measured +met +previous$' "$T/compare.log" ||
		t_fail "no previous column: $(grep '^#' "$T/compare.log")"
	line=$(grep '^1   ' "$T/compare.log")
	[[ $line == *"n/a   $saved" ]] || t_fail "row 1 without the saved '$saved': $line"

	bench bad.log --rows 9
	[ $? -eq 2 ] && grep -q "rows: '9' is not a row" "$T/bad.log.err" ||
		t_fail "--rows 9: $(cat "$T/bad.log.err")"
	bench bad.log --compare "$T/none"
	[ $? -eq 2 ] && grep -qF "cannot read $T/none/table.tsv" "$T/bad.log.err" ||
		t_fail "--compare of a missing file: $(cat "$T/bad.log.err")"
	t_log "bench table: complete, saved, compared, nothing left behind"
}

t_main t_run bench scenario
