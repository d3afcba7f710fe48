/*
 * reap.c - removing the files of old checkpoint generations without
 * holding the checkpoint for it.
 *
 * Unlinking a file of a few MiB on ext4 frees its blocks at once and
 * takes 2-4 ms on a loaded disk: removing the 32 images of the previous
 * generation held the REFILLED barrier (the processes stay frozen) and
 * the answer to --bcheckpoint for 110-210 ms.  So a file is first opened
 * (O_PATH: nothing read, no permission needed), then unlinked: its name
 * is gone at once (what any later look at the directory sees), and the
 * blocks are freed when that last reference is closed.  The held
 * descriptors are closed by a helper thread (co_reap_start) while the
 * processes resume; the next checkpoint waits for it first
 * (co_reap_wait), so its images find the space the old ones took.
 *
 * The helper is the coordinator's only other thread: it closes the
 * descriptors it was handed and touches nothing else (every signal
 * blocked).  At most a quarter of the fd limit (and CO_REAP_MAX) is
 * held, so clients are never refused for it; beyond that, or when no
 * descriptor can be had, the file is unlinked directly, as before.
 */
#include "config.h"
#include "coord.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define CO_REAP_MAX	1024

static int held[CO_REAP_MAX];	/* unlinked, not closed yet */
static size_t nheld;
static int closing[CO_REAP_MAX];	/* the helper's share */
static size_t nclosing;
static pthread_t helper;
static int helper_running;

/* How many descriptors may be held: a quarter of the soft fd limit. */
static size_t co_reap_cap(void)
{
	static size_t cap;
	static int known;
	struct rlimit rl;

	if (!known) {
		cap = CO_REAP_MAX;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < cap)
			cap = rl.rlim_cur / 4;
		known = 1;
	}
	return cap;
}

int co_reap_unlinkat(int dfd, const char *name)
{
	struct stat st;
	int fd = -1, rc;

	if (nheld < co_reap_cap())
		fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	/* only a regular file of ours (never through a symlink) */
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
			st.st_uid != geteuid())) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	rc = unlinkat(dfd, name, 0);
	if (fd >= 0) {
		int e = errno;

		if (rc == 0)
			held[nheld++] = fd;
		else
			close(fd);
		errno = e;
	}
	return rc;
}

static void *co_reap_main(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < nclosing; i++)
		close(closing[i]);
	return NULL;
}

void co_reap_wait(void)
{
	if (!helper_running)
		return;
	pthread_join(helper, NULL);
	helper_running = 0;
	nclosing = 0;
}

void co_reap_start(void)
{
	sigset_t all, old;

	if (!nheld)
		return;
	co_reap_wait();
	memcpy(closing, held, nheld * sizeof(held[0]));
	nclosing = nheld;
	nheld = 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	helper_running = pthread_create(&helper, NULL, co_reap_main,
					NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!helper_running)	/* no thread: close them here */
		co_reap_main(NULL);
}
