/*
 * txn_pair.c - two processes whose state is only consistent as a whole
 * (tests/e2e/test-ckpt-txn-*.sh: a checkpoint commits all its images or
 * none, and a failed one leaves the previous set restartable).
 *
 * The parent sends sequence numbers to the child through a pipe (up to 8
 * in flight); the child checks each (no gap, no repeat), stores it in a
 * SysV shared memory segment, sends it back through a SysV message queue
 * and echoes it through a second pipe; the parent checks the echo, the
 * queue and the segment against its own count.  So both images have a
 * side file (.ipc), and images of two different checkpoints never fit
 * together (the child would see a gap or a repeat).  Each process also
 * keeps a 2 MiB heap pattern derived from its role, checked after every
 * restart and at the end, and the segment holds a pattern the child
 * checks.
 *
 * Lines for the tests: on stdout "PIDS <parent> <child>" and "IPC
 * shm=<id> msg=<id>" before READY (nothing else until the end, so a test
 * can cut stdout back to where a checkpoint found it); in $TXN_LOG
 * (opened O_APPEND; default stdout)
 *   CKPT <role> ckpts=<c> gen=<g> seq=<n>           after a checkpoint
 *   RESTORED <role> pid=<pid> gen=<g> seq=<n>       after a restart
 * where gen is dmtcp_get_generation(): after a restart, the generation of
 * the image the process came back from.
 */
#include "testprog.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define END_MARK UINT64_MAX
#define IN_FLIGHT 8
#define HEAP_WORDS ((2u << 20) / 8)
#define SHM_WORDS (64u << 10)

struct seg {
	volatile uint64_t child_seq;
	uint64_t pattern[SHM_WORDS];
};

struct qmsg {
	long type;
	uint64_t seq;
};

static struct seg *seg;
static int msq, logfd = STDOUT_FILENO;
static uint64_t *heap;

static uint64_t gen(void)
{
	return dmtcp_get_generation ? dmtcp_get_generation() : 0;
}

static void heap_fill(uint64_t seed)
{
	heap = malloc(HEAP_WORDS * 8);
	if (!heap)
		tp_fail("malloc: %s", strerror(errno));
	for (size_t i = 0; i < HEAP_WORDS; i++)
		heap[i] = tp_rand(&seed);
}

static void heap_check(const char *who, uint64_t seed)
{
	for (size_t i = 0; i < HEAP_WORDS; i++)
		if (heap[i] != tp_rand(&seed))
			tp_fail("%s: heap word %zu changed", who, i);
}

static void seg_check(const char *who)
{
	uint64_t seed = 77;

	for (size_t i = 0; i < SHM_WORDS; i++)
		if (seg->pattern[i] != tp_rand(&seed))
			tp_fail("%s: shared memory word %zu changed", who, i);
}

/*
 * Prints CKPT / RESTORED when the counts changed since last time.  A
 * failed checkpoint leaves the checkpoint count as it was.
 */
static void report(const char *who, int *ckpts, int *restarts, uint64_t seq,
		   uint64_t seed)
{
	int c, r;

	tp_status(&c, &r);
	if (r != *restarts) {
		heap_check(who, seed);
		seg_check(who);
		dprintf(logfd, "RESTORED %s pid=%d gen=%llu seq=%llu\n",
			who, (int)getpid(), (unsigned long long)gen(),
			(unsigned long long)seq);
	} else if (c != *ckpts) {
		dprintf(logfd, "CKPT %s ckpts=%d gen=%llu seq=%llu\n", who, c,
			(unsigned long long)gen(), (unsigned long long)seq);
	}
	*ckpts = c;
	*restarts = r;
}

static void child(int in, int out)
{
	uint64_t expect = 0, v;
	int ckpts, restarts;

	heap_fill(2);
	tp_status(&ckpts, &restarts);
	for (;;) {
		struct qmsg m = { 1, 0 };

		if (tp_read_full(in, &v, sizeof(v)) != sizeof(v))
			tp_fail("child: pipe from parent closed at %llu",
				(unsigned long long)expect);
		report("child", &ckpts, &restarts, expect, 2);
		if (v == END_MARK)
			break;
		if (v != expect)
			tp_fail("child: got %llu, expected %llu (state of two "
				"different checkpoints?)",
				(unsigned long long)v,
				(unsigned long long)expect);
		seg->child_seq = v;
		m.seq = v;
		while (msgsnd(msq, &m, sizeof(m.seq), 0) < 0)
			if (errno != EINTR)
				tp_fail("child: msgsnd: %s", strerror(errno));
		if (tp_write_full(out, &v, sizeof(v)) < 0)
			tp_fail("child: echo: %s", strerror(errno));
		expect++;
	}
	heap_check("child", 2);
	seg_check("child");
	exit(0);
}

int main(void)
{
	int to, from, st, shm, ckpts, restarts;
	uint64_t sent = 0, echoed = 0, v, seed = 77;
	pid_t c;

	tp_init("txn_pair");
	if (getenv("TXN_LOG")) {
		logfd = open(getenv("TXN_LOG"), O_WRONLY | O_CREAT | O_APPEND |
			     O_CLOEXEC, 0644);
		if (logfd < 0)
			tp_fail("%s: %s", getenv("TXN_LOG"), strerror(errno));
	}
	shm = shmget(IPC_PRIVATE, sizeof(struct seg), IPC_CREAT | 0600);
	msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (shm < 0 || msq < 0)
		tp_fail("shmget/msgget: %s", strerror(errno));
	seg = shmat(shm, NULL, 0);
	if (seg == (void *)-1)
		tp_fail("shmat: %s", strerror(errno));
	for (size_t i = 0; i < SHM_WORDS; i++)
		seg->pattern[i] = tp_rand(&seed);
	c = tp_fork_piped(child, &to, &from);
	heap_fill(1);
	printf("PIDS %d %d\nIPC shm=%d msg=%d\n", (int)getpid(), (int)c, shm,
	       msq);
	tp_ready();
	tp_status(&ckpts, &restarts);
	while (!tp_should_stop()) {
		struct qmsg m;

		while (sent - echoed < IN_FLIGHT)
			if (tp_write_full(to, &sent, sizeof(sent)) < 0)
				tp_fail("parent: write: %s", strerror(errno));
			else
				sent++;
		if (tp_read_full(from, &v, sizeof(v)) != sizeof(v))
			tp_fail("parent: pipe from child closed at %llu",
				(unsigned long long)echoed);
		if (v != echoed)
			tp_fail("parent: echo %llu, expected %llu",
				(unsigned long long)v,
				(unsigned long long)echoed);
		while (msgrcv(msq, &m, sizeof(m.seq), 0, 0) < 0)
			if (errno != EINTR)
				tp_fail("parent: msgrcv: %s", strerror(errno));
		if (m.seq != echoed)
			tp_fail("parent: queue says %llu, pipe %llu",
				(unsigned long long)m.seq,
				(unsigned long long)echoed);
		if (seg->child_seq < echoed || seg->child_seq >= sent)
			tp_fail("parent: shared memory says %llu, expected "
				"%llu..%llu", (unsigned long long)seg->child_seq,
				(unsigned long long)echoed,
				(unsigned long long)sent - 1);
		echoed++;
		report("parent", &ckpts, &restarts, echoed, 1);
		tp_sleep_ms(2);
	}
	while (echoed < sent) {
		if (tp_read_full(from, &v, sizeof(v)) != sizeof(v) ||
		    v != echoed)
			tp_fail("parent: draining echoes at %llu",
				(unsigned long long)echoed);
		echoed++;
	}
	v = END_MARK;
	if (tp_write_full(to, &v, sizeof(v)) < 0)
		tp_fail("parent: end marker: %s", strerror(errno));
	if (waitpid(c, &st, 0) != c)
		tp_fail("parent: waitpid(%d): %s", (int)c, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		tp_fail("parent: child %d ended with status %#x", (int)c, st);
	heap_check("parent", 1);
	seg_check("parent");
	shmdt((void *)seg);
	shmctl(shm, IPC_RMID, NULL);
	msgctl(msq, IPC_RMID, NULL);
	printf("parent: %llu numbers round trip\n", (unsigned long long)sent);
	tp_pass();
}
