/*
 * testprog.h - shared helpers for the end-to-end checkpoint test programs.
 *
 * Protocol every program follows: set up state, print READY, loop doing
 * work every ~10-20 ms, and when the file named by $TEST_STOP_FILE exists
 * verify everything and print "PASS <name> ckpts=<c> restarts=<r>" (exit 0)
 * or "FAIL <name>: <what>" (exit 1).  Header-only: every program is one .c
 * file plus this header.  Failure reporting is async-signal-safe enough to
 * be used from any thread (one write() of the whole line, then _exit).
 */
#ifndef TESTPROG_H
#define TESTPROG_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmtcp.h"

static const char *tp_name = "?";
static const char *tp_stop_file;
static double tp_deadline;

static inline double tp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void tp_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
							   noreturn));
static void tp_fail(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	fflush(stdout);
	n = snprintf(buf, sizeof(buf), "FAIL %s: ", tp_name);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 2, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0 || !isatty(STDERR_FILENO))
		(void)!write(STDERR_FILENO, buf, n);
	_exit(1);
}

/* Checks a condition, failing with the stringified expression and a note. */
#define TP_CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			char tp_msg_[512];				\
			snprintf(tp_msg_, sizeof(tp_msg_), __VA_ARGS__); \
			tp_fail("%s:%d: %s (%s)", __FILE__, __LINE__,	\
				tp_msg_, #cond);			\
		}							\
	} while (0)

/*
 * Reads the environment.  TEST_STOP_FILE defaults to "<name>.stop" in the
 * current directory; TEST_MAX_SECONDS (default 900) is a safety net so a
 * forgotten program does not run forever.
 */
static void tp_init(const char *name)
{
	const char *s;

	tp_name = name;
	tp_stop_file = getenv("TEST_STOP_FILE");
	if (!tp_stop_file || !*tp_stop_file) {
		static char def[256];

		snprintf(def, sizeof(def), "%s.stop", name);
		tp_stop_file = def;
		fprintf(stderr, "%s: TEST_STOP_FILE not set, using %s\n",
			name, def);
	}
	s = getenv("TEST_MAX_SECONDS");
	tp_deadline = tp_now() + (s ? atof(s) : 900.0);
}

static void tp_ready(void)
{
	printf("READY\n");
	fflush(stdout);
}

/* True once the stop file exists.  Fails when the safety deadline passed. */
static int tp_should_stop(void)
{
	if (access(tp_stop_file, F_OK) == 0)
		return 1;
	if (tp_now() > tp_deadline)
		tp_fail("stop file %s never appeared (TEST_MAX_SECONDS)",
			tp_stop_file);
	return 0;
}

/* Sleeps about ms milliseconds; an interrupted sleep is simply resumed. */
static inline void tp_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Checkpoint/restart counters, 0/0 when running without the tool. */
static void tp_status(int *ckpts, int *restarts)
{
	*ckpts = 0;
	*restarts = 0;
	if (dmtcp_get_local_status(ckpts, restarts) != DMTCP_IS_PRESENT) {
		*ckpts = 0;
		*restarts = 0;
	}
}

static void tp_pass(void) __attribute__((noreturn));
static void tp_pass(void)
{
	int c, r;

	tp_status(&c, &r);
	printf("PASS %s ckpts=%d restarts=%d\n", tp_name, c, r);
	fflush(stdout);
	exit(0);
}

/*
 * Reads len bytes, retrying interrupted and short reads: len, fewer at
 * end of file, or -1 (errno set).
 */
static inline ssize_t tp_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return (ssize_t)got;
}

/* Writes len bytes, retrying interrupted and short writes: 0 or -1. */
static inline int tp_write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * The directory for the program's files: $TEST_WORKDIR, else the directory
 * of the stop file (at most 2047 bytes of it, so that a file name fits
 * after it in the callers' 3 and 4 KiB buffers).
 */
static inline const char *tp_workdir(void)
{
	static char dir[2048];
	const char *wd = getenv("TEST_WORKDIR");
	char *slash;

	if (wd && *wd)
		return wd;
	snprintf(dir, sizeof(dir), "%s", tp_stop_file);
	slash = strrchr(dir, '/');
	if (!slash)
		return ".";
	slash[slash == dir] = '\0';	/* "/x" -> "/" */
	return dir;
}

/*
 * Forks a child joined to the parent by two pipes: the child runs
 * child(in, out) on the read end of the first and the write end of the
 * second, and must not return; the parent gets the other ends in *to and
 * *from.  Returns the child's pid.
 */
static inline pid_t tp_fork_piped(void (*child)(int in, int out), int *to,
				  int *from)
{
	int down[2], up[2];
	pid_t c;

	if (pipe(down) < 0 || pipe(up) < 0)
		tp_fail("pipe: %s", strerror(errno));
	fflush(stdout);
	c = fork();
	if (c < 0)
		tp_fail("fork: %s", strerror(errno));
	if (c == 0) {
		close(down[1]);
		close(up[0]);
		child(down[0], up[1]);
		_exit(1);	/* not reached */
	}
	close(down[0]);
	close(up[1]);
	*to = down[1];
	*from = up[0];
	return c;
}

/*
 * Two counters a child increments in memory it shares with us, read again
 * as a and b (the previous reads in last[2], 0 at first): they never go
 * back, and do not stand still for more than max_stalls reads in a row
 * (*stalls counts them; a checkpoint stops the child for a while).  what
 * names the memory in the message.
 */
static inline void tp_shared_counters(uint64_t a, uint64_t b,
				      uint64_t last[2], int *stalls,
				      int max_stalls, const char *what)
{
	if (a < last[0] || b < last[1])
		tp_fail("shared counters went back (%llu<%llu or %llu<%llu)",
			(unsigned long long)a, (unsigned long long)last[0],
			(unsigned long long)b, (unsigned long long)last[1]);
	if (a == last[0] || b == last[1]) {
		if (++*stalls > max_stalls)
			tp_fail("counters stopped moving: %s no longer "
				"shared with the child", what);
	} else {
		*stalls = 0;
	}
	last[0] = a;
	last[1] = b;
}

/*
 * TP_PARKED_THREAD(attr, start, wait, name, stop, ms) defines a thread
 * start function `start` that names its thread `name`, then sleeps in a
 * frame of its own, `wait`, ms milliseconds at a time until `stop` is
 * true: a debugger's backtrace shows both by name.  attr keeps them
 * separate frames (noinline, noclone); give each thread another ms, so
 * that the compiler cannot fold identical functions into one.  Needs
 * <pthread.h>.
 */
#define TP_PARKED_THREAD(attr, start, wait, name, stop, ms)		\
	attr static void wait(void)					\
	{								\
		while (!(stop))						\
			tp_sleep_ms(ms);				\
	}								\
	attr static void *start(void *arg)				\
	{								\
		(void)arg;						\
		pthread_setname_np(pthread_self(), name);		\
		wait();							\
		return NULL;						\
	}

/* splitmix64: small deterministic PRNG. */
static inline uint64_t tp_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif /* TESTPROG_H */
