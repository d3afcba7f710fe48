#!/bin/bash
# test-sec-shared-files.sh - another local user (dmtcpspy) attacks the
# files a checkpoint creates in a shared checkpoint directory (mode 0777,
# not sticky, as on many clusters' scratch space):
#  - plants files and symlinks at the temporary names the coordinator and
#    the library used (".<script>.tmp.<coordinator pid>", "<image>.tmp",
#    "<port file>.tmp.<pid>"), hoping to end up owning the restart script
#    the victim runs later, to receive the victim's memory, or to make the
#    victim overwrite one of its own files through a symlink;
#  - after the second checkpoint every image and the restart script must
#    belong to the victim, not be writable by others, the spy's files must
#    be untouched (empty), the victim's file behind the symlink unchanged,
#    and the computation must restart from those files with its data.
# Needs root (to be two users); prints SKIP elsewhere.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

# spy_plant FILE: an empty file of the spy's that anybody may write
spy_plant() {
	t_spy sh -c 'rm -f "$1"; : >"$1" && chmod 0666 "$1"' sh "$1" ||
		t_fail "spy cannot plant $1"
}

spy_link() { # NAME TARGET
	t_spy ln -sfn "$2" "$1" || t_fail "spy cannot plant link $1"
}

check_ours() { # FILE: a regular file of the victim's, not writable by others
	local f=$1 owner mode
	[ -f "$f" ] && [ ! -L "$f" ] || t_fail "$f is not a regular file"
	owner=$(stat -c %u "$f")
	mode=$(stat -c %a "$f")
	[ "$owner" = "$(id -u)" ] ||
		t_fail "$f belongs to uid $owner, not to the victim ($(id -u)): planted by the spy"
	(( (8#$mode & 8#022) == 0 )) || t_fail "$f has mode $mode: others may write it"
}

scenario() {
	local shared=$T/shared script name comp_script img planted=() f
	t_shared_dir "$shared"
	export DMTCP_CHECKPOINT_DIR=$shared
	echo "precious data of the victim" >"$T/precious"
	t_coord_start shared/coord "$shared"	# port file in the shared dir
	t_launch threads_tls
	t_wait_ready
	t_checkpoint

	# the spy reads the names it needs from the shared directory
	name=$(readlink "$shared/dmtcp_restart_script.sh") ||
		t_fail "no restart script symlink"
	t_log "spy sees restart script $name, coordinator pid $COORD_PID"
	comp_script=$shared/.$name.tmp.$COORD_PID
	spy_plant "$comp_script"
	planted+=("$comp_script")
	spy_link "$shared/.dmtcp_restart_script.sh.tmp.$COORD_PID" "$T/precious"
	for img in "${CKPT_IMAGES[@]}"; do
		spy_plant "$img.tmp"
		planted+=("$img.tmp")
		# a link to a file of the victim: a naive open() follows it
		spy_link "$img.ipc.tmp" "$T/precious"
	done
	ls -la "$shared" | sed 's/^/    /'

	t_checkpoint
	ls -la "$shared" | sed 's/^/    /'
	for f in "${planted[@]}"; do
		[ ! -s "$f" ] || t_fail "the victim wrote $(stat -c %s "$f") bytes into the spy's file $f"
	done
	[ "$(cat "$T/precious")" = "precious data of the victim" ] ||
		t_fail "the victim's file behind the spy's symlink was overwritten"
	check_ours "$shared/$name"
	[ "$(readlink "$shared/dmtcp_restart_script.sh")" = "$name" ] ||
		t_fail "restart script symlink changed"
	for img in "${CKPT_IMAGES[@]}"; do
		check_ours "$img"
	done
	check_ours "$shared/coord.port"

	t_kill "$APP_PID"
	t_restart
	t_finish "$RST_PID" threads_tls 1
}

t_hostile_main t_run shared-files scenario
