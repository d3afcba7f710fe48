/*
 * fork_churn.c - processes created without a pause, so checkpoints land
 * in the middle of fork, exec, posix_spawn and vfork+exec.  The parent
 * makes child after child, in turn: fork (the child answers itself),
 * fork + exec of this program, posix_spawn of it, vfork + exec of it.
 * Each child writes a token computed from its number into a pipe, lives
 * a few milliseconds and exits with a status computed from its number;
 * the parent reads the token and reaps the child with that status.  A
 * child left out of a checkpoint (or a program that left the
 * computation in its exec) shows after the restart as a missing token
 * (EOF) or a missing child (ECHILD): FAIL.  Two creator threads double
 * the rate and put a fork in one thread beside a checkpoint signal in
 * the other.
 */
#include "testprog.h"

#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>

#define NTHREADS 2

extern char **environ;

static char self[4096];
static const char *kinds[] = { "fork", "fork+exec", "posix_spawn",
			       "vfork+exec" };

static uint64_t token(uint64_t i)
{
	return (i * 2654435761u) ^ 0x5eed5eedULL;
}

static int write_all(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p = (const char *)p + n;
		len -= n;
	}
	return 0;
}

static void be_child(uint64_t i, int fd) __attribute__((noreturn));
static void be_child(uint64_t i, int fd)
{
	uint64_t t = token(i);

	if (write_all(fd, &t, sizeof(t)) < 0)
		_exit(101);
	tp_sleep_ms((long)(i * 7 % 6));
	_exit((int)(i % 100));
}

/* One child of kind i % 4; returns its pid. */
static pid_t create(uint64_t i, int wfd)
{
	char num[32], fdtxt[16];
	char *argv[] = { "fork_churn", "child", num, fdtxt, NULL };
	pid_t pid;
	int rc;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)i);
	snprintf(fdtxt, sizeof(fdtxt), "%d", wfd);
	switch (i % 4) {
	case 0:
		pid = fork();
		if (pid == 0)
			be_child(i, wfd);
		return pid;
	case 1:
		pid = fork();
		if (pid == 0) {
			execv(self, argv);
			_exit(102);
		}
		return pid;
	case 2:
		rc = posix_spawn(&pid, self, NULL, NULL, argv, environ);
		if (rc)
			tp_fail("posix_spawn: %s", strerror(rc));
		return pid;
	default:
		pid = vfork();
		if (pid == 0) {
			execv(self, argv);
			_exit(102);
		}
		return pid;
	}
}

static void *creator(void *arg)
{
	uint64_t i = (uint64_t)(uintptr_t)arg, made = 0;

	while (!tp_should_stop()) {
		int p[2], st;
		uint64_t t = 0;
		size_t got = 0;
		pid_t pid, w;

		if (pipe(p) < 0)
			tp_fail("pipe: %s", strerror(errno));
		pid = create(i, p[1]);
		if (pid < 0)
			tp_fail("%s of child %llu: %s", kinds[i % 4],
				(unsigned long long)i, strerror(errno));
		close(p[1]);
		while (got < sizeof(t)) {
			ssize_t n = read(p[0], (char *)&t + got,
					 sizeof(t) - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				tp_fail("child %llu (%s, pid %d): no token "
					"(read: %s)", (unsigned long long)i,
					kinds[i % 4], (int)pid,
					n < 0 ? strerror(errno) : "EOF");
			got += n;
		}
		close(p[0]);
		if (t != token(i))
			tp_fail("child %llu (%s): token %#llx, expected %#llx",
				(unsigned long long)i, kinds[i % 4],
				(unsigned long long)t,
				(unsigned long long)token(i));
		while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
			;
		if (w != pid)
			tp_fail("child %llu (%s, pid %d) cannot be reaped: %s",
				(unsigned long long)i, kinds[i % 4], (int)pid,
				strerror(errno));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != (int)(i % 100))
			tp_fail("child %llu (%s, pid %d): status %#x, expected "
				"exit %d", (unsigned long long)i, kinds[i % 4],
				(int)pid, st, (int)(i % 100));
		i += NTHREADS;
		made++;
	}
	return (void *)(uintptr_t)made;
}

int main(int argc, char **argv)
{
	pthread_t th[NTHREADS];
	uint64_t total = 0;
	ssize_t n;

	if (argc == 4 && strcmp(argv[1], "child") == 0)
		be_child(strtoull(argv[2], NULL, 10), atoi(argv[3]));
	tp_init("fork_churn");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		tp_fail("readlink /proc/self/exe: %s", strerror(errno));
	self[n] = 0;
	tp_ready();
	for (int k = 0; k < NTHREADS; k++)
		if (pthread_create(&th[k], NULL, creator,
				   (void *)(uintptr_t)k) != 0)
			tp_fail("pthread_create failed");
	for (int k = 0; k < NTHREADS; k++) {
		void *made;

		pthread_join(th[k], &made);
		total += (uint64_t)(uintptr_t)made;
	}
	printf("created %llu children\n", (unsigned long long)total);
	if (total < 20)
		tp_fail("only %llu children were created",
			(unsigned long long)total);
	tp_pass();
}
