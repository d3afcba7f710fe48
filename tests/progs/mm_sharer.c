/*
 * mm_sharer.c - a process whose memory map changes during checkpoints
 * because something the checkpoint cannot stop shares it: a child made
 * with clone(CLONE_VM) (not a thread of ours, so never frozen) maps and
 * unmaps pages in our address space without a pause.  Checkpoints then
 * must fail with a message instead of crashing or writing an image of a
 * memory map that never existed.  When the file "quiet" appears in
 * $TEST_WORKDIR the child is stopped and reaped ("QUIET" on stdout);
 * checkpoints work again.  The program checks 4 MiB of heap data and
 * what the child wrote before it stopped, in its loop and at the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* clone */
#endif
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "testprog.h"

#define WORDS	(512 * 1024)	/* 4 MiB of heap */
#define SLOTS	8

static uint64_t *data;
static volatile int quiet;		/* set by us, read by the child */
static volatile long child_rounds;	/* written by the child */
static void *slot[SLOTS];
static size_t slot_len[SLOTS];

static uint64_t val(size_t i)
{
	uint64_t s = i * 0x9e37ull + 17;

	return tp_rand(&s);
}

/* Runs in the CLONE_VM child: raw system calls only (shared TLS). */
static int churn(void *arg)
{
	long n = 0;

	(void)arg;
	while (!quiet) {
		int i = (int)(n % SLOTS);
		long p;

		if (slot[i])
			syscall(SYS_munmap, slot[i], slot_len[i]);
		slot_len[i] = (size_t)(2 + n % 7) * 4096;
		p = syscall(SYS_mmap, NULL, slot_len[i],
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		slot[i] = p < 0 ? NULL : (void *)p;
		if (slot[i])
			*(volatile long *)slot[i] = n;
		child_rounds = ++n;
	}
	syscall(SYS_exit, 0);
	return 0;
}

static void check(const char *when)
{
	for (size_t i = 0; i < WORDS; i += 61)
		if (data[i] != val(i))
			tp_fail("%s: heap word %zu is %#llx, expected %#llx",
				when, i, (unsigned long long)data[i],
				(unsigned long long)val(i));
}

int main(void)
{
	char qpath[4096];
	void *stack;
	pid_t child;
	int status;

	tp_init("mm_sharer");
	snprintf(qpath, sizeof(qpath), "%s/quiet", tp_workdir());
	data = malloc(WORDS * sizeof(*data));
	if (!data)
		tp_fail("malloc");
	for (size_t i = 0; i < WORDS; i++)
		data[i] = val(i);
	stack = mmap(NULL, 256 << 10, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		tp_fail("mmap stack: %s", strerror(errno));
	child = clone(churn, (char *)stack + (256 << 10), CLONE_VM | SIGCHLD,
		      NULL);
	if (child < 0)
		tp_fail("clone(CLONE_VM): %s", strerror(errno));
	while (child_rounds < 100)
		tp_sleep_ms(1);
	tp_ready();
	while (!tp_should_stop()) {
		check("loop");
		if (child > 0 && access(qpath, F_OK) == 0) {
			long before;

			quiet = 1;
			if (waitpid(child, &status, 0) != child ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				tp_fail("churning child %d: status %#x", child,
					status);
			child = 0;
			before = child_rounds;
			/* what it mapped last is still there, with its mark */
			for (int i = 0; i < SLOTS; i++)
				if (slot[i] && *(volatile long *)slot[i] >=
					       before)
					tp_fail("slot %d says %ld, the child "
						"did %ld rounds", i,
						*(volatile long *)slot[i],
						before);
			printf("QUIET after %ld rounds\n", before);
			fflush(stdout);
		}
		tp_sleep_ms(10);
	}
	check("final");
	if (child > 0)
		tp_fail("the stop file came before %s", qpath);
	for (int i = 0; i < SLOTS; i++)
		if (slot[i] && *(volatile long *)slot[i] >= child_rounds)
			tp_fail("after the restarts slot %d says %ld, the "
				"child did %ld rounds", i,
				*(volatile long *)slot[i], child_rounds);
	tp_pass();
}
