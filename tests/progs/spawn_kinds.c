/*
 * spawn_kinds.c - children created every way a program can: fork,
 * vfork+exec, clone() used as fork, posix_spawn, system() and popen()
 * (tests/e2e/test-spawn_kinds.sh).  Each child is a long-running process
 * that must be under checkpoint control and survive the restarts:
 *   - "worker" children (fork, clone) run this program's own loop: they
 *     check a private memory pattern and that getpid()/getppid() keep
 *     their values;
 *   - exec'd children (vfork+exec, posix_spawn, system, popen) run this
 *     program again with "child KIND": the same loop, reporting through
 *     their exit status (and popen's through its pipe: "child ok").
 * The parent checks at the end that every child exited 0 (popen: also
 * printed "ok"), and that the number of processes the coordinator saw is
 * what it expects (the e2e test checks NUM_PEERS).
 */

#include "testprog.h"

#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static int child_loop(const char *kind)
{
	uint64_t pattern[1024], seed = 0x5eed ^ (uint64_t)getpid();
	pid_t me = getpid(), parent = getppid();

	for (int i = 0; i < 1024; i++)
		pattern[i] = tp_rand(&seed);
	while (!tp_should_stop()) {
		uint64_t s = 0x5eed ^ (uint64_t)me;

		for (int i = 0; i < 1024; i++)
			if (pattern[i] != tp_rand(&s)) {
				fprintf(stderr, "%s child: pattern changed\n",
					kind);
				return 1;
			}
		if (getpid() != me || getppid() != parent) {
			fprintf(stderr, "%s child: pid %d ppid %d, expected "
				"%d %d\n", kind, getpid(), getppid(), me,
				parent);
			return 1;
		}
		tp_sleep_ms(15);
	}
	return 0;
}

static char clone_stack[256 * 1024] __attribute__((aligned(16)));

static int clone_fn(void *arg)
{
	_exit(child_loop((const char *)arg));
}

int main(int argc, char **argv)
{
	char self[4096], cmd[8300];
	pid_t kids[5];
	const char *names[5] = { "fork", "vfork", "clone", "posix_spawn",
				 "system" };
	FILE *pop;
	char line[64] = "";
	ssize_t n;
	int st, nk = 0;

	tp_init("spawn_kinds");
	if (argc == 3 && !strcmp(argv[1], "child"))
		return child_loop(argv[2]);

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	TP_CHECK(n > 0, "readlink: %s", strerror(errno));
	self[n] = 0;

	kids[nk] = fork();
	TP_CHECK(kids[nk] >= 0, "fork: %s", strerror(errno));
	if (kids[nk] == 0)
		_exit(child_loop("fork"));
	nk++;

	kids[nk] = vfork();
	TP_CHECK(kids[nk] >= 0, "vfork: %s", strerror(errno));
	if (kids[nk] == 0) {
		execl(self, self, "child", "vfork", (char *)NULL);
		_exit(127);
	}
	nk++;

	kids[nk] = clone(clone_fn, clone_stack + sizeof(clone_stack),
			 SIGCHLD, (void *)"clone");
	TP_CHECK(kids[nk] > 0, "clone: %s", strerror(errno));
	nk++;

	{
		char *args[] = { self, "child", "posix_spawn", NULL };

		TP_CHECK(posix_spawn(&kids[nk], self, NULL, NULL, args,
				     environ) == 0, "posix_spawn failed");
		nk++;
	}

	/* system() blocks: run it from a forked helper that reports its
	   status as its own */
	kids[nk] = fork();
	TP_CHECK(kids[nk] >= 0, "fork: %s", strerror(errno));
	if (kids[nk] == 0) {
		snprintf(cmd, sizeof(cmd), "'%s' child system", self);
		st = system(cmd);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
	}
	nk++;

	snprintf(cmd, sizeof(cmd), "'%s' child popen && echo ok", self);
	pop = popen(cmd, "r");
	TP_CHECK(pop != NULL, "popen: %s", strerror(errno));

	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(20);
	for (int i = 0; i < nk; i++) {
		TP_CHECK(waitpid(kids[i], &st, 0) == kids[i], "waitpid %s: %s",
			 names[i], strerror(errno));
		TP_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			 "%s child: status %#x", names[i], st);
	}
	TP_CHECK(fgets(line, sizeof(line), pop) && !strcmp(line, "ok\n"),
		 "popen child said '%s'", line);
	TP_CHECK(pclose(pop) == 0, "popen child failed");
	tp_pass();
}
