/*
 * ckpt/bgwrite.c - forked checkpoints: once every process has reached
 * the checkpoint barrier and this one's state is captured (all but its
 * memory is in the image already, image/write.c dmtcp_image_begin), a
 * child forked from the frozen process writes the memory while the
 * application runs on.  The child's memory is the frozen process's
 * (copy-on-write), so the image is the state at the barrier, whatever
 * the application does meanwhile.
 *
 * The child is made with a raw clone (no atfork handlers, no libc
 * locks: the other threads are frozen, maybe inside malloc) and with no
 * exit signal: the application's wait() and SIGCHLD never see it
 * (waitpid(__WALL) would).  It dies with the checkpoint thread
 * (PR_SET_PDEATHSIG), closes every descriptor but the image and its
 * result pipe (so the application's pipes and sockets see EOF when it
 * closes them, not when the child ends), checks that its memory map is
 * the one the image describes, says "go" (the process may run), writes,
 * syncs and renames, and reports the result through the pipe, which the
 * checkpoint thread polls (ckpt-thread.c).
 *
 * Cases that write in place instead (the process frozen for the whole
 * write, as without forking), each logged with its reason under
 * DMTCP_DEBUG: DMTCP_FORKED_CHECKPOINT=0; a crash image; shared memory
 * the image stores (it changes underneath); an area a fork does not
 * copy (MADV_DONTFORK: the child's map differs) or wipes
 * (MADV_WIPEONFORK: its pages are gone in the child, see
 * dmtcp_image_resident); the fork failing (memory limits, RLIMIT_NPROC).
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "image/image.h"
#include "log.h"
#include "base/sys.h"
#include "util.h"
#include "dmtcp/fds.h"
#include "maps.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GO_WAIT_MS	30000	/* the child's map check */

struct bg_result {
	int64_t rc;
	uint64_t bytes;
	uint64_t usec;
	char err[512];
};

static pid_t bg_pid;
static volatile int bg_busy;	/* a forked checkpoint is not over yet */

int dmtcp_bg_fd(void)
{
	return bg_pid > 0 ? DMTCP_FD_BGWRITE : -1;
}

/* close every fd in [lo, hi] but keep */
static void close_except(unsigned lo, unsigned hi, int keep)
{
	if (keep >= (int)lo && (unsigned)keep <= hi) {
		if ((unsigned)keep > lo)
			syscall(SYS_close_range, lo, (unsigned)keep - 1, 0);
		lo = (unsigned)keep + 1;
	}
	if (lo <= hi)
		syscall(SYS_close_range, lo, hi, 0);
}

/* The child: never returns. */
static void __attribute__((noreturn)) child_main(int wfd)
{
	static struct bg_result r;
	char why[600];
	int ifd = dmtcp_image_fd();
	uint64_t t0 = dmtcp_now_mono_ns();

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* only what the writer needs: the application's pipes and
	   sockets must not wait for this child to close them */
	close_except(0, DMTCP_FD_LOG - 1, ifd);
	close_except(DMTCP_FD_SENTINEL, ~0u, wfd);
	if (dmtcp_image_check_map(why, sizeof(why)) < 0) {
		(void)util_write_all(wfd, "F", 1);
		(void)util_write_all(wfd, why, strlen(why) + 1);
		_exit(0);
	}
	(void)util_write_all(wfd, "G", 1);
	r.rc = dmtcp_image_finish(&r.bytes, r.err, sizeof(r.err));
	r.usec = (dmtcp_now_mono_ns() - t0) / 1000;
	(void)util_write_all(wfd, &r, sizeof(r));
	_exit(0);
}

static void reap(void)
{
	int st;

	if (bg_pid <= 0)
		return;
	while (waitpid(bg_pid, &st, __WCLONE) < 0 && errno == EINTR)
		;
	bg_pid = 0;
	close(DMTCP_FD_BGWRITE);
}

/*
 * After dmtcp_image_begin: 1 when a forked child writes the memory now
 * (the process may run on; the result comes through dmtcp_bg_fd), 0
 * when the caller must write it in place (why says why).
 */
int dmtcp_bg_start(char *why, size_t cap)
{
	int p[2], rfd, wfd;
	char c = 0;
	pid_t pid;
	struct pollfd pfd;

	uint64_t t0 = dmtcp_now_mono_ns();

	why[0] = 0;
	if (!dmtcp_image_forkable(why, cap))
		return 0;
	dmtcp_image_resident(0, why, cap);
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, cap, "pipe: %s", strerror(errno));
		return 0;
	}
	rfd = dmtcp_place_fd(p[0], DMTCP_FD_BGWRITE, "forked writer pipe");
	wfd = rfd < 0 ? -1 : dmtcp_place_fd(p[1], DMTCP_FD_BGWRITE_CHILD,
					     "forked writer pipe");
	close(p[0]);
	close(p[1]);
	if (rfd < 0 || wfd < 0) {
		snprintf(why, cap, "no descriptor for the writer's pipe");
		if (rfd >= 0)
			close(rfd);
		return 0;
	}
	/* fork without SIGCHLD and without libc's fork handlers */
	pid = (pid_t)syscall(SYS_clone, 0L, 0L, 0L, 0L, 0L);
	if (pid == 0) {
		close(rfd);
		child_main(wfd);
	}
	close(wfd);
	if (pid < 0) {
		snprintf(why, cap, "fork: %s", strerror(errno));
		close(rfd);
		return 0;
	}
	pr_debug("forked writer %d: counted and forked in %llu us", (int)pid,
		 (unsigned long long)(dmtcp_now_mono_ns() - t0) / 1000);
	bg_pid = pid;
	pfd.fd = rfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, GO_WAIT_MS) == 1 && read(rfd, &c, 1) == 1 &&
	    c == 'G') {
		bg_busy = 1;
		dmtcp_image_forked();
		return 1;
	}
	if (c == 'F') {
		size_t n = 0;

		while (n < cap - 1 && read(rfd, why + n, 1) == 1 && why[n])
			n++;
		why[n] = 0;
	} else {
		snprintf(why, cap, "the forked writer did not start");
		kill(pid, SIGKILL);
	}
	reap();
	return 0;
}

/* The child's report (after dmtcp_bg_fd polled readable): its rc. */
int dmtcp_bg_collect(uint64_t *bytes, uint64_t *usec, char *err, size_t cap)
{
	static struct bg_result r;

	if (util_read_all(DMTCP_FD_BGWRITE, &r, sizeof(r)) !=
	    (ssize_t)sizeof(r)) {
		memset(&r, 0, sizeof(r));
		r.rc = -1;
		snprintf(r.err, sizeof(r.err), "the forked image writer "
			 "died before it finished");
	}
	reap();
	r.err[sizeof(r.err) - 1] = 0;
	*bytes = r.bytes;
	*usec = r.usec;
	snprintf(err, cap, "%s", r.err);
	return (int)r.rc;
}

/* The checkpoint failed elsewhere: stop the writer, drop the image. */
void dmtcp_bg_kill(void)
{
	if (bg_pid > 0) {
		kill(bg_pid, SIGKILL);
		reap();
	}
}

/* In the application's forked child: the writer is the parent's. */
void dmtcp_bg_atfork_child(void)
{
	if (bg_pid > 0)
		close(DMTCP_FD_BGWRITE);
	bg_pid = 0;
	bg_busy = 0;
}

void dmtcp_bg_done(void)
{
	bg_busy = 0;
}

int dmtcp_bg_busy(void)
{
	return bg_busy;
}

/*
 * exit(), _exit() or exec while a forked checkpoint is not over: wait
 * (bounded) until the checkpoint thread has the verdict, so a program
 * that ends right after a checkpoint still leaves it committed (its
 * image is part of the set: without it the set is not whole).
 */
void dmtcp_bg_wait_idle(void)
{
	struct timespec ms = { 0, 1000000L };

	if (rsys_gettid() == dmtcp_ckpt_tid || rsys_getpid() != dmtcp_my_pid)
		return;		/* (a vfork child shares our memory) */
	for (int i = 0; bg_busy && i < 600000; i++)
		nanosleep(&ms, NULL);
}
