/*
 * ckpt/prejoin.c - a process about to be created joins the coordinator first.
 *
 * A checkpoint that starts while a process forks or execs must find the
 * new process (or the new program) in the computation: otherwise the
 * parent's image names a child that no image holds, and the restart
 * leaves it out (a make recipe's pipeline lost its last command).  So the
 * creator opens the new process's coordinator connection itself, before
 * the fork (the child inherits it) or the exec (it survives in the
 * descriptor named by DMTCP_COORD_FD), inside a checkpoint critical
 * section:
 *  - the coordinator counts the connection as a worker from its hello
 *    (DMTCP_HELLO_PREJOIN) on, so every checkpoint that starts later
 *    waits for the new process, which says who it is with WORKER_UPDATE
 *    before anything else (dmtcp_coord_adopt);
 *  - a checkpoint already in progress refuses the hello with
 *    DMTCP_REFUSE_RETRY: the creator leaves the critical section, is
 *    frozen and checkpointed like any thread, and tries again after;
 *  - our own checkpoint cannot begin between the hello and the fork or
 *    exec (the critical section), so no image set has the child in one
 *    image and not in another.
 * A vfork child shares our memory and its parent's thread is stopped:
 * it takes no critical section and makes one attempt.  Whenever this
 * fails the new process joins by itself, as it always could.
 * doc/protocol.md, "Processes being created".
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "image/image.h"
#include "fd/fd.h"
#include "log.h"
#include "base/sys.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PREJOIN_TIMEOUT_MS	5000	/* the coordinator's answer */
#define PREJOIN_GIVE_UP_MS	60000	/* retrying through checkpoints */

pid_t dmtcp_my_pid;
static __thread int pj_held;	/* critical sections taken for prejoins */

/* One hello.  fd, or -1 with *retry set when the coordinator said
   "later". */
static int prejoin_once(int *retry)
{
	struct dmtcp_hello h;
	struct dmtcp_msg m;
	char buf[sizeof(struct dmtcp_welcome) + 256];
	struct timeval tv = { PREJOIN_TIMEOUT_MS / 1000, 0 }, none = { 0, 0 };
	int fd;

	*retry = 0;
	fd = coord_connect(dmtcp_cfg.coord_host, dmtcp_cfg.coord_port, 2000);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	dmtcp_fill_hello(&h, DMTCP_HELLO_PREJOIN);
	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_WORKER);
	if (dmtcp_msg_send(fd, &m, &h, sizeof(h)) < 0 ||
	    dmtcp_msg_recv(fd, &m, buf, sizeof(buf)) < 0)
		goto fail;
	if (m.type == DMTCP_MSG_REFUSE) {
		*retry = !!(m.flags & DMTCP_REFUSE_RETRY);
		goto fail;
	}
	if (m.type != DMTCP_MSG_WELCOME)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	/* with our other descriptors, out of the program's way */
	return dmtcp_fd_above(fd, DMTCP_FD_PROTECTED,
			      "a connection made ahead for a new process");
fail:
	close(fd);
	return -1;
}

/*
 * Before fork/exec/spawn: the new process's coordinator connection
 * (CLOEXEC; exec callers clear that), or -1.  With fd >= 0, the caller
 * holds a checkpoint critical section until dmtcp_prejoin_end.
 */
int dmtcp_prejoin(void)
{
	int vforked, retry;
	long delay_ms = 1;
	uint64_t start_ns;

	if (!dmtcp_enabled || dmtcp_coord_fd < 0 ||
	    rsys_gettid() == dmtcp_ckpt_tid)
		return -1;
	vforked = rsys_getpid() != dmtcp_my_pid;
	start_ns = dmtcp_now_mono_ns();
	for (;;) {
		if (!vforked)
			dmtcp_crit_enter();
		int fd = prejoin_once(&retry);

		if (fd >= 0) {
			if (!vforked)
				pj_held++;
			return fd;
		}
		if (!vforked)
			dmtcp_crit_leave();
		if (!retry || vforked || dmtcp_now_mono_ns() - start_ns >
					  PREJOIN_GIVE_UP_MS * 1000000ull) {
			pr_debug("no connection made ahead for the new "
				 "process: it joins by itself");
			return -1;
		}
		/* a checkpoint is on: it freezes us meanwhile */
		struct timespec ts = { 0, delay_ms * 1000000 };

		nanosleep(&ts, NULL);
		if (delay_ms < 50)
			delay_ms *= 2;
	}
}

/* In the creator, after the fork/exec/spawn (whatever its outcome). */
void dmtcp_prejoin_end(int fd)
{
	if (fd < 0)
		return;
	close(fd);
	if (rsys_getpid() == dmtcp_my_pid && pj_held > 0) {
		pj_held--;
		dmtcp_crit_leave();
	}
}

/* In a forked child: the critical sections were the parent's. */
void dmtcp_prejoin_forked(void)
{
	pj_held = 0;
	dmtcp_my_pid = rsys_getpid();
}

/*
 * In a program started by an exec of ours: the connection the former
 * program made for us (the environment no longer names it), or -1.
 */
int dmtcp_prejoin_take_env(void)
{
	const char *v = getenv(DMTCP_COORD_FD_ENV), *comp;
	struct stat st;
	char *end;
	long fd;

	if (!v)
		return -1;
	fd = strtol(v, &end, 10);
	unsetenv(DMTCP_COORD_FD_ENV);	/* not for our children */
	if (*end || fd < 3 || fd > 65535 || fstat((int)fd, &st) < 0 ||
	    !S_ISSOCK(st.st_mode))
		return -1;
	comp = getenv("DMTCP_COMP_ID");
	if (comp)
		util_strlcpy(dmtcp_cfg.comp_id, comp, sizeof(dmtcp_cfg.comp_id));
	return (int)fd;
}
