/*
 * ckpt/sentinel.c - a program that leaves checkpoint control through an exec
 * we do not see must not vanish silently from the computation.
 *
 * Besides its close-on-exec coordinator connection, each process keeps a
 * duplicate of it at DMTCP_FD_SENTINEL *without* close-on-exec.  Our exec
 * and spawn wrappers mark it close-on-exec for the length of the call
 * (and clear the mark again when the call fails); a fork child closes its
 * parent's; a new program that has our library closes an inherited one
 * first thing in its constructor.  An exec nobody saw (a raw execve
 * system call, or an exec whose new program cannot load us) therefore
 * leaves the connection open in a program that never answers: the
 * coordinator does not take it for an exit, and the next checkpoint
 * fails naming the process instead of succeeding with its image missing.
 * doc/design.md, "Process creation".
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "image/image.h"
#include "fd/fd.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sentinel_on;	/* DMTCP_FD_SENTINEL is our duplicate */

/* After dmtcp_coord_fd changed to a live connection. */
void dmtcp_sentinel_set(void)
{
	dmtcp_sentinel_drop();
	if (dmtcp_coord_fd < 0)
		return;
	/* never take the number from somebody: only when it is free */
	if (fcntl(DMTCP_FD_SENTINEL, F_GETFD) >= 0 || errno != EBADF) {
		pr_debug("fd %d in use: no exec sentinel", DMTCP_FD_SENTINEL);
		return;
	}
	if (dup2(dmtcp_coord_fd, DMTCP_FD_SENTINEL) != DMTCP_FD_SENTINEL) {
		pr_debug("no exec sentinel: dup2: %s", strerror(errno));
		return;
	}
	sentinel_on = 1;
}

/* Before closing the connection, and in a fork child (the parent's). */
void dmtcp_sentinel_drop(void)
{
	if (sentinel_on)
		close(DMTCP_FD_SENTINEL);
	sentinel_on = 0;
}

/* After a restart: the descriptor did not come back (protected range). */
void dmtcp_sentinel_forget(void)
{
	sentinel_on = 0;
}

/* Around an exec or spawn of ours: the new program must not hold it. */
void dmtcp_sentinel_cloexec(int on)
{
	if (sentinel_on)
		fcntl(DMTCP_FD_SENTINEL, F_SETFD, on ? FD_CLOEXEC : 0);
}

/*
 * In the constructor of a new program: a sentinel inherited from the
 * program before the exec (an exec our wrappers did not see, but which
 * kept our library) is not ours to keep.
 */
void dmtcp_sentinel_inherited(void)
{
	const char *conn = getenv(DMTCP_COORD_FD_ENV);

	if (conn && atoi(conn) == DMTCP_FD_SENTINEL)
		return;
	close(DMTCP_FD_SENTINEL);
}
