/*
 * test_fdinfo.c - the /proc/self/fdinfo parsers of the preload library
 * (src/preload/fd/fdinfo.c), which fd/anon.c and fd/timers.c read the
 * state of eventfd, epoll, timerfd, signalfd, inotify and pidfd
 * descriptors with: on texts as the kernel writes them (lines missing,
 * malformed ones skipped), then on descriptors of this process read by
 * dmtcp_read_fdinfo (base/procdir.c), so that a change of the kernel's
 * format shows up here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/state.h"
#include "fd/fdinfo.h"

#define HEAD "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n"

static void test_field(void **state)
{
	const char *t = HEAD "Pid:\t4242\nNSpid:\t4242\n";
	uint64_t v = 7;

	(void)state;
	assert_int_equal(atoi(dmtcp_fdinfo_field(t, "Pid:")), 4242);
	assert_string_equal(dmtcp_fdinfo_field(t, "mnt_id:"),
			    "\t15\nino:\t1057\nPid:\t4242\nNSpid:\t4242\n");
	assert_null(dmtcp_fdinfo_field(t, "clockid:"));
	assert_null(dmtcp_fdinfo_field("", "Pid:"));

	assert_true(dmtcp_fdinfo_hex(HEAD "eventfd-count:                5\n"
				     "eventfd-id: 1\n", "eventfd-count:", &v));
	assert_int_equal(v, 5);
	assert_true(dmtcp_fdinfo_hex(HEAD "eventfd-count: fffffffffffffffe\n",
				     "eventfd-count:", &v));
	assert_int_equal(v, 0xfffffffffffffffeull);
	assert_true(dmtcp_fdinfo_hex(HEAD "sigmask:\t0000000000000a00\n",
				     "sigmask:", &v));
	assert_int_equal(v, 0xa00);
	/* not there: v untouched */
	v = 7;
	assert_false(dmtcp_fdinfo_hex(HEAD, "sigmask:", &v));
	assert_int_equal(v, 7);
}

/* the next watch of an epoll fd's text is this one */
static void epoll_is(const char **p, int32_t fd, uint32_t ev, uint64_t data)
{
	int32_t f;
	uint32_t e;
	uint64_t d;

	assert_true(dmtcp_fdinfo_epoll_next(p, &f, &e, &d));
	assert_int_equal(f, fd);
	assert_int_equal(e, ev);
	assert_int_equal(d, data);
}

static void test_epoll(void **state)
{
	const char *p = HEAD
		"tfd:        5 events:       1d data: ffffffffffffffff  pos:0 "
		"ino:61af sdev:7\n"
		"tfd: garbage\n"
		"tfd:       12 events: 80000019 data:                3  pos:0 "
		"ino:61b0 sdev:7\n";
	int32_t fd;
	uint32_t ev;
	uint64_t data;

	(void)state;
	epoll_is(&p, 5, 0x1d, UINT64_MAX);
	epoll_is(&p, 12, 0x80000019u, 3);
	assert_false(dmtcp_fdinfo_epoll_next(&p, &fd, &ev, &data));
	assert_false(dmtcp_fdinfo_epoll_next(&p, &fd, &ev, &data));
	p = HEAD;
	assert_false(dmtcp_fdinfo_epoll_next(&p, &fd, &ev, &data));
}

static void test_inotify(void **state)
{
	const char *p = HEAD
		"inotify wd:3 ino:9e7e sdev:800013 mask:800afce ignored_mask:0 "
		"fhandle-bytes:8 fhandle-type:1 f_handle:7e9e0000640d1b6d\n"
		"inotify wd:x ino:1 sdev:1 mask:1\n"
		"inotify wd:1 ino:2a sdev:800013 mask:100 ignored_mask:0\n";
	static const struct w { int wd; uint64_t ino; uint32_t mask; } want[] = {
		{ 3, 0x9e7e, 0x800afce }, { 1, 0x2a, 0x100 },
	};
	struct w got;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		memset(&got, 0, sizeof(got));	/* its padding too */
		assert_true(dmtcp_fdinfo_inotify_next(&p, &got.wd, &got.ino,
						      &got.mask));
		assert_memory_equal(&got, &want[i], sizeof(got));
	}
	assert_false(dmtcp_fdinfo_inotify_next(&p, &got.wd, &got.ino,
					       &got.mask));
	p = HEAD "inotify wd:4 ino:1 sdev:1\n";	/* no mask: skipped */
	assert_false(dmtcp_fdinfo_inotify_next(&p, &got.wd, &got.ino,
					       &got.mask));
}

/* what dmtcp_fdinfo_timerfd() makes of text is want, field by field */
static void timer_is(const char *text, struct dmtcp_fdinfo_timer want)
{
	struct dmtcp_fdinfo_timer t;

	dmtcp_fdinfo_timerfd(text, &t);
	assert_int_equal(t.clockid, want.clockid);
	assert_int_equal(t.ticks, want.ticks);
	assert_int_equal(t.settime_flags, want.settime_flags);
	assert_int_equal(t.its.it_value.tv_sec, want.its.it_value.tv_sec);
	assert_int_equal(t.its.it_value.tv_nsec, want.its.it_value.tv_nsec);
	assert_int_equal(t.its.it_interval.tv_sec,
			 want.its.it_interval.tv_sec);
	assert_int_equal(t.its.it_interval.tv_nsec,
			 want.its.it_interval.tv_nsec);
}

static void test_timerfd(void **state)
{
	(void)state;
	timer_is(HEAD "clockid: 1\nticks: 12\nsettime flags: 01\n"
		 "it_value: (3, 49406829)\nit_interval: (1, 500)\n",
		 (struct dmtcp_fdinfo_timer){ .clockid = 1, .ticks = 12,
			.settime_flags = 1,
			.its = { .it_value = { 3, 49406829 },
				 .it_interval = { 1, 500 } } });
	/* settime flags are octal (TFD_TIMER_ABSTIME|CANCEL_ON_SET is 03);
	   missing or malformed lines: zero */
	timer_is("settime flags: 010\nit_value: (1)\n",
		 (struct dmtcp_fdinfo_timer){ .settime_flags = 8 });
	timer_is(HEAD, (struct dmtcp_fdinfo_timer){ 0 });
}

/* ---- the same on descriptors of this process ---- */

static void test_read(void **state)
{
	char buf[64];
	int fd = eventfd(0, EFD_CLOEXEC);
	int n;

	(void)state;
	assert_true(fd >= 0);
	n = dmtcp_read_fdinfo(fd, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_true(n > 0 && n <= 63);
	assert_non_null(dmtcp_fdinfo_field(buf, "pos:"));
	/* a cap smaller than the text: truncated, terminated */
	n = dmtcp_read_fdinfo(fd, buf, 5);
	assert_int_equal(n, 4);
	assert_string_equal(buf, "pos:");
	close(fd);
	assert_int_equal(dmtcp_read_fdinfo(fd, buf, sizeof(buf)), -1);
}

static void test_live_eventfd_signalfd(void **state)
{
	char buf[1024];
	uint64_t v = 0;
	sigset_t m;
	int e = eventfd(41, EFD_CLOEXEC), s;

	(void)state;
	assert_true(e >= 0);
	assert_true(dmtcp_read_fdinfo(e, buf, sizeof(buf)) > 0);
	assert_true(dmtcp_fdinfo_hex(buf, "eventfd-count:", &v));
	assert_int_equal(v, 41);
	close(e);

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGTERM);
	s = signalfd(-1, &m, SFD_CLOEXEC);
	assert_true(s >= 0);
	assert_true(dmtcp_read_fdinfo(s, buf, sizeof(buf)) > 0);
	assert_true(dmtcp_fdinfo_hex(buf, "sigmask:", &v));
	assert_int_equal(v, (1ull << (SIGUSR1 - 1)) | (1ull << (SIGTERM - 1)));
	close(s);
}

static void test_live_epoll(void **state)
{
	static char buf[64 * 1024];
	int ep = epoll_create1(EPOLL_CLOEXEC), fds[300];
	const char *p = buf;
	int32_t fd;
	uint32_t ev;
	uint64_t data;
	int seen = 0;

	(void)state;
	assert_true(ep >= 0);
	/* more watches than one page of fdinfo holds */
	for (int i = 0; i < 300; i++) {
		struct epoll_event e = { .events = EPOLLIN | (i & 1 ? EPOLLET : 0),
					 .data.u64 = 0x1000000000ull + i };

		fds[i] = eventfd(0, EFD_CLOEXEC);
		assert_true(fds[i] >= 0);
		assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e), 0);
	}
	assert_true(dmtcp_read_fdinfo(ep, buf, sizeof(buf)) > 4096);
	while (dmtcp_fdinfo_epoll_next(&p, &fd, &ev, &data)) {
		int i = (int)(data - 0x1000000000ull);

		assert_true(i >= 0 && i < 300);
		assert_int_equal(fd, fds[i]);
		assert_true(ev & EPOLLIN);
		assert_int_equal(!!(ev & EPOLLET), i & 1);
		assert_true(++seen <= 300);
	}
	assert_int_equal(seen, 300);
	for (int i = 0; i < 300; i++)
		close(fds[i]);
	close(ep);
}

static void test_live_timerfd(void **state)
{
	char buf[1024];
	struct itimerspec its = { { 7, 250 }, { 100, 0 } };
	struct dmtcp_fdinfo_timer t;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(timerfd_settime(fd, 0, &its, NULL), 0);
	assert_true(dmtcp_read_fdinfo(fd, buf, sizeof(buf)) > 0);
	dmtcp_fdinfo_timerfd(buf, &t);
	assert_int_equal(t.clockid, CLOCK_MONOTONIC);
	assert_int_equal(t.ticks, 0);
	assert_int_equal(t.settime_flags, 0);
	assert_int_equal(t.its.it_interval.tv_sec, 7);
	assert_int_equal(t.its.it_interval.tv_nsec, 250);
	assert_true(t.its.it_value.tv_sec >= 90 &&
		    t.its.it_value.tv_sec <= 100);
	close(fd);
}

static void test_live_inotify(void **state)
{
	char buf[4096], dir[] = "/tmp/test_fdinfo.XXXXXX";
	int fd = inotify_init1(IN_CLOEXEC), w1, w2, wd, n = 0;
	const char *p = buf;
	uint64_t ino;
	uint32_t mask;

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(mkdtemp(dir));
	w1 = inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE);
	w2 = inotify_add_watch(fd, "/tmp", IN_MODIFY);
	assert_true(w1 >= 0 && w2 >= 0);
	assert_true(dmtcp_read_fdinfo(fd, buf, sizeof(buf)) > 0);
	while (dmtcp_fdinfo_inotify_next(&p, &wd, &ino, &mask)) {
		assert_true(wd == w1 || wd == w2);
		assert_int_equal(mask & (IN_CREATE | IN_DELETE | IN_MODIFY),
				 wd == w1 ? IN_CREATE | IN_DELETE : IN_MODIFY);
		assert_true(ino != 0);
		assert_true(++n <= 2);
	}
	assert_int_equal(n, 2);
	close(fd);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_epoll),
		cmocka_unit_test(test_inotify),
		cmocka_unit_test(test_timerfd),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_live_eventfd_signalfd),
		cmocka_unit_test(test_live_epoll),
		cmocka_unit_test(test_live_timerfd),
		cmocka_unit_test(test_live_inotify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
