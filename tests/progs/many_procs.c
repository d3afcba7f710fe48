/*
 * many_procs.c - a computation of many small processes with many threads.
 *
 * A binary tree of NPROCS processes (default 32) made with fork: process i
 * forks 2i+1 and 2i+2.  Odd-numbered processes run 12 worker threads, even
 * ones 2 (for 32 processes: 224 workers + 32 main threads = 256 threads).
 * Every process holds MEM_MIB MiB (default 3) of a pattern derived from its
 * index and checks all the time: its pid (libc and raw) and ppid, a slice
 * of its pattern (all of it after each restart it sees), and a loop counter
 * kept both in a static variable and in a separate mapping.  Each worker
 * checks its TLS tag and its tid and advances its own counter.
 *
 * When $TEST_STOP_FILE appears, every process checks that each of its
 * workers still advances, joins them, reaps its children (each must exit
 * with status 0), prints "DONE <i> pid=<pid> restarts=<r> threads=<k>" and
 * exits 0; the root then prints PASS (or FAIL).  A failing process prints
 * "FAIL many_procs: proc <i>: ..." and exits 1, which fails its parent.
 *
 * With IGNINT=1 in the environment, the processes with an odd index ignore
 * SIGINT (like background jobs of a shell) and the others get its default
 * action (even when started with it ignored, as `cmd &` does), and a
 * process whose parent died goes on with its new parent:
 * test-restart-interrupt.sh uses that to leave processes behind after a
 * Ctrl+C.
 *
 * Usage: many_procs [NPROCS [MEM_MIB]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* gettid */
#endif
#include "testprog.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_WORKERS 12
#define SLICE_WORDS 2048	/* words checked per loop (16 KiB) */

struct worker {
	pthread_t th;
	int idx;
	pid_t tid;
	volatile uint64_t count;
};

static int nprocs = 32;
static size_t mem_words;
static int me;			/* this process's index in the tree */
static pid_t my_pid, my_ppid;
static pid_t kids[2];
static int nkids;
static uint64_t *mem;
static uint64_t *counter_page;
static uint64_t loops;
static struct worker workers[MAX_WORKERS];
static int nworkers;
static volatile int stop_workers;
static __thread uint64_t tls_tag;

static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t pattern(size_t k)
{
	return mix(((uint64_t)me << 40) ^ k ^ 0x5eedULL);
}

static uint64_t worker_tag(int w)
{
	return mix(((uint64_t)me << 32) | (uint64_t)(w + 1));
}

static int workers_for(int i)
{
	return i % 2 ? MAX_WORKERS : 2;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	tls_tag = worker_tag(w->idx);
	w->tid = (pid_t)syscall(SYS_gettid);
	while (!stop_workers) {
		if (tls_tag != worker_tag(w->idx))
			tp_fail("proc %d worker %d: TLS tag %#llx, expected "
				"%#llx", me, w->idx,
				(unsigned long long)tls_tag,
				(unsigned long long)worker_tag(w->idx));
		if ((pid_t)syscall(SYS_gettid) != w->tid ||
		    gettid() != w->tid)
			tp_fail("proc %d worker %d: tid changed from %d to %d "
				"(libc %d)", me, w->idx, (int)w->tid,
				(int)syscall(SYS_gettid), (int)gettid());
		__atomic_add_fetch(&w->count, 1, __ATOMIC_RELAXED);
		tp_sleep_ms(50);
	}
	return NULL;
}

static int ignint;		/* IGNINT=1: see the top of the file */

static void check_ids(void)
{
	if (getpid() != my_pid || (pid_t)syscall(SYS_getpid) != my_pid)
		tp_fail("proc %d: pid changed from %d to %d (raw %d)", me,
			(int)my_pid, (int)getpid(), (int)syscall(SYS_getpid));
	if (ignint && getppid() != my_ppid)
		my_ppid = getppid();	/* orphaned by a Ctrl+C: adopted */
	if (getppid() != my_ppid)
		tp_fail("proc %d (pid %d): ppid changed from %d to %d", me,
			(int)my_pid, (int)my_ppid, (int)getppid());
}

static void check_mem(size_t from, size_t n)
{
	for (size_t k = from; k < from + n && k < mem_words; k++)
		if (mem[k] != pattern(k))
			tp_fail("proc %d (pid %d): word %zu of its memory is "
				"%#llx, expected %#llx", me, (int)my_pid, k,
				(unsigned long long)mem[k],
				(unsigned long long)pattern(k));
}

static void setup_memory(size_t mib)
{
	mem_words = mib * 1024 * 1024 / sizeof(uint64_t);
	mem = mmap(NULL, mem_words * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	counter_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || counter_page == MAP_FAILED)
		tp_fail("proc %d: mmap: %s", me, strerror(errno));
	for (size_t k = 0; k < mem_words; k++)
		mem[k] = pattern(k);
}

static void start_workers(void)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 128 * 1024);
	nworkers = workers_for(me);
	for (int w = 0; w < nworkers; w++) {
		workers[w].idx = w;
		if (pthread_create(&workers[w].th, &a, worker_main,
				   &workers[w]) != 0)
			tp_fail("proc %d: pthread_create %d failed", me, w);
	}
	pthread_attr_destroy(&a);
}

/* At the stop file: every worker must still advance; then join them. */
static void stop_and_join(void)
{
	uint64_t before[MAX_WORKERS];
	double end;
	int w;

	for (w = 0; w < nworkers; w++)
		before[w] = workers[w].count;
	end = tp_now() + 5.0;
	for (w = 0; w < nworkers; w++) {
		while (workers[w].count == before[w]) {
			if (tp_now() > end)
				tp_fail("proc %d (pid %d): worker %d (tid %d) "
					"stopped advancing at %llu", me,
					(int)my_pid, w, (int)workers[w].tid,
					(unsigned long long)before[w]);
			tp_sleep_ms(10);
		}
	}
	stop_workers = 1;
	for (w = 0; w < nworkers; w++)
		pthread_join(workers[w].th, NULL);
}

static void reap_kids(void)
{
	for (int k = 0; k < nkids; k++) {
		int st;
		pid_t p;

		while ((p = waitpid(kids[k], &st, 0)) < 0 && errno == EINTR)
			;
		if (p != kids[k])
			tp_fail("proc %d: waitpid(%d): %s", me, (int)kids[k],
				strerror(errno));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			tp_fail("proc %d: child pid %d ended with status %#x",
				me, (int)kids[k], st);
	}
}

int main(int argc, char **argv)
{
	int ready[2], c, r, last_r = 0;
	size_t mib = 3, pos = 0;
	const char *ign = getenv("IGNINT");

	tp_init("many_procs");
	if (argc > 1)
		nprocs = atoi(argv[1]);
	if (argc > 2)
		mib = (size_t)atoi(argv[2]);
	if (nprocs < 1 || nprocs > 1024 || mib < 1 || mib > 1024)
		tp_fail("usage: many_procs [NPROCS(1-1024) [MEM_MIB]]");
	if (pipe(ready) < 0)
		tp_fail("pipe: %s", strerror(errno));
	fflush(NULL);

	/* the tree: process i forks 2i+1 and 2i+2 */
	me = 0;
	my_pid = getpid();
	my_ppid = getppid();
	for (int child = 2 * me + 1; child <= 2 * me + 2; child++) {
		pid_t p;

		if (child >= nprocs)
			break;
		p = fork();
		if (p < 0)
			tp_fail("proc %d: fork: %s", me, strerror(errno));
		if (p == 0) {
			my_ppid = my_pid;
			my_pid = getpid();
			me = child;
			nkids = 0;
			child = 2 * me;	/* loop continues at 2*me + 1 */
			continue;
		}
		kids[nkids++] = p;
	}
	ignint = ign && *ign == '1';
	if (ignint)
		signal(SIGINT, me % 2 ? SIG_IGN : SIG_DFL);
	setup_memory(mib);
	start_workers();
	if (me != 0) {
		close(ready[0]);
		if (write(ready[1], "r", 1) != 1)
			tp_fail("proc %d: ready pipe: %s", me, strerror(errno));
		close(ready[1]);
	} else {
		char buf[64];
		int got = 0;

		close(ready[1]);
		/* EOF once every process wrote its byte and closed its end */
		for (;;) {
			ssize_t n = read(ready[0], buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (int)n;
		}
		if (got != nprocs - 1)
			tp_fail("only %d of %d processes reported ready", got,
				nprocs - 1);
		printf("SETUP procs=%d threads=%d\n", nprocs,
		       nprocs + (nprocs / 2) * MAX_WORKERS +
		       (nprocs - nprocs / 2) * 2);
		tp_ready();
	}

	for (;;) {
		check_ids();
		if (*counter_page != loops)
			tp_fail("proc %d (pid %d): loop counter %llu in its "
				"mapping, %llu in its data", me, (int)my_pid,
				(unsigned long long)*counter_page,
				(unsigned long long)loops);
		loops++;
		*counter_page = loops;
		tp_status(&c, &r);
		if (r != last_r) {	/* a restart: check everything */
			check_mem(0, mem_words);
			last_r = r;
		}
		check_mem(pos, SLICE_WORDS);
		pos = (pos + SLICE_WORDS) % mem_words;
		if (tp_should_stop())
			break;
		tp_sleep_ms(20);
	}
	check_mem(0, mem_words);
	stop_and_join();
	reap_kids();
	tp_status(&c, &r);
	printf("DONE %d pid=%d restarts=%d threads=%d loops=%llu\n", me,
	       (int)my_pid, r, nworkers + 1, (unsigned long long)loops);
	fflush(stdout);
	if (me == 0)
		tp_pass();
	return 0;
}
