/*
 * interrupted_calls.c - checkpoint test: blocking calls must not return
 * early or fail with EINTR because a checkpoint (or restart) happened while
 * they were blocked.  Threads loop in sleep(1), nanosleep(300 ms),
 * poll(pipe, 500 ms) and select(pipe, 400 ms) on pipes that never get
 * data, and one thread blocks in read() on a pipe that is written only
 * when the stop file appears.  Each call's duration is measured with
 * CLOCK_MONOTONIC: it may be longer (the process was stopped), never
 * shorter.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/select.h>

#include "testprog.h"

static volatile int stopping;
static int idle_pipe[2], data_pipe[2];
static volatile long done_sleep, done_nano, done_poll, done_select;
static volatile int read_ok;

#define MSG "late data through the pipe"

/*
 * The waiting calls, each on its own thread: the call returns 0 when it
 * waited its whole time, else says what it returned in why.  Each must
 * take at least min seconds.
 */
struct waiter {
	const char *name;
	double min;
	int (*call)(char *why, size_t cap);
	volatile long *done;
};

static int call_sleep(char *why, size_t cap)
{
	unsigned left = sleep(1);

	snprintf(why, cap, "sleep(1) returned %u (interrupted)", left);
	return left != 0;
}

static int call_nano(char *why, size_t cap)
{
	struct timespec ts = { 0, 300 * 1000000L }, rem = { 0, 0 };
	int rc = nanosleep(&ts, &rem);

	snprintf(why, cap, "nanosleep(300 ms) = %d (%s), %ld ns left", rc,
		 strerror(errno), rem.tv_nsec);
	return rc != 0;
}

static int call_poll(char *why, size_t cap)
{
	struct pollfd pfd = { idle_pipe[0], POLLIN, 0 };
	int rc = poll(&pfd, 1, 500);

	snprintf(why, cap, "poll(idle pipe, 500 ms) = %d (%s, revents %#x)",
		 rc, rc < 0 ? strerror(errno) : "ready", pfd.revents);
	return rc != 0;
}

static int call_select(char *why, size_t cap)
{
	struct timeval tv = { 0, 400000 };
	fd_set rd;
	int rc;

	FD_ZERO(&rd);
	FD_SET(idle_pipe[0], &rd);
	rc = select(idle_pipe[0] + 1, &rd, NULL, NULL, &tv);
	snprintf(why, cap, "select(idle pipe, 400 ms) = %d (%s)", rc,
		 rc < 0 ? strerror(errno) : "ready");
	return rc != 0;
}

static const struct waiter waiters[] = {
	{ "sleep(1)", 0.999, call_sleep, &done_sleep },
	{ "nanosleep(300 ms)", 0.2999, call_nano, &done_nano },
	{ "poll(500 ms)", 0.4999, call_poll, &done_poll },
	{ "select(400 ms)", 0.3999, call_select, &done_select },
};
#define NWAITERS (sizeof(waiters) / sizeof(waiters[0]))

static void *t_wait(void *arg)
{
	const struct waiter *w = arg;
	char why[256];

	while (!stopping) {
		double t0 = tp_now(), dt;
		int bad;

		errno = 0;
		bad = w->call(why, sizeof(why));
		dt = tp_now() - t0;
		if (bad)
			tp_fail("%s after %.3f s", why, dt);
		if (dt < w->min)
			tp_fail("%s returned after only %.3f s", w->name, dt);
		(*w->done)++;
	}
	return NULL;
}

static void *t_read(void *arg)
{
	char buf[64];
	ssize_t n;

	(void)arg;
	n = read(data_pipe[0], buf, sizeof(buf));
	if (n < 0)
		tp_fail("read(pipe) failed: %s", strerror(errno));
	if (n != (ssize_t)strlen(MSG) || memcmp(buf, MSG, n) != 0)
		tp_fail("read(pipe) returned %zd bytes, not the message", n);
	if (!stopping)
		tp_fail("read(pipe) returned before anything was written");
	read_ok = 1;
	return NULL;
}

int main(void)
{
	pthread_t th[NWAITERS + 1];

	tp_init("interrupted_calls");
	if (pipe(idle_pipe) != 0 || pipe(data_pipe) != 0)
		tp_fail("pipe: %s", strerror(errno));
	for (size_t i = 0; i <= NWAITERS; i++)
		if (pthread_create(&th[i], NULL, i < NWAITERS ? t_wait : t_read,
				   i < NWAITERS ? (void *)&waiters[i] : NULL))
			tp_fail("pthread_create failed");
	tp_ready();

	while (!tp_should_stop())
		tp_sleep_ms(20);

	stopping = 1;
	__sync_synchronize();
	if (write(data_pipe[1], MSG, strlen(MSG)) != (ssize_t)strlen(MSG))
		tp_fail("write(pipe): %s", strerror(errno));
	for (size_t i = 0; i <= NWAITERS; i++)
		pthread_join(th[i], NULL);
	if (!read_ok)
		tp_fail("read thread did not get the data");
	if (!done_sleep || !done_nano || !done_poll || !done_select)
		tp_fail("a thread completed no call (sleep %ld, nanosleep %ld, "
			"poll %ld, select %ld)", done_sleep, done_nano,
			done_poll, done_select);
	printf("calls: sleep=%ld nanosleep=%ld poll=%ld select=%ld\n",
	       done_sleep, done_nano, done_poll, done_select);
	tp_pass();
}
