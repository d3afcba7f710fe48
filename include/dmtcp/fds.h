/*
 * fds.h - the descriptor numbers the tool reserves for itself, in one
 * place (freestanding: no libc type).  The application's descriptors
 * are below DMTCP_FD_PROTECTED; a checkpoint skips everything from there
 * up and a restart never hands those numbers to the application.
 * Numbers below it are used only for a moment, by dmtcp_restart before
 * mtcp_restart runs, or by the library while the application is frozen.
 */
#ifndef DMTCP_FDS_H
#define DMTCP_FDS_H

enum dmtcp_reserved_fd {
	/* dmtcp_restart: its copies of the descriptors it prepares for
	   the restored process (files, sockets, ghost files), above the
	   application's own, before mtcp_restart runs */
	DMTCP_FD_RST_PREP	= 500,
	DMTCP_FD_RST_PTY	= 600,	/* dmtcp_restart: its pty copies */
	DMTCP_FD_PIPE_TMP	= 700,	/* library, restart: a pipe being
					   recreated, out of the way */
	DMTCP_FD_PROTECTED	= 820,	/* ours from here up */
	DMTCP_FD_SECRET		= 826,	/* mtcp_restart --secret-fd */
	DMTCP_FD_STATUS		= 827,	/* mtcp_restart --status-fd */
	DMTCP_FD_RST_ENV	= 828,	/* dmtcp_restart's environment */
	DMTCP_FD_HOST_PROC	= 829,	/* the host's /proc (namespaces) */
	DMTCP_FD_LOG		= 830,	/* DMTCP_DEBUG log file, and up */
	DMTCP_FD_SENTINEL	= 839,	/* survives an exec we do not see */
	DMTCP_FD_BGWRITE	= 840,	/* library: the result pipe of a
					   forked image writer (read end) */
	DMTCP_FD_BGWRITE_CHILD	= 841,	/* ... its write end, in the child */
	DMTCP_FD_DIRTY		= 850,	/* library: dirty-page tracking,
					   850-854: /proc/self/pagemap,
					   clear_refs, three userfaultfds
					   (src/preload/image/dirty.c) */
	DMTCP_FD_MQUEUE		= 860,	/* library: message queue copies */
	DMTCP_FD_SKQ		= 870,	/* library: sockets with bytes to
					   write again after a checkpoint */
	DMTCP_FD_RST_SHM	= 900,	/* dmtcp_restart: shared memory
					   objects for mtcp_restart */
	DMTCP_FD_RST_IMAGE	= 1000,	/* mtcp_restart reads its image */
};

/*
 * src/common/fdplace.c (libc code only).  dmtcp_place_fd: put a copy of
 * fd at number want (dup2; fd stays open), return want; -1 with
 * errno set and a message naming `what` and the number when the kernel
 * did not give that number.  dmtcp_fd_above: move fd to the lowest free
 * number >= base (close-on-exec), return it; on failure the message,
 * fd is left as it was and returned.
 */
int dmtcp_place_fd(int fd, int want, const char *what);
int dmtcp_fd_above(int fd, int base, const char *what);

#endif /* DMTCP_FDS_H */
