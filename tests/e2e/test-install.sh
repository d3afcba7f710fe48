#!/bin/bash
# test-install.sh - the installed tree works on its own: `make install
# DESTDIR=$T/dest` of the build tree puts dmtcp.h, dmtcp.pc, libdmtcp.so,
# the gdb helpers, their auto-load script (named after the library's
# installed path, pointing at the installed helpers) and the example
# plugins in place; pkg-config, pointed at the DESTDIR, gives the installed
# header and the package's version; the examples' Makefile builds both
# plugins with it; the installed dmtcp_launch (its libdmtcp.so the
# installed one) loads them with --with-plugin into a small program, and
# they print what they saw: hello_plugin the INIT, PRECHECKPOINT, RESUME
# and EXIT of the program's pid (a checkpoint by the installed
# dmtcp_command in between), count_sleeps the program's exact 2 sleep()
# and 3 usleep() calls.  `make uninstall` then leaves no file behind.
# Needs a build tree it may write (make install may refresh generated
# files): prints SKIP otherwise; run once, not again as dmtcptest.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# pkg-config sees only the DESTDIR's dmtcp.pc, with the DESTDIR as sysroot
t_pc() {
	PKG_CONFIG_LIBDIR=$PCDIR PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR=$D \
		pkg-config "$@"
}

t_exists() { # path what
	[ -e "$1" ] || t_fail "$2: $1 not installed"
}

write_sleeper() {
	cat >"$T/sleeper.c" <<'EOF'
/* calls sleep() twice, waits (nanosleep: not wrapped) for $T/go, then
   usleep() three times: count_sleeps must report "2 sleep, 3 usleep" */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	sleep(0);
	sleep(0);
	printf("READY\n");
	fflush(stdout);
	for (int i = 0; i < 3000 && access(argv[1], F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	for (int i = 0; i < 3; i++)
		usleep(1);
	return argc == 2 ? 0 : 1;
}
EOF
	cc -O1 -o "$T/sleeper" "$T/sleeper.c" || t_fail "cannot build sleeper.c"
}

scenario() {
	local pc ver want n lib autoload helpers f left
	D=$T/dest
	timeout -k 2 300 make -C "$B" install DESTDIR="$D" >"$T/install.log" 2>&1 ||
		t_fail "make install DESTDIR=$D failed: $(tail -n 5 "$T/install.log")"
	pc=$(find "$D" -name dmtcp.pc)
	[ "$(wc -l <<<"$pc")" = 1 ] && [ -n "$pc" ] ||
		t_fail "expected one installed dmtcp.pc, found: '$pc'"
	PCDIR=$(dirname "$pc")
	[ "${PCDIR##*/}" = pkgconfig ] || t_fail "dmtcp.pc not in a pkgconfig dir: $pc"

	ver=$(t_pc --modversion dmtcp) || t_fail "pkg-config --modversion dmtcp failed"
	want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$B/config.h")
	[ -n "$ver" ] && [ "$ver" = "$want" ] ||
		t_fail "pkg-config says version '$ver', config.h '$want'"
	INC=$(t_pc --variable=includedir dmtcp)
	f=$(t_pc --cflags dmtcp)
	[ "${f% }" = "-I$INC" ] ||
		t_fail "pkg-config --cflags dmtcp: '$f', want -I$INC"
	cmp -s "$INC/dmtcp.h" "$DMTCP_SRCDIR/include/dmtcp.h" ||
		t_fail "$INC/dmtcp.h missing or not the source's include/dmtcp.h"
	lib=$(t_pc --variable=dmtcplibdir dmtcp)/libdmtcp.so
	t_exists "$lib" "the library"
	helpers=$(t_pc --variable=gdbhelpersdir dmtcp)
	t_exists "$helpers/dmtcp-gdb.py" "the gdb loader"
	t_exists "$helpers/dmtcp_gdb/__init__.py" "the gdb helpers' package"
	# gdb looks for <scripts-directory>/<library's path>-gdb.py
	autoload=$(t_pc --variable=datadir dmtcp)/gdb/auto-load${lib#"$D"}-gdb.py
	t_exists "$autoload" "the gdb auto-load script"
	grep -qxF "HELPERS_DIR = \"${helpers#"$D"}\"" "$autoload" ||
		t_fail "$autoload does not point at ${helpers#"$D"}: $(grep HELPERS_DIR "$autoload")"
	BIN=$(t_pc --variable=bindir dmtcp)
	for f in dmtcp_coordinator dmtcp_launch dmtcp_command dmtcp_restart \
		 dmtcp_inspect mtcp_restart; do
		[ -x "$BIN/$f" ] || t_fail "$BIN/$f not installed"
	done
	t_log "installed: version $ver, $lib, $autoload"

	# the examples, built with their own Makefile and pkg-config
	f=$(find "$D" -path '*/examples/plugins/Makefile')
	[ -n "$f" ] || t_fail "no examples/plugins/Makefile installed"
	cp -r "$(dirname "$f")" "$T/ex"
	PKG_CONFIG_LIBDIR=$PCDIR PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR=$D \
		timeout -k 2 120 make -C "$T/ex" >"$T/ex-build.log" 2>&1 ||
		t_fail "make in the installed examples failed: $(tail -n 5 "$T/ex-build.log")"
	grep -qF -- "-I$INC " "$T/ex-build.log" ||
		t_fail "the examples were not compiled with -I$INC: $(cat "$T/ex-build.log")"
	for f in libhello_plugin.so libcount_sleeps.so; do
		[ -f "$T/ex/$f" ] || t_fail "the examples' Makefile did not build $f"
	done

	# loaded by the installed tools; the build tree is not used
	write_sleeper
	t_coord_start
	"$BIN/dmtcp_launch" --join-coordinator \
		--with-plugin "$T/ex/libhello_plugin.so:$T/ex/libcount_sleeps.so" \
		"$T/sleeper" "$T/go" </dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait_ready "$APP_PID"
	grep -qF " $(realpath "$lib")" "/proc/$APP_PID/maps" ||
		t_fail "the launched program does not map the installed $lib"
	grep -qF "$B/lib/" "/proc/$APP_PID/maps" &&
		t_fail "the launched program maps something of the build tree $B/lib"
	t_checkpoint
	touch "$T/go"
	t_wait_exit "$APP_PID" "$T_TIMEOUT" "the sleeper"
	[ "$T_RC" = 0 ] || t_fail "the sleeper exited with $T_RC"
	for f in INIT PRECHECKPOINT RESUME EXIT; do
		grep -qxF "hello_plugin: $f pid=$APP_PID" "$T/app.err" ||
			t_fail "no 'hello_plugin: $f pid=$APP_PID' line on stderr"
	done
	grep -qxF "count_sleeps: 2 sleep, 3 usleep calls in pid $APP_PID" "$T/app.err" ||
		t_fail "count_sleeps did not count 2 sleep and 3 usleep calls: $(grep count_sleeps "$T/app.err")"
	t_log "plugins ran: $(grep -c '^hello_plugin: ' "$T/app.err") hello_plugin lines, $(grep '^count_sleeps' "$T/app.err")"

	timeout -k 2 120 make -C "$B" uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1 ||
		t_fail "make uninstall DESTDIR=$D failed: $(tail -n 5 "$T/uninstall.log")"
	left=$(find "$D" ! -type d)
	[ -z "$left" ] || t_fail "files left after make uninstall: $left"
	n=$(find "$D" | wc -l)
	t_log "uninstall left no file ($n empty directories)"
}

if [ ! -w "$B/Makefile" ]; then
	echo "SKIP: $B is not writable by $(id -un) (make install may write it)"
	exit 0
fi
command -v pkg-config >/dev/null || t_fail "pkg-config is not installed"
t_run install scenario
