/*
 * wrap/sleep.c - calls that the checkpoint signal would cut short.
 *
 * The kernel turns nanosleep, poll, select and epoll_wait into EINTR when
 * a handled signal arrives, whatever SA_RESTART says.  When the signal
 * was ours (the handler sets dmtcp_tl_interrupted), these wrappers call
 * again with what was left of the timeout when the thread was frozen,
 * so a checkpoint neither shortens nor lengthens the wait as the
 * program measures it.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "base/timeout.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

/*
 * After an EINTR: was it the checkpoint?  If so, how much of `total`
 * (ns, measured from `start`) is left; sets *left and returns 1.
 */
static int ckpt_interrupted(uint64_t start, uint64_t total, uint64_t *left)
{
	if (!dmtcp_tl_interrupted)
		return 0;
	dmtcp_tl_interrupted = 0;
	*left = dmtcp_timeout_left(total, start, dmtcp_tl_suspend_ns);
	return 1;
}

/*
 * After EINTR from a call with a timeout in ms (-1: none) that started
 * at `start`: 1 to call again (the checkpoint cut it; *timeout is what
 * was left), 0 to return the EINTR (a signal of the program's own).
 */
static int retry_ms(uint64_t start, int *timeout)
{
	if (!dmtcp_tl_interrupted)
		return 0;
	dmtcp_tl_interrupted = 0;
	*timeout = dmtcp_timeout_left_ms(*timeout, start, dmtcp_tl_suspend_ns);
	return 1;
}

static int sleep_ns(uint64_t total, struct timespec *rem)
{
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns(), left;
		struct timespec req = dmtcp_ns_ts(total);
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(nanosleep)(&req, rem);
		if (rc == 0 || errno != EINTR)
			return rc;
		if (!ckpt_interrupted(start, total, &left))
			return rc;
		if (left == 0)
			return 0;
		total = left;
	}
}

API int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!req || req->tv_nsec < 0 || req->tv_nsec >= (long)DMTCP_NSEC ||
	    req->tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	return sleep_ns(dmtcp_ts_ns(req), rem);
}

API int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
			struct timespec *rem)
{
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns(), left;
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(clock_nanosleep)(clk, flags, req, rem);
		if (rc != EINTR ||
		    !ckpt_interrupted(start, dmtcp_ts_ns(req), &left))
			return rc;
		if (!(flags & TIMER_ABSTIME)) {
			struct timespec t = dmtcp_ns_ts(left);

			if (left == 0)
				return 0;
			return nanosleep(&t, rem) == 0 ? 0 : errno;
		}
	}
}

API unsigned int sleep(unsigned int seconds)
{
	struct timespec rem = { 0, 0 };

	if (sleep_ns((uint64_t)seconds * DMTCP_NSEC, &rem) == 0)
		return 0;
	return rem.tv_sec + (rem.tv_nsec > 0);
}

API int usleep(useconds_t usec)
{
	return sleep_ns((uint64_t)usec * 1000, NULL);
}

API int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns();
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(poll)(fds, n, timeout);
		if (rc >= 0 || errno != EINTR || !retry_ms(start, &timeout))
			return rc;
	}
}

API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
	      const sigset_t *mask)
{
	struct timespec t;

	if (tmo)
		t = *tmo;
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns(), left;
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(ppoll)(fds, n, tmo ? &t : NULL, mask);
		if (rc >= 0 || errno != EINTR)
			return rc;
		if (!tmo) {
			if (!dmtcp_tl_interrupted)
				return rc;
			dmtcp_tl_interrupted = 0;
			continue;
		}
		if (!ckpt_interrupted(start, dmtcp_ts_ns(&t), &left))
			return rc;
		t = dmtcp_ns_ts(left);
	}
}

API int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	fd_set r0, w0, e0;
	uint64_t total = tv ? dmtcp_tv_ns(tv) : 0;

	if (r)
		r0 = *r;
	if (w)
		w0 = *w;
	if (e)
		e0 = *e;
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns(), left;
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(select)(nfds, r, w, e, tv);
		if (rc >= 0 || errno != EINTR)
			return rc;
		if (!tv) {
			if (!dmtcp_tl_interrupted)
				return rc;
			dmtcp_tl_interrupted = 0;
		} else {
			if (!ckpt_interrupted(start, total, &left))
				return rc;
			total = left;
			*tv = dmtcp_ns_tv(left);
		}
		if (r)
			*r = r0;
		if (w)
			*w = w0;
		if (e)
			*e = e0;
	}
}

API int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns();
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(epoll_wait)(epfd, ev, max, timeout);
		if (rc >= 0 || errno != EINTR || !retry_ms(start, &timeout))
			return rc;
	}
}
