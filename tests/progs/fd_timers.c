/*
 * fd_timers.c - timerfd, signalfd and inotify descriptors across
 * checkpoints and restarts.  Checked in every iteration (~10 ms):
 *   - a one-shot CLOCK_MONOTONIC timer armed for 1000 s: its remaining
 *     time never grows and never drops by more than the time that
 *     passed (a restart re-arms it with what was left);
 *   - a periodic 20 ms CLOCK_BOOTTIME timer, in an epoll set with the
 *     second signalfd: it keeps expiring (and epoll keeps saying so)
 *     after each restart, and never reports more expirations than time
 *     allows;
 *   - a CLOCK_REALTIME timer set for an absolute time 1000 s ahead
 *     (TFD_TIMER_ABSTIME): its remaining time always matches the wall
 *     clock, the time between checkpoint and restart included;
 *   - a 5 ms CLOCK_REALTIME one-shot timer left expired and unread
 *     across each checkpoint: after the restart it reads exactly 1;
 *     clocks and O_NONBLOCK are checked in /proc/self/fdinfo and fcntl;
 *   - a signalfd for SIGUSR1 and SIGRTMIN+2: a SIGRTMIN+2 ping-pong
 *     (each signal read exactly once, never lost), and a SIGUSR1 kept
 *     pending across each checkpoint that reads exactly once after it;
 *   - inotify: watch 1 on dir a (IN_CREATE), watch 2 removed at once (a
 *     gap), watch 3 on dir b (IN_CLOSE_WRITE); every file created gives
 *     one event with the right watch number and name; after each
 *     restart new files still do.
 */
#include "testprog.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

static int tlong, tper, tshot, tabs, sfd, sfd_rt, ifd, wd_a, wd_b, gap, ep;
static char dir_a[600], dir_b[600];

static double ts_d(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

static void check_fdinfo(int fd, const char *want)
{
	char path[64], buf[2048];
	int f, n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	TP_CHECK(f >= 0, "open %s: %s", path, strerror(errno));
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	TP_CHECK(n > 0, "read %s", path);
	buf[n] = 0;
	TP_CHECK(strstr(buf, want) != NULL, "fd %d: '%s' not in fdinfo:\n%.300s",
		 fd, want, buf);
}

static void arm_shot(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 5000000 } };

	TP_CHECK(timerfd_settime(tshot, 0, &its, NULL) == 0, "settime: %s",
		 strerror(errno));
}

/* Reads every signal queued on signalfd fd; counts per signal. */
static void read_signals(int fd, long *usr1, long *rt)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if ((int)si.ssi_signo == SIGUSR1)
			(*usr1)++;
		else if ((int)si.ssi_signo == SIGRTMIN + 2)
			(*rt)++;
		else
			tp_fail("signalfd returned signal %u", si.ssi_signo);
	}
	TP_CHECK(errno == EAGAIN, "signalfd read: %s", strerror(errno));
}

/* Reads inotify events; returns 1 once an event for `name` in watch wd
   with mask `want` came.  Any other event fails the test. */
static int inotify_seen(int wd, uint32_t want, const char *name_a,
			const char *name_b, int *seen_a, int *seen_b)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n = read(ifd, buf, sizeof(buf));

	if (n < 0) {
		TP_CHECK(errno == EAGAIN, "inotify read: %s", strerror(errno));
		return 0;
	}
	for (char *p = buf; p < buf + n;) {
		struct inotify_event *e = (struct inotify_event *)p;

		if (e->wd == wd_a && (e->mask & IN_CREATE) &&
		    strcmp(e->name, name_a) == 0)
			*seen_a = 1;
		else if (e->wd == wd_b && (e->mask & IN_CLOSE_WRITE) &&
			 strcmp(e->name, name_b) == 0)
			*seen_b = 1;
		else if (e->wd == wd_a && (e->mask & IN_CREATE))
			; /* an older file whose wait a restart cut short */
		else if (e->wd == wd_b && (e->mask & IN_CLOSE_WRITE))
			;
		else
			tp_fail("unexpected inotify event wd %d mask %#x "
				"name '%s' (watches: %d, %d)", e->wd, e->mask,
				e->len ? e->name : "", wd_a, wd_b);
		p += sizeof(*e) + e->len;
	}
	(void)wd;
	(void)want;
	return *seen_a && *seen_b;
}

int main(void)
{
	struct itimerspec its = { { 0, 0 }, { 1000, 0 } };
	const char *work = getenv("TEST_WORKDIR");
	double prev_left = 1000, prev_t, t0;
	long usr1 = 0, rt_sent = 0, rt_got = 0, per_exp = 0, files = 0;
	long restarts_seen = 0, after_restart_ok = 0, per_after = 0;
	int rt_out = 0;
	sigset_t mask;
	char gpath[700];
	struct timespec deadline;

	tp_init("fd_timers");
	if (!work)
		work = ".";
	snprintf(dir_a, sizeof(dir_a), "%s/ino_a", work);
	snprintf(dir_b, sizeof(dir_b), "%s/ino_b", work);
	snprintf(gpath, sizeof(gpath), "%s/ino_gap", work);
	mkdir(dir_a, 0755);
	mkdir(dir_b, 0755);
	close(open(gpath, O_CREAT | O_WRONLY, 0644));

	tlong = timerfd_create(CLOCK_MONOTONIC, 0);
	tper = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	tshot = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	TP_CHECK(tlong >= 0 && tper >= 0 && tshot >= 0, "timerfd_create: %s",
		 strerror(errno));
	TP_CHECK(timerfd_settime(tlong, 0, &its, NULL) == 0, "settime");
	tabs = timerfd_create(CLOCK_REALTIME, 0);
	TP_CHECK(tabs >= 0, "timerfd_create: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 1000;
	its.it_value = deadline;
	TP_CHECK(timerfd_settime(tabs, TFD_TIMER_ABSTIME, &its, NULL) == 0,
		 "settime abs: %s", strerror(errno));
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 20000000;
	its.it_interval = its.it_value;
	TP_CHECK(timerfd_settime(tper, 0, &its, NULL) == 0, "settime");
	arm_shot();

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGRTMIN + 2);
	TP_CHECK(sigprocmask(SIG_BLOCK, &mask, NULL) == 0, "sigprocmask");
	sigdelset(&mask, SIGRTMIN + 2);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK);
	sigemptyset(&mask);
	sigaddset(&mask, SIGRTMIN + 2);
	sfd_rt = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	TP_CHECK(sfd >= 0 && sfd_rt >= 0, "signalfd: %s", strerror(errno));

	ifd = inotify_init1(IN_NONBLOCK);
	TP_CHECK(ifd >= 0, "inotify_init1: %s", strerror(errno));
	wd_a = inotify_add_watch(ifd, dir_a, IN_CREATE);
	gap = inotify_add_watch(ifd, gpath, IN_MODIFY);
	TP_CHECK(inotify_rm_watch(ifd, gap) == 0, "rm_watch");
	wd_b = inotify_add_watch(ifd, dir_b, IN_CLOSE_WRITE);
	TP_CHECK(wd_a == 1 && gap == 2 && wd_b == 3, "watches %d %d %d",
		 wd_a, gap, wd_b);
	/* the IN_IGNORED of the removed watch */
	{
		char b[256];

		TP_CHECK(read(ifd, b, sizeof(b)) > 0, "no IN_IGNORED");
	}

	/* the periodic timer and the ping-pong signalfd in an epoll set */
	{
		struct epoll_event e = { .events = EPOLLIN };

		ep = epoll_create1(EPOLL_CLOEXEC);
		e.data.u64 = 0x7777;
		TP_CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, tper, &e) == 0,
			 "epoll: %s", strerror(errno));
		e.data.u64 = 0x8888;
		TP_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, sfd_rt, &e) == 0,
			 "epoll: %s", strerror(errno));
	}
	/* a SIGUSR1 that stays pending until the first restart */
	kill(getpid(), SIGUSR1);
	t0 = prev_t = tp_now();
	tp_ready();
	for (;;) {
		struct itimerspec cur;
		double now = tp_now(), left;
		int c, r, sa = 0, sb = 0;
		uint64_t v;
		char na[32], nb[32], p[700];

		tp_status(&c, &r);
		/* the long timer */
		TP_CHECK(timerfd_gettime(tlong, &cur) == 0, "gettime");
		left = ts_d(&cur.it_value);
		TP_CHECK(left > 0 && left <= prev_left + 1e-6,
			 "long timer: %.6f s left, was %.6f", left, prev_left);
		TP_CHECK(prev_left - left <= now - prev_t + 0.05,
			 "long timer lost %.3f s in %.3f s",
			 prev_left - left, now - prev_t);
		TP_CHECK(cur.it_interval.tv_sec == 0 &&
			 cur.it_interval.tv_nsec == 0, "long timer interval");
		prev_left = left;
		prev_t = now;
		/* the wall-clock deadline */
		{
			struct timespec wall;
			double want;

			TP_CHECK(timerfd_gettime(tabs, &cur) == 0, "gettime");
			clock_gettime(CLOCK_REALTIME, &wall);
			want = ts_d(&deadline) - ts_d(&wall);
			TP_CHECK(ts_d(&cur.it_value) - want < 0.1 &&
				 want - ts_d(&cur.it_value) < 0.1,
				 "absolute timer: %.3f s left, deadline in %.3f s",
				 ts_d(&cur.it_value), want);
		}
		/* the periodic timer, read when epoll says so */
		{
			struct epoll_event evs[4];
			int ne = epoll_wait(ep, evs, 4, 0);

			TP_CHECK(ne >= 0, "epoll_wait: %s", strerror(errno));
			for (int i = 0; i < ne; i++) {
				if (evs[i].data.u64 == 0x8888)
					continue;	/* read below */
				TP_CHECK(evs[i].data.u64 == 0x7777,
					 "epoll tag %#llx", (unsigned long long)
					 evs[i].data.u64);
				TP_CHECK(read(tper, &v, 8) == 8 && v > 0,
					 "tper ready but read: %s",
					 strerror(errno));
				per_exp += v;
				if (r > 0)
					per_after += v;
			}
		}
		TP_CHECK(per_exp <= (now - t0) / 0.02 + 3,
			 "%ld expirations in %.2f s", per_exp, now - t0);
		TP_CHECK(timerfd_gettime(tper, &cur) == 0 &&
			 cur.it_interval.tv_nsec == 20000000 &&
			 cur.it_interval.tv_sec == 0, "periodic interval");

		if (r != restarts_seen) {
			long u = 0, rg = 0;

			restarts_seen = r;
			/* the expired one-shot timer, unread since before */
			TP_CHECK(read(tshot, &v, 8) == 8 && v == 1,
				 "one-shot timer after restart %d: %s, %llu",
				 r, strerror(errno), (unsigned long long)v);
			TP_CHECK(timerfd_gettime(tshot, &cur) == 0 &&
				 !cur.it_value.tv_sec && !cur.it_value.tv_nsec,
				 "one-shot timer still armed");
			check_fdinfo(tshot, "clockid: 0\n");
			check_fdinfo(tlong, "clockid: 1\n");
			check_fdinfo(tper, "clockid: 7\n");
			check_fdinfo(tabs, "settime flags: 01\n");
			TP_CHECK(fcntl(tper, F_GETFL) & O_NONBLOCK, "tper flags");
			TP_CHECK(!(fcntl(tlong, F_GETFL) & O_NONBLOCK),
				 "tlong flags");
			arm_shot();
			/* the SIGUSR1 pending since before the checkpoint */
			read_signals(sfd, &u, &rg);
			TP_CHECK(u == 1 && rg == 0, "SIGUSR1 read %ld times after restart "
				 "%d", u, r);
			rt_got += rg;
			usr1 += u;
			kill(getpid(), SIGUSR1);
			TP_CHECK(fcntl(sfd, F_GETFL) & O_NONBLOCK, "sfd flags");
			check_fdinfo(sfd, "sigmask:\t0000000000000200\n");
			TP_CHECK(fcntl(sfd_rt, F_GETFD) & FD_CLOEXEC, "cloexec");
			after_restart_ok = 0;
			per_after = 0;
		}
		/* SIGRTMIN+2 ping-pong through the signalfd */
		if (!rt_out) {
			kill(getpid(), SIGRTMIN + 2);
			rt_sent++;
			rt_out = 1;
		} else {
			long u = 0, rg = 0;

			read_signals(sfd_rt, &u, &rg);
			TP_CHECK(u == 0, "SIGUSR1 delivered again (%ld)", u);
			rt_got += rg;
			TP_CHECK(rt_got == rt_sent, "SIGRTMIN+2: sent %ld, read "
				 "%ld", rt_sent, rt_got);
			rt_out = 0;
		}

		/* inotify: one new file in each directory */
		files++;
		/* the killed process went on after the checkpoint and
		   created the next names already: a new name per restart */
		snprintf(na, sizeof(na), "f%d_%ld", r, files);
		snprintf(nb, sizeof(nb), "g%d_%ld", r, files);
		snprintf(p, sizeof(p), "%s/%s", dir_a, na);
		close(open(p, O_CREAT | O_WRONLY, 0644));
		snprintf(p, sizeof(p), "%s/%s", dir_b, nb);
		close(open(p, O_CREAT | O_WRONLY, 0644));
		for (double end = tp_now() + 2;;) {
			int c2, r2;

			if (inotify_seen(0, 0, na, nb, &sa, &sb))
				break;
			tp_status(&c2, &r2);
			if (r2 != r)
				break;	/* queued events are lost at restart */
			TP_CHECK(tp_now() < end, "no inotify event for %s/%s "
				 "after 2 s (a=%d b=%d)", na, nb, sa, sb);
			tp_sleep_ms(1);
		}
		if (sa && sb && r == restarts_seen)
			after_restart_ok++;

		if (tp_should_stop() && after_restart_ok >= 5 &&
		    (r == 0 || per_after > 0))
			break;
		tp_sleep_ms(10);
	}
	printf("files %ld, periodic expirations %ld, SIGRTMIN+2 %ld/%ld, "
	       "SIGUSR1 after restarts %ld\n", files, per_exp, rt_got, rt_sent,
	       usr1);
	TP_CHECK(per_exp > 10, "periodic timer expired %ld times", per_exp);
	TP_CHECK(usr1 == restarts_seen, "SIGUSR1 %ld for %ld restarts", usr1,
		 restarts_seen);
	tp_pass();
}
