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
#define NSEC 1000000000ull


static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC + ts->tv_nsec;
}

static struct timespec ns_ts(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / NSEC), (long)(ns % NSEC) };

	return ts;
}

/*
 * After an EINTR: was it the checkpoint?  If so, how much of `total`
 * (ns, measured from `start`) is left; sets *left and returns 1.
 */
static int ckpt_interrupted(uint64_t start, uint64_t total, uint64_t *left)
{
	uint64_t used;

	if (!dmtcp_tl_interrupted)
		return 0;
	dmtcp_tl_interrupted = 0;
	used = dmtcp_tl_suspend_ns > start ? dmtcp_tl_suspend_ns - start : 0;
	*left = used >= total ? 0 : total - used;
	return 1;
}

/*
 * After EINTR from a call with a timeout in ms (-1: none) that started
 * at `start`: 1 to call again (the checkpoint cut it; *timeout is what
 * was left), 0 to return the EINTR (a signal of the program's own).
 */
static int retry_ms(uint64_t start, int *timeout)
{
	uint64_t left;

	if (*timeout < 0) {
		if (!dmtcp_tl_interrupted)
			return 0;
		dmtcp_tl_interrupted = 0;
		return 1;
	}
	if (!ckpt_interrupted(start, (uint64_t)*timeout * 1000000, &left))
		return 0;
	*timeout = (int)((left + 999999) / 1000000);
	return 1;
}

static int sleep_ns(uint64_t total, struct timespec *rem)
{
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns(), left;
		struct timespec req = ns_ts(total);
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
	if (!req || req->tv_nsec < 0 || req->tv_nsec >= (long)NSEC ||
	    req->tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	return sleep_ns(ts_ns(req), rem);
}

API int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
			struct timespec *rem)
{
	for (;;) {
		uint64_t start = dmtcp_now_mono_ns(), left;
		int rc;

		dmtcp_tl_interrupted = 0;
		rc = REAL(clock_nanosleep)(clk, flags, req, rem);
		if (rc != EINTR || !ckpt_interrupted(start, ts_ns(req), &left))
			return rc;
		if (!(flags & TIMER_ABSTIME)) {
			if (left == 0)
				return 0;
			return nanosleep(&(struct timespec){ (time_t)(left / NSEC),
				(long)(left % NSEC) }, rem) == 0 ? 0 : errno;
		}
	}
}

API unsigned int sleep(unsigned int seconds)
{
	struct timespec rem = { 0, 0 };

	if (sleep_ns((uint64_t)seconds * NSEC, &rem) == 0)
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
		if (!ckpt_interrupted(start, ts_ns(&t), &left))
			return rc;
		t = ns_ts(left);
	}
}

API int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	fd_set r0, w0, e0;
	uint64_t total = tv ? (uint64_t)tv->tv_sec * NSEC +
			      (uint64_t)tv->tv_usec * 1000 : 0;

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
			tv->tv_sec = left / NSEC;
			tv->tv_usec = (left % NSEC) / 1000;
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
