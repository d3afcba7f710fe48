#!/bin/bash
# util/quickstart.sh - first step of the README's quick start on a fresh
# Debian 12 machine: installs the missing build packages (apt-get, through
# sudo when not root), runs autogen/configure/make in the source tree, then
# `make demo`.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(build-essential autoconf automake pkg-config libelf-dev libdw-dev
	zlib1g-dev libreadline-dev libcmocka-dev elfutils gdb bc)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		echo "quickstart: need root to run: $* (install sudo or run as root)" >&2
		exit 1
	fi
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "==> installing: ${missing[*]}"
	as_root apt-get update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
else
	echo "==> all build packages are installed"
fi

echo "==> ./autogen.sh"
./autogen.sh
echo "==> ./configure"
./configure
echo "==> make -j$(nproc)"
make -j"$(nproc)"
echo "==> make demo"
make demo
echo
echo "Done.  Next: make check"
