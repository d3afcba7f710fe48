#!/bin/bash
# bench/table.sh - the benchmark table of issue 14 (not part of make
# check): every row of it measured on this machine in one run, each next
# to its target, with the machine's own dd figures (write with conv=fsync,
# read) in the same directory, and a previous run's numbers beside them
# (--compare DIR, from a run with --save DIR, e.g. of the previous
# release's build).  The measurements are in bench/table-cases.sh, the
# program they checkpoint is bench/bigmem.c.  Timings are printed, never
# checked; the "met" column only compares them with the targets.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	cat <<EOF
Usage: bench/table.sh [OPTIONS] [BUILDDIR]
Measures the rows of issue 14's table with the build in BUILDDIR
(default: the source tree) and prints one table.

  --size MIB        memory of the big rows 1-6 (default 1024; the targets
                    are for 1024)
  --runs N          median of N for rows 2-6 and 8 (default 3)
  --small-runs N    median of N for row 7 (default 10)
  --procs N         processes of row 8 (default 32)
  --proc-mib MIB    memory of each of them (default 4)
  --rows LIST       rows to run, e.g. 1,7 or 2-4 (default 1-8)
  --save DIR        also write this run's table to DIR/table.tsv
  --compare DIR     print DIR/table.tsv's numbers beside this run's
  --help            this text

Environment: BENCH_DIR (where images and dd files go; default \$TMPDIR
or /tmp), BENCH_TIMEOUT (seconds for any one wait, default 600),
BENCH_KEEP=1 (keep the work directory).  DMTCP_FORKED_CHECKPOINT,
DMTCP_INCREMENTAL, DMTCP_FULL_EVERY, DMTCP_GZIP_THREADS and DMTCP_DIRTY
pass through to every process (row 6 sets DMTCP_INCREMENTAL=1); the
header says which were set and whether the build knows them.
EOF
}

SIZE=1024 RUNS=3 SMALL_RUNS=10 NPROCS=32 PROC_MIB=4 ROWSEL=1-8 SAVE="" COMPARE=""
B=""
BENCH_NAME=bench-table
while [ $# -gt 0 ]; do
	case $1 in
	--size | --runs | --small-runs | --procs | --proc-mib | --rows | --save | --compare)
		[ $# -ge 2 ] || { echo "$BENCH_NAME: $1 needs a value" >&2; exit 2; }
		case $1 in
		--size) SIZE=$2 ;;
		--runs) RUNS=$2 ;;
		--small-runs) SMALL_RUNS=$2 ;;
		--procs) NPROCS=$2 ;;
		--proc-mib) PROC_MIB=$2 ;;
		--rows) ROWSEL=$2 ;;
		--save) SAVE=$2 ;;
		--compare) COMPARE=$2 ;;
		esac
		shift 2 ;;
	--help) usage; exit 0 ;;
	-*) echo "$BENCH_NAME: unknown option $1" >&2; usage >&2; exit 2 ;;
	*)
		[ -z "$B" ] || { echo "$BENCH_NAME: one BUILDDIR only" >&2; exit 2; }
		B=$1
		shift ;;
	esac
done
for v in size:SIZE runs:RUNS small-runs:SMALL_RUNS procs:NPROCS proc-mib:PROC_MIB; do
	n=${v#*:}
	[[ ${!n} =~ ^[0-9]{1,7}$ ]] && [ "${!n}" -ge 1 ] || {
		echo "$BENCH_NAME: --${v%%:*} needs a whole number from 1: '${!n}'" >&2
		exit 2
	}
done

# --rows LIST -> WANT[1..8]
WANT=()
IFS=, read -ra parts <<<"$ROWSEL"
for p in "${parts[@]}"; do
	if [[ $p =~ ^([1-8])-([1-8])$ ]]; then
		for ((r = BASH_REMATCH[1]; r <= BASH_REMATCH[2]; r++)); do WANT[r]=1; done
	elif [[ $p =~ ^[1-8]$ ]]; then
		WANT[p]=1
	else
		echo "$BENCH_NAME: --rows: '$p' is not a row (1-8) or a range (2-4)" >&2
		exit 2
	fi
done
want() { [ -n "${WANT[$1]:-}" ]; }

# --compare DIR: PREV[row] = the measured cell of DIR/table.tsv
PREV=() PREV_INFO=""
if [ -n "$COMPARE" ]; then
	f=$COMPARE/table.tsv
	[ -f "$f" ] && [ -r "$f" ] || { echo "$BENCH_NAME: --compare: cannot read $f" >&2; exit 2; }
	grep -q '^row	case	target	measured' "$f" ||
		{ echo "$BENCH_NAME: --compare: $f is not a table.tsv of bench/table.sh" >&2; exit 2; }
	while IFS=$'\t' read -r r _ _ m _ n; do
		[[ $r =~ ^[1-8]$ ]] && PREV[r]=$m${n:+, $n}
	done <"$f"
	PREV_INFO=$(sed -n 's/^#\(date\|size_mib\|build\)\t/\1 /p' "$f" | paste -sd, - | sed 's/,/, /g')
fi
if [ -n "$SAVE" ]; then
	mkdir -p "$SAVE" && [ -w "$SAVE" ] ||
		{ echo "$BENCH_NAME: --save: cannot write in $SAVE" >&2; exit 2; }
fi

[ -d "${B:-$SRC}" ] || { echo "$BENCH_NAME: no build directory ${B:-$SRC}" >&2; exit 2; }
B=$(cd "${B:-$SRC}" && pwd) || exit 2
BIN=$B/bin
TIMEOUT=${BENCH_TIMEOUT:-600}
LAUNCH_OPTS=()
. "$SRC/bench/lib.sh"
. "$SRC/bench/table-cases.sh"

bench_setup "$0 [OPTIONS] [BUILDDIR]"
export DMTCP_CHECKPOINT_DIR=$W/ckpt DMTCP_TMPDIR=$W TEST_STOP_FILE=$W/stop \
	BENCH_MARK=$W/mark BENCH_CTL=$W/ctl
${CC:-cc} -O2 -I"$SRC/include" -o "$W/bigmem" "$SRC/bench/bigmem.c" ||
	die "cannot build bench/bigmem.c"
if want 8; then
	${CC:-cc} -O2 -pthread -I"$SRC/include" -I"$SRC/tests/progs" -o "$W/many_procs" \
		"$SRC/tests/progs/many_procs.c" || die "cannot build tests/progs/many_procs.c"
fi

# the mode knobs: set or not, and whether this build has heard of them
knows() { # NAME-or-option
	grep -aqF -- "$1" "$BIN/dmtcp_launch" "$BIN/dmtcp_coordinator" "$B"/lib/*.so 2>/dev/null
}
KNOBS=""
for k in DMTCP_FORKED_CHECKPOINT DMTCP_INCREMENTAL DMTCP_FULL_EVERY DMTCP_GZIP_THREADS DMTCP_DIRTY; do
	v=${!k-unset}
	if knows "$k"; then kn="known to this build"; else kn="not known to this build: ignored"; fi
	KNOBS+="  $k=$v ($kn)"$'\n'
done
INCR=0 INCR_OPT=0
knows DMTCP_INCREMENTAL && INCR=1
"$BIN/dmtcp_launch" --help 2>/dev/null | grep -q -- '--incremental' && INCR_OPT=1

ms2s() { awk -v m="$1" 'BEGIN { printf "%.2f s", m / 1000 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
us2ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
yesno() { if "$@"; then echo yes; else echo no; fi; }

if [ "$SIZE" -eq 1024 ]; then SZ="1 GiB"; else SZ="$SIZE MiB"; fi
LABEL=() TARGET=() MEAS=() MET=() DETAIL=() NOTE=()
LABEL[1]="$SZ, half the pages zero, raw: image size"
TARGET[1]="<= 520 MiB"
LABEL[2]="$SZ, half zero, gzip: ckpt / restart"
TARGET[2]="<= 2 s / <= 1 s"
LABEL[3]="$SZ random, gzip: ckpt / restart"
TARGET[3]="<= 2 s / <= 0.8 s"
LABEL[4]="$SZ random, raw: ckpt (dd conv=fsync)"
TARGET[4]="<= dd"
LABEL[5]="app frozen during a $SZ ckpt: raw / gzip"
TARGET[5]="<= 50 ms"
LABEL[6]="2nd ckpt after 1% changed: raw / gzip"
TARGET[6]="<= 100 ms, <= 15 MiB"
LABEL[7]="small process (counter), gzip: ckpt / restart"
TARGET[7]="<= 20 ms / <= 20 ms"
LABEL[8]="$NPROCS processes x $PROC_MIB MiB, raw: ckpt"
TARGET[8]="<= 300 ms"
BIG=$([ "$SIZE" -eq 1024 ] && echo 1 || echo 0)
met_big() { if [ "$BIG" = 1 ]; then yesno "$@"; else echo "n/a"; fi; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) START=$(date -u '+%F %T UTC')
progress "dd: $SIZE MiB written (conv=fsync) and read in $W"
DD_READ=1 dd_write $((SIZE * 1048576))
DDW=$DD_MS DDR=$DD_READ_MS

if want 1; then
	case_big half raw 1 0 0 0
	MEAS[1]=$(mib "${R_BYTES[0]}")
	MET[1]=$(met_big le "${R_BYTES[0]}" $((520 * 1048576)))
	DETAIL[1]="image bytes ${R_BYTES[0]}; ckpt ms ${R_CK[*]}"
fi
if want 2; then
	case_big half gzip "$RUNS" 1 0 0
	c=$(median "${R_CK[@]}") r=$(median "${R_RS[@]}")
	MEAS[2]="$(ms2s "$c") / $(ms2s "$r")"
	MET[2]=$(met_big eval "le $c 2000 && le $r 1000")
	DETAIL[2]="ckpt ms ${R_CK[*]} (TIME_MS ${R_TOOL[*]}); restart ms ${R_RS[*]}; image $(mib "${R_BYTES[0]}")"
fi
if want 3 || want 5; then
	want 3 && rs=1 || rs=0
	want 5 && gp=1 || gp=0
	case_big random gzip "$RUNS" "$rs" "$gp" 0
	if want 3; then
		c=$(median "${R_CK[@]}") r=$(median "${R_RS[@]}")
		MEAS[3]="$(ms2s "$c") / $(ms2s "$r")"
		MET[3]=$(met_big eval "le $c 2000 && le $r 800")
		DETAIL[3]="ckpt ms ${R_CK[*]} (TIME_MS ${R_TOOL[*]}); restart ms ${R_RS[*]}; image $(mib "${R_BYTES[0]}")"
	fi
	GAP_GZ=("${R_GAP[@]+"${R_GAP[@]}"}")
fi
if want 4 || want 5; then
	want 4 && dd=1 || dd=0
	want 5 && gp=1 || gp=0
	case_big random raw "$RUNS" 0 "$gp" "$dd"
	if want 4; then
		c=$(median "${R_CK[@]}") d=$(median "${R_DD[@]}")
		MEAS[4]="$(ms2s "$c") (dd $(ms2s "$d"))"
		MET[4]=$(yesno le "$c" "$d")
		DETAIL[4]="ckpt ms ${R_CK[*]} (TIME_MS ${R_TOOL[*]}); dd conv=fsync of as many bytes ($(mib "${R_BYTES[0]}")), ms ${R_DD[*]}"
	fi
	GAP_RAW=("${R_GAP[@]+"${R_GAP[@]}"}")
fi
if want 5; then
	gr=$(median "${GAP_RAW[@]}") gg=$(median "${GAP_GZ[@]}")
	MEAS[5]="$(us2ms "$gr") / $(us2ms "$gg")"
	MET[5]=$(met_big eval "le $gr 50000 && le $gg 50000")
	DETAIL[5]="longest gap us, raw ${GAP_RAW[*]}; gzip ${GAP_GZ[*]}; over an idle second before: ${IDLE_GAP} us"
fi
if want 6; then
	case_incr raw "$RUNS"
	cr=$(median "${R_CK[@]}") br=$(median "${R_BYTES[@]}") base=$R_BASE
	DETAIL[6]="$R_DIRTIED pages rewritten before each; raw: ckpt ms ${R_CK[*]}, bytes ${R_BYTES[*]} (first $R_BASE, delta images: $(yesno test "$R_DELTA" = 1))"
	deltas=$R_DELTA
	case_incr gzip "$RUNS"
	cg=$(median "${R_CK[@]}") bg=$(median "${R_BYTES[@]}")
	DETAIL[6]+="; gzip: ckpt ms ${R_CK[*]}, bytes ${R_BYTES[*]} (first $R_BASE, delta images: $(yesno test "$R_DELTA" = 1))"
	MEAS[6]="${cr} ms $(mib "$br") / ${cg} ms $(mib "$bg")"
	case $deltas$R_DELTA in
	00) NOTE[6]="full image (no incremental)" ;;
	01) NOTE[6]="raw: full image (no incremental)" ;;
	10) NOTE[6]="gzip: full image (no incremental)" ;;
	esac
	MET[6]=$(met_big eval "le $cr 100 && le $cg 100 && le $br $((15 * 1048576)) && le $bg $((15 * 1048576))")
	[ "$base" -gt 0 ] || die "row 6: no first image"
fi
if want 7; then
	case_small "$SMALL_RUNS"
	c=$(median "${R_CK[@]}") r=$(median "${R_RS[@]}")
	MEAS[7]="$c ms / $r ms ($(mib "${R_BYTES[0]}"))"
	MET[7]=$(yesno eval "le $c 20 && le $r 20")
	DETAIL[7]="ckpt ms ${R_CK[*]} (TIME_MS ${R_TOOL[*]}); restart ms ${R_RS[*]}"
fi
if want 8; then
	case_procs "$NPROCS" "$PROC_MIB" "$RUNS"
	c=$(median "${R_CK[@]}")
	MEAS[8]="$c ms ($(mib "${R_BYTES[0]}"))"
	if [ "$NPROCS" -eq 32 ] && [ "$PROC_MIB" -eq 4 ]; then
		MET[8]=$(yesno le "$c" 300)
	else
		MET[8]="n/a"
	fi
	DETAIL[8]="ckpt ms ${R_CK[*]} (TIME_MS ${R_TOOL[*]}); all images $(mib "${R_BYTES[0]}")"
fi

# --- the table ---------------------------------------------------------------
VERSION=$("$BIN/dmtcp_launch" --version 2>/dev/null | head -n 1)
echo
echo "bench/table.sh: ${VERSION:-?} ($B), started $START"
echo "  $(nproc) CPUs, load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "  directory $W ($(bench_fs)); size $SIZE MiB; median of $RUNS (row 7: of $SMALL_RUNS)"
echo "  dd in that directory: $SIZE MiB written with conv=fsync in $(ms2s "$DDW")," \
	"read back (page cache) in $(ms2s "$DDR")"
printf '%s' "$KNOBS"
[ -n "$COMPARE" ] && echo "  previous: $COMPARE/table.tsv ($PREV_INFO)"
[ "$BIG" = 1 ] || echo "  (targets are for 1 GiB: rows 1-6 are not judged at $SIZE MiB)"
echo
fmt='%-2s  %-46s  %-20s  %-34s  %-4s'
hdr=$(printf "$fmt" "#" "case" "target" "measured" "met")
[ -n "$COMPARE" ] && hdr+="  previous"
echo "${hdr%"${hdr##*[! ]}"}"
for r in 1 2 3 4 5 6 7 8; do
	want "$r" || continue
	line=$(printf "$fmt" "$r" "${LABEL[r]}" "${TARGET[r]}" "${MEAS[r]}" "${MET[r]}")
	[ -n "$COMPARE" ] && line+="  ${PREV[r]:--}"
	[ -n "${NOTE[r]:-}" ] && line+="  ${NOTE[r]}"
	echo "${line%"${line##*[! ]}"}"
done
echo
echo "details (every run, in order):"
for r in 1 2 3 4 5 6 7 8; do
	want "$r" || continue
	echo "  $r: ${DETAIL[r]}"
done
echo "(ckpt: wall time of dmtcp_command --bcheckpoint, TIME_MS: what it reports;"
echo " restart: from starting dmtcp_restart_script.sh until the restored program"
echo " runs; frozen: the longest gap between two clock readings of the program's"
echo " 1 ms loop during the checkpoint; half zero: every other 4 KiB page zero)"

if [ -n "$SAVE" ]; then
	{
		printf '#date\t%s\n' "$START"
		printf '#build\t%s\n' "${VERSION:-?} ($B)"
		printf '#size_mib\t%s\n#runs\t%s\n' "$SIZE" "$RUNS"
		printf '#knobs\t%s\n' "$(sed 's/^ *//' <<<"${KNOBS%$'\n'}" | paste -sd';' -)"
		printf 'row\tcase\ttarget\tmeasured\tmet\tnote\n'
		for r in 1 2 3 4 5 6 7 8; do
			want "$r" || continue
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${LABEL[r]}" \
				"${TARGET[r]}" "${MEAS[r]}" "${MET[r]}" "${NOTE[r]:-}"
		done
	} >"$SAVE/table.tsv" || die "cannot write $SAVE/table.tsv"
	echo "saved: $SAVE/table.tsv"
fi
