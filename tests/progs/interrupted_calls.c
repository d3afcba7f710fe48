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

static void *t_sleep(void *arg)
{
	(void)arg;
	while (!stopping) {
		double t0 = tp_now(), dt;
		unsigned left = sleep(1);

		dt = tp_now() - t0;
		if (left != 0)
			tp_fail("sleep(1) returned %u (interrupted) after "
				"%.3f s", left, dt);
		if (dt < 0.999)
			tp_fail("sleep(1) returned after only %.3f s", dt);
		done_sleep++;
	}
	return NULL;
}

static void *t_nano(void *arg)
{
	(void)arg;
	while (!stopping) {
		struct timespec ts = { 0, 300 * 1000000L }, rem = { 0, 0 };
		double t0 = tp_now(), dt;
		int rc = nanosleep(&ts, &rem);

		dt = tp_now() - t0;
		if (rc != 0)
			tp_fail("nanosleep(300 ms) = %d (%s) after %.3f s, "
				"%ld ns left", rc, strerror(errno), dt,
				rem.tv_nsec);
		if (dt < 0.2999)
			tp_fail("nanosleep(300 ms) returned after %.3f s", dt);
		done_nano++;
	}
	return NULL;
}

static void *t_poll(void *arg)
{
	(void)arg;
	while (!stopping) {
		struct pollfd pfd = { idle_pipe[0], POLLIN, 0 };
		double t0 = tp_now(), dt;
		int rc = poll(&pfd, 1, 500);

		dt = tp_now() - t0;
		if (rc != 0)
			tp_fail("poll(idle pipe, 500 ms) = %d (%s, revents "
				"%#x) after %.3f s", rc,
				rc < 0 ? strerror(errno) : "ready",
				pfd.revents, dt);
		if (dt < 0.4999)
			tp_fail("poll(500 ms) timed out after only %.3f s", dt);
		done_poll++;
	}
	return NULL;
}

static void *t_select(void *arg)
{
	(void)arg;
	while (!stopping) {
		struct timeval tv = { 0, 400000 };
		fd_set rd;
		double t0 = tp_now(), dt;
		int rc;

		FD_ZERO(&rd);
		FD_SET(idle_pipe[0], &rd);
		rc = select(idle_pipe[0] + 1, &rd, NULL, NULL, &tv);
		dt = tp_now() - t0;
		if (rc != 0)
			tp_fail("select(idle pipe, 400 ms) = %d (%s) after "
				"%.3f s", rc, rc < 0 ? strerror(errno)
						    : "ready", dt);
		if (dt < 0.3999)
			tp_fail("select(400 ms) timed out after only %.3f s",
				dt);
		done_select++;
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
	void *(*fns[])(void *) = { t_sleep, t_nano, t_poll, t_select, t_read };
	pthread_t th[5];

	tp_init("interrupted_calls");
	if (pipe(idle_pipe) != 0 || pipe(data_pipe) != 0)
		tp_fail("pipe: %s", strerror(errno));
	for (int i = 0; i < 5; i++)
		if (pthread_create(&th[i], NULL, fns[i], NULL) != 0)
			tp_fail("pthread_create failed");
	tp_ready();

	while (!tp_should_stop())
		tp_sleep_ms(20);

	stopping = 1;
	__sync_synchronize();
	if (write(data_pipe[1], MSG, strlen(MSG)) != (ssize_t)strlen(MSG))
		tp_fail("write(pipe): %s", strerror(errno));
	for (int i = 0; i < 5; i++)
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
