/*
 * fork_pipe.c - three processes (parent, child, grandchild) of one
 * computation.  The parent streams sequence numbers to the child through
 * one pipe and the child echoes each back through another, so data is
 * in flight in both directions at any checkpoint; both check that no
 * number is lost, duplicated or reordered.  Every process checks that
 * its pid, ppid and process group stay what they were; the grandchild
 * runs in its own process group.  On the stop file the parent sends an
 * end marker, the child stops and reaps the grandchild, and the parent
 * reaps the child: every exit status is checked.
 */
#include "testprog.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define END_MARK UINT64_MAX

/* pgid: the group to be in, or -1: the parent's group */
static void check_ids(const char *who, pid_t pid, pid_t ppid, pid_t pgid)
{
	if (getpid() != pid || syscall(SYS_getpid) != pid)
		tp_fail("%s: pid changed from %d to %d", who, (int)pid,
			(int)getpid());
	if (getppid() != ppid)
		tp_fail("%s: ppid changed from %d to %d", who, (int)ppid,
			(int)getppid());
	if (pgid < 0 && getpgid(0) != getpgid(ppid))
		tp_fail("%s: no longer in its parent's group (%d vs %d)", who,
			(int)getpgid(0), (int)getpgid(ppid));
	if (pgid >= 0 && getpgid(0) != pgid)
		tp_fail("%s: pgid changed from %d to %d", who, (int)pgid,
			(int)getpgid(0));
}

static void grandchild(void)
{
	pid_t pid = getpid(), ppid = getppid();

	setpgid(0, 0);
	for (;;) {
		check_ids("grandchild", pid, ppid, pid);
		tp_sleep_ms(20);
	}
}

static int read_u64(int fd, uint64_t *v)
{
	return tp_read_full(fd, v, sizeof(*v)) == sizeof(*v) ? 0 : -1;
}

static int write_u64(int fd, uint64_t v)
{
	return tp_write_full(fd, &v, sizeof(v));
}

static void child(int in, int out)
{
	pid_t pid = getpid(), ppid = getppid(), pgid = -1;
	pid_t gc = fork();
	uint64_t expect = 0, v;
	int st;

	if (gc < 0)
		tp_fail("fork grandchild: %s", strerror(errno));
	if (gc == 0)
		grandchild();
	setpgid(gc, gc);
	for (;;) {
		if (read_u64(in, &v) < 0)
			tp_fail("child: pipe from parent closed at %llu",
				(unsigned long long)expect);
		if (v == END_MARK)
			break;
		if (v != expect)
			tp_fail("child: got %llu, expected %llu (lost or "
				"reordered data)", (unsigned long long)v,
				(unsigned long long)expect);
		if (write_u64(out, v) < 0)
			tp_fail("child: echo failed: %s", strerror(errno));
		expect++;
		if (expect % 64 == 0)
			check_ids("child", pid, ppid, pgid);
	}
	if (getpgid(gc) != gc)
		tp_fail("child: grandchild's group is %d, not %d",
			(int)getpgid(gc), (int)gc);
	kill(gc, SIGTERM);
	if (waitpid(gc, &st, 0) != gc || !WIFSIGNALED(st) ||
	    WTERMSIG(st) != SIGTERM)
		tp_fail("child: grandchild %d did not end by SIGTERM (status "
			"%#x)", (int)gc, st);
	printf("child %d: %llu numbers echoed\n", (int)pid,
	       (unsigned long long)expect);
	exit(0);
}

int main(void)
{
	int to, from, st;
	pid_t pid = getpid(), ppid = getppid(), c;
	uint64_t sent = 0, echoed = 0, v;

	tp_init("fork_pipe");
	c = tp_fork_piped(child, &to, &from);
	tp_ready();
	while (!tp_should_stop()) {
		/* keep up to 32 numbers in flight */
		while (sent - echoed < 32)
			if (write_u64(to, sent++) < 0)
				tp_fail("parent: write: %s", strerror(errno));
		if (read_u64(from, &v) < 0)
			tp_fail("parent: pipe from child closed");
		if (v != echoed)
			tp_fail("parent: echo %llu, expected %llu",
				(unsigned long long)v,
				(unsigned long long)echoed);
		echoed++;
		if (echoed % 64 == 0 && (getpid() != pid || getppid() != ppid))
			tp_fail("parent: pid/ppid changed");
		tp_sleep_ms(1);
	}
	while (echoed < sent) {
		if (read_u64(from, &v) < 0 || v != echoed)
			tp_fail("parent: draining echoes at %llu",
				(unsigned long long)echoed);
		echoed++;
	}
	if (write_u64(to, END_MARK) < 0)
		tp_fail("parent: end marker: %s", strerror(errno));
	if (waitpid(c, &st, 0) != c)
		tp_fail("parent: waitpid(%d): %s", (int)c, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		tp_fail("parent: child %d ended with status %#x", (int)c, st);
	printf("parent: %llu numbers round trip\n", (unsigned long long)sent);
	tp_pass();
}
