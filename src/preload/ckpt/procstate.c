/*
 * ckpt/procstate.c - process-wide kernel state that an exec of mtcp_restart
 * loses: signal dispositions, interval timers, resource limits, umask,
 * working directory, pending signals.  Captured while threads are
 * frozen, put back by the checkpoint thread at restart.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "image/image.h"
#include "fd/fd.h"
#include "log.h"
#include "base/sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's struct sigaction for rt_sigaction(2). */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static struct ksigaction kact[65];

/* Parse "Name:\t<hex>" from a /proc status file into a mask. */
static uint64_t status_mask(const char *path, const char *key)
{
	char buf[4096];
	char *p;
	uint64_t v = 0;

	if (util_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, key);
	if (!p)
		return 0;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			break;
		v = (v << 4) | d;
	}
	return v;
}

void dmtcp_capture_procstate(void)
{
	char path[64];

	for (int sig = 1; sig <= 64; sig++) {
		dmtcp_ps.have_act[sig] = 0;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (rsys4(SYS_rt_sigaction, sig, 0, (long)&kact[sig], 8) == 0)
			dmtcp_ps.have_act[sig] = 1;
	}
	for (int i = 0; i < 3; i++)
		getitimer(i, &dmtcp_ps.itimer[i]);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &dmtcp_ps.rlim[i]);
	dmtcp_ps.umask = umask(022);
	umask(dmtcp_ps.umask);
	if (!getcwd(dmtcp_ps.cwd, sizeof(dmtcp_ps.cwd)))
		dmtcp_ps.cwd[0] = 0;
	dmtcp_ps.shared_pending = status_mask("/proc/self/status", "ShdPnd:");
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		struct dmtcp_thread *t = &dmtcp_threads[i];

		if (t->state == THR_FREE)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/status",
			 t->tid);
		t->sigpending = status_mask(path, "SigPnd:");
		t->info.sigpending = t->sigpending;
	}
}

void dmtcp_restore_procstate(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		if (!dmtcp_ps.have_act[sig])
			continue;
		long rc = rsys4(SYS_rt_sigaction, sig, (long)&kact[sig], 0, 8);

		if (rc < 0)
			pr_debug("rt_sigaction(%d): %s", sig, strerror(-rc));
	}
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		if (setrlimit(i, &dmtcp_ps.rlim[i]) < 0) {
			/* cannot raise the hard limit: keep the soft one */
			struct rlimit cur;

			if (getrlimit(i, &cur) == 0) {
				cur.rlim_cur = dmtcp_ps.rlim[i].rlim_cur;
				if (cur.rlim_cur > cur.rlim_max)
					cur.rlim_cur = cur.rlim_max;
				setrlimit(i, &cur);
			}
		}
	}
	umask(dmtcp_ps.umask);
	if (dmtcp_ps.cwd[0] && chdir(dmtcp_ps.cwd) < 0)
		pr_warn("cannot return to the working directory %s: %s",
			dmtcp_ps.cwd, strerror(errno));
	for (int i = 0; i < 3; i++) {
		struct itimerval *t = &dmtcp_ps.itimer[i];
		int has_value = t->it_value.tv_sec || t->it_value.tv_usec;

		/*
		 * A periodic ITIMER_REAL whose SIGALRM was still pending at
		 * checkpoint time reads as disarmed (the kernel re-arms it
		 * when the signal is dequeued): arm it for one period.
		 */
		if (!has_value && (t->it_interval.tv_sec ||
				   t->it_interval.tv_usec)) {
			t->it_value = t->it_interval;
			has_value = 1;
		}
		if (has_value)
			setitimer(i, t, NULL);
	}
}

void dmtcp_raise_pending(void)
{
	int pid = rsys_getpid();

	for (int sig = 1; sig <= 64; sig++) {
		if (sig == dmtcp_cfg.ckpt_signal)
			continue;
		if (dmtcp_ps.shared_pending & (1ull << (sig - 1)))
			rsys2(SYS_kill, pid, sig);
	}
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		struct dmtcp_thread *t = &dmtcp_threads[i];

		if (t->state == THR_FREE || !t->sigpending)
			continue;
		for (int sig = 1; sig <= 64; sig++)
			if (sig != dmtcp_cfg.ckpt_signal &&
			    (t->sigpending & (1ull << (sig - 1))))
				rsys3(SYS_tgkill, pid, t->tid, sig);
	}
}
