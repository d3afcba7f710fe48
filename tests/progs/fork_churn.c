/*
 * fork_churn.c - processes created without a pause, so checkpoints land
 * in the middle of fork, exec, posix_spawn and vfork+exec.  The parent
 * makes child after child, in turn: fork (the child answers itself),
 * fork + exec of this program, posix_spawn of it, vfork + exec of it,
 * system() and popen() running it through the shell.  Each child writes
 * a token computed from its number into a pipe (popen's own pipe for
 * popen), lives a few milliseconds and exits with a status computed from
 * its number; the parent reads the token and reaps the child with that
 * status (system and pclose return it).  A
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
#define NKINDS 6
static const char *kinds[NKINDS] = { "fork", "fork+exec", "posix_spawn",
				     "vfork+exec", "system", "popen" };

static uint64_t token(uint64_t i)
{
	return (i * 2654435761u) ^ 0x5eed5eedULL;
}

static void be_child(uint64_t i, int fd) __attribute__((noreturn));
static void be_child(uint64_t i, int fd)
{
	uint64_t t = token(i);

	if (tp_write_full(fd, &t, sizeof(t)) < 0)
		_exit(101);
	tp_sleep_ms((long)(i * 7 % 6));
	_exit((int)(i % 100));
}

static void check_status(uint64_t i, pid_t pid, int st)
{
	if (!WIFEXITED(st) || WEXITSTATUS(st) != (int)(i % 100))
		tp_fail("child %llu (%s, pid %d): status %#x, expected "
			"exit %d", (unsigned long long)i, kinds[i % NKINDS],
			(int)pid, st, (int)(i % 100));
}

static void read_token(uint64_t i, pid_t pid, int fd)
{
	uint64_t t = 0;
	ssize_t n = tp_read_full(fd, &t, sizeof(t));

	if (n != sizeof(t))
		tp_fail("child %llu (%s, pid %d): no token (read: %s)",
			(unsigned long long)i, kinds[i % NKINDS], (int)pid,
			n < 0 ? strerror(errno) : "EOF");
	if (t != token(i))
		tp_fail("child %llu (%s): token %#llx, expected %#llx",
			(unsigned long long)i, kinds[i % NKINDS],
			(unsigned long long)t, (unsigned long long)token(i));
}

/* Kinds 4 and 5: through the shell; the child is reaped here. */
static void by_shell(uint64_t i, int rfd, int wfd)
{
	char cmd[4400];
	FILE *f;
	int st;

	if (i % NKINDS == 4) {
		snprintf(cmd, sizeof(cmd), "exec '%s' child %llu %d", self,
			 (unsigned long long)i, wfd);
		st = system(cmd);
		close(wfd);
		read_token(i, -1, rfd);
		check_status(i, -1, st);
		return;
	}
	close(wfd);
	snprintf(cmd, sizeof(cmd), "exec '%s' child %llu 1", self,
		 (unsigned long long)i);
	f = popen(cmd, "r");
	if (!f)
		tp_fail("popen: %s", strerror(errno));
	read_token(i, -1, fileno(f));
	st = pclose(f);
	check_status(i, -1, st);
}

/* One child of kind i % NKINDS (0-3); returns its pid. */
static pid_t create(uint64_t i, int wfd)
{
	char num[32], fdtxt[16];
	char *argv[] = { "fork_churn", "child", num, fdtxt, NULL };
	pid_t pid;
	int rc;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)i);
	snprintf(fdtxt, sizeof(fdtxt), "%d", wfd);
	switch (i % NKINDS) {
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
	case 3:
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
		pid_t pid, w;

		if (pipe(p) < 0)
			tp_fail("pipe: %s", strerror(errno));
		if (i % NKINDS >= 4) {
			by_shell(i, p[0], p[1]);
			close(p[0]);
			i += NTHREADS;
			made++;
			continue;
		}
		pid = create(i, p[1]);
		if (pid < 0)
			tp_fail("%s of child %llu: %s", kinds[i % NKINDS],
				(unsigned long long)i, strerror(errno));
		close(p[1]);
		read_token(i, pid, p[0]);
		close(p[0]);
		while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
			;
		if (w != pid)
			tp_fail("child %llu (%s, pid %d) cannot be reaped: %s",
				(unsigned long long)i, kinds[i % NKINDS],
				(int)pid, strerror(errno));
		check_status(i, pid, st);
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
