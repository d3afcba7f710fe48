/*
 * shm_shared.c - MAP_SHARED anonymous memory and a memfd mapped shared,
 * inherited across fork.  The child increments counters in both; the
 * parent checks that it keeps seeing them grow (so they are still shared
 * after every restart) and that a pattern written before the first
 * checkpoint is intact.  On the stop file the parent tells the child to
 * finish through the shared page and checks its exit status.
 */
#include "testprog.h"

#include <sys/mman.h>
#include <sys/wait.h>

#define SZ (4u << 20)

struct shared {
	volatile uint64_t counter, stop, child_ok;
	uint64_t pattern[1024];
};

int main(void)
{
	struct shared *an, *mf;
	int mfd, st;
	pid_t c;
	uint64_t last[2] = { 0, 0 }, seed = 7;
	int stalls = 0;

	tp_init("shm_shared");
	an = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	mfd = memfd_create("shm_shared", 0);
	if (an == MAP_FAILED || mfd < 0 || ftruncate(mfd, SZ) < 0)
		tp_fail("setup: %s", strerror(errno));
	mf = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (mf == MAP_FAILED)
		tp_fail("mmap memfd: %s", strerror(errno));
	for (int i = 0; i < 1024; i++)
		an->pattern[i] = mf->pattern[i] = tp_rand(&seed);
	c = fork();
	if (c < 0)
		tp_fail("fork: %s", strerror(errno));
	if (c == 0) {
		while (!an->stop) {
			an->counter++;
			mf->counter++;
			tp_sleep_ms(2);
		}
		an->child_ok = 1;
		_exit(0);
	}
	tp_ready();
	while (!tp_should_stop()) {
		tp_sleep_ms(50);
		/* the child runs: counters must move (allow checkpoints) */
		tp_shared_counters(an->counter, mf->counter, last, &stalls,
				   100, "memory");
	}
	seed = 7;
	for (int i = 0; i < 1024; i++) {
		uint64_t v = tp_rand(&seed);

		if (an->pattern[i] != v || mf->pattern[i] != v)
			tp_fail("pattern word %d changed", i);
	}
	an->stop = 1;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		tp_fail("child ended with status %#x", st);
	if (!an->child_ok)
		tp_fail("child's final write not seen: not shared");
	printf("counter %llu\n", (unsigned long long)an->counter);
	tp_pass();
}
