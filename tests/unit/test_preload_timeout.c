/*
 * test_preload_timeout.c - what the wrappers of interrupted calls
 * (src/preload/wrap/sleep.c: nanosleep, clock_nanosleep, poll, ppoll,
 * select, epoll_wait; ipc/sysv.c: semtimedop) wait for when they call
 * again after the checkpoint signal (src/preload/base/timeout.c): the
 * time left when the thread was frozen, never negative, never more than
 * was asked, a poll timeout rounded up, no timeout kept as none.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/timeout.h"

#define MS 1000000ull

static void test_left(void **state)
{
	(void)state;
	/* frozen 300 ms into a 1 s wait: 700 ms left */
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS,
					    5300 * MS), 700 * MS);
	/* frozen at the start: all of it */
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS,
					    5000 * MS), 1000 * MS);
	/* frozen just before the end */
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS,
					    5999 * MS), 1 * MS);
}

static void test_left_never_negative(void **state)
{
	(void)state;
	/* frozen exactly at or after the end: nothing left */
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS,
					    6000 * MS), 0);
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS,
					    90000 * MS), 0);
	assert_int_equal(dmtcp_timeout_left(0, 5000 * MS, 5001 * MS), 0);
	assert_int_equal(dmtcp_timeout_left(1, 0, UINT64_MAX), 0);
}

static void test_left_never_longer(void **state)
{
	(void)state;
	/* the suspend time from before this call (a stale one, or none):
	   the whole wait, not more */
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS,
					    4000 * MS), 1000 * MS);
	assert_int_equal(dmtcp_timeout_left(1000 * MS, 5000 * MS, 0),
			 1000 * MS);
	assert_int_equal(dmtcp_timeout_left(UINT64_MAX, 1, 0), UINT64_MAX);
	for (uint64_t s = 0; s < 3000; s += 7)
		assert_true(dmtcp_timeout_left(1000 * MS, 1000 * MS,
					       s * MS) <= 1000 * MS);
}

static void test_left_ms(void **state)
{
	(void)state;
	/* poll(…, 1000) frozen after 300 ms: 700 */
	assert_int_equal(dmtcp_timeout_left_ms(1000, 5000 * MS, 5300 * MS),
			 700);
	/* a part of a ms left rounds up: the call never returns early */
	assert_int_equal(dmtcp_timeout_left_ms(1000, 5000 * MS,
					       5300 * MS + 1), 700);
	assert_int_equal(dmtcp_timeout_left_ms(1000, 5000 * MS,
					       5300 * MS - 1), 701);
	assert_int_equal(dmtcp_timeout_left_ms(1000, 5000 * MS,
					       5999 * MS + 999999), 1);
	/* over, or 0 asked: 0 (poll returns at once), never negative */
	assert_int_equal(dmtcp_timeout_left_ms(1000, 5000 * MS, 7000 * MS),
			 0);
	assert_int_equal(dmtcp_timeout_left_ms(0, 5000 * MS, 5001 * MS), 0);
	/* never more than asked, up to the largest int */
	assert_int_equal(dmtcp_timeout_left_ms(INT_MAX, 5000 * MS, 0),
			 INT_MAX);
	assert_int_equal(dmtcp_timeout_left_ms(INT_MAX, 5000 * MS,
					       5000 * MS + 1), INT_MAX);
	assert_int_equal(dmtcp_timeout_left_ms(INT_MAX, 5000 * MS,
					       6000 * MS), INT_MAX - 1000);
}

static void test_no_timeout(void **state)
{
	(void)state;
	/* -1 (wait for ever) stays -1, whatever the clock says */
	assert_int_equal(dmtcp_timeout_left_ms(-1, 5000 * MS, 9000 * MS), -1);
	assert_int_equal(dmtcp_timeout_left_ms(-1, 0, 0), -1);
	assert_int_equal(dmtcp_timeout_left_ms(-5, 0, 0), -5);
}

static void test_conversions(void **state)
{
	struct timespec ts = { 3, 250000000 };
	struct timeval tv = { 2, 999999 };
	struct timespec t2;
	struct timeval v2;

	(void)state;
	assert_int_equal(dmtcp_ts_ns(&ts), 3250000000ull);
	assert_int_equal(dmtcp_tv_ns(&tv), 2999999000ull);
	t2 = dmtcp_ns_ts(3250000001ull);
	assert_int_equal(t2.tv_sec, 3);
	assert_int_equal(t2.tv_nsec, 250000001);
	t2 = dmtcp_ns_ts(0);
	assert_int_equal(t2.tv_sec, 0);
	assert_int_equal(t2.tv_nsec, 0);
	/* a timeval keeps whole microseconds (select never waits longer) */
	v2 = dmtcp_ns_tv(2999999999ull);
	assert_int_equal(v2.tv_sec, 2);
	assert_int_equal(v2.tv_usec, 999999);
	v2 = dmtcp_ns_tv(1000000000ull);
	assert_int_equal(v2.tv_sec, 1);
	assert_int_equal(v2.tv_usec, 0);
	/* round trips */
	for (uint64_t ns = 1; ns < 40 * 1000000000ull; ns = ns * 3 + 17) {
		struct timespec a = dmtcp_ns_ts(ns);
		struct timeval b = dmtcp_ns_tv(ns);

		assert_int_equal(dmtcp_ts_ns(&a), ns);
		assert_true(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
		assert_int_equal(dmtcp_tv_ns(&b), ns / 1000 * 1000);
	}
}

/* semtimedop's loop: each retry starts a new wait with what was left */
static void test_retries_add_up(void **state)
{
	uint64_t total = 2000 * MS, now = 0;

	(void)state;
	for (int i = 0; i < 5; i++) {
		uint64_t start = now;

		now += 300 * MS;	/* frozen 300 ms into this call */
		total = dmtcp_timeout_left(total, start, now);
		now += 10000 * MS;	/* the checkpoint itself: not counted */
	}
	assert_int_equal(total, 500 * MS);
	for (int i = 0; i < 5; i++) {
		uint64_t start = now;

		now += 300 * MS;
		total = dmtcp_timeout_left(total, start, now);
	}
	assert_int_equal(total, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_left),
		cmocka_unit_test(test_left_never_negative),
		cmocka_unit_test(test_left_never_longer),
		cmocka_unit_test(test_left_ms),
		cmocka_unit_test(test_no_timeout),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_retries_add_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
