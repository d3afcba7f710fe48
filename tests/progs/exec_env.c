/*
 * exec_env.c - programs that exec with an environment of their own.
 *
 * "exec_env" (the parent): first an execve that fails (a missing
 * program, with a replaced environment) must change nothing: environ,
 * LD_PRELOAD and the process's checkpointability stay as they were.  Then
 * a child execs this program again ("exec_env child") with a replaced
 * environment that sets its own LD_PRELOAD to a library that does not
 * exist (as sandboxes, test harnesses and injecting tools do).  The child
 * must stay in the computation: it sends a sequence number to the parent
 * through a pipe every ~10 ms, which the parent checks (no gap, no
 * repeat) through every checkpoint and restart; at the stop file the
 * child checks that its LD_PRELOAD is ours first and then its own entry,
 * that its own variable survived, and reports its checkpoint/restart
 * counts ("CHILD ckpts=C restarts=R": a child left out of the
 * computation would show restarts=0 or never get here).
 *
 * "exec_env raw": the child leaves through a raw execve system call with
 * an empty environment (no wrapper sees it) into /bin/sleep; the parent
 * prints "RAWCHILD <pid>" and runs on.  The tool must notice (the test
 * checks that a checkpoint fails naming the process).
 */
#include "testprog.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define OWN_PRELOAD "/nonexistent/libinject-by-harness.so"
#define OWN_VAR "EXEC_ENV_OWN=kept"

extern char **environ;

static int child_main(void)
{
	const char *pre = getenv("LD_PRELOAD"), *own = getenv("EXEC_ENV_OWN");
	const char *stop = getenv("TEST_STOP_FILE");
	const char *fdv = getenv("EXEC_ENV_FD");
	uint64_t seq = 0;
	int fd, c, r;

	tp_init("exec_env-child");
	TP_CHECK(fdv != NULL, "EXEC_ENV_FD missing");
	fd = atoi(fdv);
	TP_CHECK(stop != NULL, "TEST_STOP_FILE missing in the child");
	while (!tp_should_stop()) {
		seq++;
		if (tp_write_full(fd, &seq, sizeof(seq)) < 0)
			tp_fail("write to parent: %s", strerror(errno));
		tp_sleep_ms(10);
	}
	/* ours first (libdmtcp), then the program's own entry */
	TP_CHECK(pre && strstr(pre, "libdmtcp"), "LD_PRELOAD=%s", pre ? pre : "(unset)");
	TP_CHECK(strstr(pre, OWN_PRELOAD) != NULL, "own entry lost: %s", pre);
	TP_CHECK(strstr(pre, "libdmtcp") < strstr(pre, OWN_PRELOAD),
		 "order: %s", pre);
	TP_CHECK(own && strcmp(own, "kept") == 0, "EXEC_ENV_OWN=%s",
		 own ? own : "(unset)");
	tp_status(&c, &r);
	printf("CHILD ckpts=%d restarts=%d seq=%llu\n", c, r,
	       (unsigned long long)seq);
	fflush(stdout);
	return 0;
}

/* A failed execve with a replaced environment changes nothing. */
static void failed_exec(void)
{
	char **before = environ, *pre = getenv("LD_PRELOAD");
	char saved[4096];
	size_t n = 0;
	char *argv[] = { "missing", NULL };
	char *envp[] = { "LD_PRELOAD=" OWN_PRELOAD, "X=1", NULL };

	snprintf(saved, sizeof(saved), "%s", pre ? pre : "");
	for (char **e = environ; *e; e++)
		n++;
	errno = 0;
	TP_CHECK(execve("/nonexistent/program", argv, envp) == -1 &&
		 errno == ENOENT, "execve of a missing program: errno %d", errno);
	TP_CHECK(environ == before, "environ moved");
	for (char **e = environ; *e; e++)
		n--;
	TP_CHECK(n == 0, "environ changed size");
	pre = getenv("LD_PRELOAD");
	TP_CHECK(strcmp(saved, pre ? pre : "") == 0, "LD_PRELOAD now %s", pre);
	TP_CHECK(getenv("X") == NULL, "the failed exec's variable leaked");
}

static int parent_main(int raw)
{
	char self[4096], fdvar[32], stopvar[4200], maxvar[64];
	const char *stop = getenv("TEST_STOP_FILE");
	const char *maxs = getenv("TEST_MAX_SECONDS");
	uint64_t expect = 1, got;
	int p[2], status;
	pid_t pid;

	tp_init(raw ? "exec_env-raw" : "exec_env");
	failed_exec();
	TP_CHECK(pipe(p) == 0, "pipe");
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);

	TP_CHECK(sl > 0, "readlink");
	self[sl] = 0;
	pid = fork();
	TP_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(p[0]);
		if (raw) {
			char *argv[] = { "sleep", "600", NULL };
			char *envp[] = { NULL };

			syscall(SYS_execve, "/bin/sleep", argv, envp);
			_exit(127);
		}
		snprintf(fdvar, sizeof(fdvar), "EXEC_ENV_FD=%d", p[1]);
		snprintf(stopvar, sizeof(stopvar), "TEST_STOP_FILE=%s",
			 stop ? stop : "exec_env.stop");
		snprintf(maxvar, sizeof(maxvar), "TEST_MAX_SECONDS=%s",
			 maxs ? maxs : "900");
		char *argv[] = { self, "child", NULL };
		char *envp[] = { "LD_PRELOAD=" OWN_PRELOAD, OWN_VAR, fdvar,
				 stopvar, maxvar, "PATH=/usr/bin:/bin", NULL };

		execve(self, argv, envp);
		_exit(127);
	}
	close(p[1]);
	if (raw) {
		printf("RAWCHILD %d\n", (int)pid);
		fflush(stdout);
		tp_ready();
		while (!tp_should_stop())
			tp_sleep_ms(10);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		tp_pass();
	}
	/* the child's first number says it runs */
	TP_CHECK(tp_read_full(p[0], &got, sizeof(got)) == sizeof(got),
		 "no first number from the child");
	TP_CHECK(got == expect, "first number %llu", (unsigned long long)got);
	expect++;
	tp_ready();
	for (;;) {
		ssize_t n = tp_read_full(p[0], &got, sizeof(got));

		if (n == 0)
			break;
		TP_CHECK(n == sizeof(got), "short read from the child: %zd (%s)",
			 n, strerror(errno));
		TP_CHECK(got == expect, "child sent %llu, expected %llu",
			 (unsigned long long)got, (unsigned long long)expect);
		expect++;
	}
	TP_CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %s",
		 strerror(errno));
	TP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "child status %#x", status);
	TP_CHECK(tp_should_stop(), "the child stopped early");
	tp_pass();
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_main();
	return parent_main(argc > 1 && strcmp(argv[1], "raw") == 0);
}
