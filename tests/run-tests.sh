#!/bin/bash
# run-tests.sh - the `make check` runner: runs every unit test binary and
# every end-to-end script, prints PASS/FAIL per test, ends with the line
# "N passed, N failed".  Usage: run-tests.sh BUILDDIR SRCDIR [FILTER]
# DMTCP_TEST_KINDS="unit static" runs only those kinds (default: unit
# static e2e; `make distcheck` in .ci/run uses it to skip the e2e suite).
builddir=${1:?builddir}
srcdir=${2:?srcdir}
filter=${3:-${TESTS_FILTER:-}}
pass=0
fail=0
failed=()
logdir="$builddir/tests/logs"
mkdir -p "$logdir"

kinds=" ${DMTCP_TEST_KINDS:-unit static e2e} "

run_one() { # name, command...
	local name=$1; shift
	if [[ "$kinds" != *" ${name%%/*} "* ]]; then return; fi
	if [ -n "$filter" ] && [[ "$name" != *$filter* ]]; then return; fi
	local log="$logdir/${name//\//_}.log"
	local start=$(date +%s.%N)
	if timeout -k 5 600 "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'PASS: %s (%.1fs)\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
	else
		fail=$((fail + 1)); failed+=("$name")
		printf 'FAIL: %s (see %s)\n' "$name" "$log"
		tail -n 25 "$log" | sed 's/^/    | /'
	fi
	# cmocka prints one line per test case: show them
	grep -E '^\[ +(OK|FAILED) +\]' "$log" | sed 's/^/    /'
}

export DMTCP_BUILDDIR="$builddir" DMTCP_SRCDIR="$srcdir"
for t in "$builddir"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
# checks of the build itself (layers of the preload library, ...)
for t in "$srcdir"/tests/static/test-*.sh; do
	[ -f "$t" ] || continue
	run_one "static/$(basename "$t" .sh)" bash "$t" "$builddir"
done
for t in "$srcdir"/tests/e2e/test-*.sh; do
	[ -f "$t" ] || continue
	run_one "e2e/$(basename "$t" .sh)" bash "$t"
done
echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed tests: ${failed[*]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
