/*
 * pgid_sid.c - process groups and sessions (tests/e2e/test-pgid_sid.sh).
 * The launched process belongs to a group and a session whose leaders are
 * outside the computation (the test script's); its child makes a group
 * of its own and a grandchild joins it.  Each process checks, all the
 * time, that getpid, getppid, getpgrp and getsid keep their values, and
 * the parent that getpgid(child) and kill(-group, 0) still work.
 */
#include "testprog.h"

#include <signal.h>
#include <sys/wait.h>

struct ids {
	pid_t pid, ppid, pgid, sid;
};

static void ids_now(struct ids *i)
{
	i->pid = getpid();
	i->ppid = getppid();
	i->pgid = getpgrp();
	i->sid = getsid(0);
}

static void check_ids(const char *who, const struct ids *want)
{
	struct ids now;

	ids_now(&now);
	TP_CHECK(now.pid == want->pid && now.ppid == want->ppid &&
		 now.pgid == want->pgid && now.sid == want->sid,
		 "%s: pid/ppid/pgid/sid %d/%d/%d/%d, expected %d/%d/%d/%d",
		 who, now.pid, now.ppid, now.pgid, now.sid, want->pid,
		 want->ppid, want->pgid, want->sid);
}

static void member(const char *who)
{
	struct ids me;

	ids_now(&me);
	while (!tp_should_stop()) {
		check_ids(who, &me);
		tp_sleep_ms(15);
	}
	_exit(0);
}

int main(void)
{
	struct ids me;
	pid_t child, grandchild = -1;
	int p[2], st;

	tp_init("pgid_sid");
	ids_now(&me);
	TP_CHECK(pipe(p) == 0, "pipe");
	child = fork();
	TP_CHECK(child >= 0, "fork");
	if (child == 0) {
		TP_CHECK(setpgid(0, 0) == 0, "setpgid: %s", strerror(errno));
		grandchild = fork();
		if (grandchild == 0)
			member("grandchild");	/* in the child's group */
		TP_CHECK(write(p[1], &grandchild, sizeof(grandchild)) ==
			 sizeof(grandchild), "write");
		member("child");
	}
	TP_CHECK(read(p[0], &grandchild, sizeof(grandchild)) ==
		 sizeof(grandchild), "read");
	printf("ids pid=%d ppid=%d pgid=%d sid=%d child=%d\n", me.pid,
	       me.ppid, me.pgid, me.sid, child);
	tp_ready();
	while (!tp_should_stop()) {
		check_ids("parent", &me);
		TP_CHECK(getpgid(child) == child, "getpgid(child) = %d",
			 getpgid(child));
		TP_CHECK(getpgid(grandchild) == child,
			 "getpgid(grandchild) = %d", getpgid(grandchild));
		TP_CHECK(getsid(child) == me.sid, "getsid(child) = %d",
			 getsid(child));
		TP_CHECK(kill(-child, 0) == 0, "kill(-%d, 0): %s", child,
			 strerror(errno));
		tp_sleep_ms(15);
	}
	TP_CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0, "child status %#x", st);
	tp_pass();
}
