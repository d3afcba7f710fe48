#!/bin/bash
# test-deb.sh - the Debian packages, built, checked, installed, used and
# removed on this machine:
#  - the build tree's distribution files (`make distdir`, what a release
#    tarball holds) build with `dpkg-buildpackage -us -uc -b`
#    (DEB_BUILD_OPTIONS=nocheck: `make distcheck` in .ci/run runs the unit
#    tests of a tarball build) into dmtcp-debug and dmtcp-debug-dev;
#  - lintian reports no error;
#  - installed with dpkg -i, the demo (util/demo.sh on /usr: coordinator,
#    launch, checkpoint, kill, restart from the script) runs with a PATH
#    holding no build tree;
#  - an example plugin built with the installed dmtcp.pc runs in a launched
#    program, and `gdb -nx -p PID` on it knows `help dmtcp` with no
#    `source`: gdb loaded the helpers from its own auto-load directory;
#  - dpkg --purge leaves none of the packages' files.
# Root only, once; prints SKIP without root, without the packaging tools
# (.ci/run installs them), or when dmtcp-debug is already installed (it
# would be replaced and then removed).
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

PKGS=(dmtcp-debug dmtcp-debug-dev)
SAFE_PATH=/usr/sbin:/usr/bin:/sbin:/bin
INSTALLED=""

skip() {
	echo "SKIP: $*"
	exit 0
}

installed() { # package
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

purge() {
	[ -n "$INSTALLED" ] || return 0
	timeout -k 2 120 dpkg --purge "${PKGS[@]}" >"$T/purge.log" 2>&1
}

build() {
	local ver src
	ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$B/config.h")
	src=$T/build/dmtcp-debug-$ver
	mkdir -p "$T/build"
	timeout -k 2 120 make -C "$B" distdir distdir="$src" >"$T/distdir.log" 2>&1 ||
		t_fail "make distdir failed: $(tail -n 5 "$T/distdir.log")"
	t_log "dpkg-buildpackage -us -uc -b in $src"
	(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
		timeout -k 5 480 dpkg-buildpackage -us -uc -b) \
		>"$T/dpkg-buildpackage.log" 2>&1 ||
		t_fail "dpkg-buildpackage failed: $(tail -n 15 "$T/dpkg-buildpackage.log")"
	DEB=$(ls "$T"/build/dmtcp-debug_*_amd64.deb)
	DEBDEV=$(ls "$T"/build/dmtcp-debug-dev_*_amd64.deb)
	[ -f "$DEB" ] && [ -f "$DEBDEV" ] || t_fail "no .deb made: $(ls "$T/build")"
	timeout -k 2 120 lintian --fail-on error "$T"/build/*.changes \
		>"$T/lintian.log" 2>&1 ||
		t_fail "lintian found errors: $(grep '^E:' "$T/lintian.log" || tail "$T/lintian.log")"
	t_log "built $(basename "$DEB") $(basename "$DEBDEV"); lintian: $(grep -c '^E:' "$T/lintian.log") errors, $(grep -c '^W:' "$T/lintian.log") warnings"
	sed 's/^/    lintian| /' "$T/lintian.log"
}

# the attach target: sleep with hello_plugin, built against the package
launch_target() {
	cp -r /usr/share/doc/dmtcp-debug/examples/plugins "$T/ex"
	env PATH=$SAFE_PATH timeout -k 2 120 make -C "$T/ex" >"$T/ex.log" 2>&1 ||
		t_fail "make in the packaged examples failed: $(tail -n 5 "$T/ex.log")"
	BIN=/usr/bin
	t_coord_start
	env PATH=$SAFE_PATH /usr/bin/dmtcp_launch --join-coordinator \
		--with-plugin "$T/ex/libhello_plugin.so" sleep 300 \
		</dev/null >"$T/app.log" 2>"$T/app.err" &
	APP_PID=$!
	t_track "$APP_PID"
	t_wait "$T_TIMEOUT" "hello_plugin's INIT line" \
		grep -qxF "hello_plugin: INIT pid=$APP_PID" "$T/app.err"
	t_wait "$T_TIMEOUT" "the launched sleep to join" t_peers_running 1
}

scenario() {
	local f lib autoload left=()
	trap 'rc=$?; purge; (exit $rc); t_cleanup' EXIT
	build

	timeout -k 2 120 dpkg -i "$DEB" "$DEBDEV" >"$T/dpkg-i.log" 2>&1 ||
		{ INSTALLED=1; t_fail "dpkg -i failed: $(tail "$T/dpkg-i.log")"; }
	INSTALLED=1
	dpkg-query -L "${PKGS[@]}" | sort -u >"$T/files"
	lib=$(grep '/libdmtcp\.so$' "$T/files")
	autoload=/usr/share/gdb/auto-load$lib-gdb.py
	grep -qxF "$autoload" "$T/files" ||
		t_fail "the package has no $autoload"
	t_log "installed: $lib, $autoload"

	t_log "the demo from /usr/bin, PATH=$SAFE_PATH"
	env PATH=$SAFE_PATH timeout -k 2 120 bash "$DMTCP_SRCDIR/util/demo.sh" /usr \
		</dev/null >"$T/demo.log" 2>&1 ||
		t_fail "the demo failed: $(tail -n 15 "$T/demo.log")"
	grep -q 'Demo done: the restored process continued from [0-9]' "$T/demo.log" ||
		t_fail "the demo did not end with a restored counter: $(tail "$T/demo.log")"
	grep -a 'checkpointed at' "$T/demo.log"

	launch_target
	grep -qF " $lib" "/proc/$APP_PID/maps" ||
		t_fail "the launched sleep does not map $lib"
	t_log "gdb -nx -p $APP_PID, no source command"
	env PATH=$SAFE_PATH timeout -k 2 "$T_TIMEOUT" gdb -nx -q -batch \
		-p "$APP_PID" -ex 'help dmtcp' -ex 'info auto-load python-scripts' \
		</dev/null >"$T/gdb.log" 2>&1 || t_fail "gdb exited $?: $(tail "$T/gdb.log")"
	sed 's/^/    gdb| /' "$T/gdb.log"
	grep -q '^List of dmtcp subcommands' "$T/gdb.log" ||
		t_fail "help dmtcp does not list the dmtcp commands"
	grep -qE "^Yes +${autoload//./\\.} *$" "$T/gdb.log" ||
		t_fail "gdb did not auto-load $autoload"
	grep -qE 'Undefined command|Traceback|declined' "$T/gdb.log" &&
		t_fail "errors in gdb's output"
	t_alive "$APP_PID" || t_fail "the launched sleep died under gdb"
	t_kill "$APP_PID"

	timeout -k 2 120 dpkg --purge "${PKGS[@]}" >"$T/purge.log" 2>&1 ||
		t_fail "dpkg --purge failed: $(tail "$T/purge.log")"
	INSTALLED=""
	for f in "${PKGS[@]}"; do
		installed "$f" && t_fail "$f still installed after dpkg --purge"
	done
	while read -r f; do
		[ -d "$f" ] && [ ! -L "$f" ] && continue
		[ -e "$f" ] || [ -L "$f" ] && left+=("$f")
	done <"$T/files"
	[ ${#left[@]} -eq 0 ] || t_fail "left after dpkg --purge: ${left[*]}"
	for f in /usr/share/doc/dmtcp-debug /usr/share/dmtcp "$(dirname "$lib")" \
		 "$(dirname "$autoload")"; do
		[ -e "$f" ] && t_fail "left after dpkg --purge: $f"
	done
	t_log "purged: none of the $(wc -l <"$T/files") paths of the packages is left"
}

[ "$(id -u)" -eq 0 ] || skip "installs packages: run as root"
for f in dpkg-buildpackage dh lintian fakeroot gdb pkg-config; do
	command -v "$f" >/dev/null || skip "$f is missing (.ci/run installs it)"
done
for f in "${PKGS[@]}"; do
	installed "$f" && skip "$f is installed on this machine: not replacing it"
done
t_run deb scenario
