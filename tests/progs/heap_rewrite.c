/*
 * heap_rewrite.c - forked checkpoint test: two threads rewrite their
 * half of a 48 MiB heap block in a tight loop (every word += 1 per
 * pass, no pause), so the memory changes all the time while a forked
 * child writes the image.  After each pass a thread checks that every
 * word of its half holds the same value, base + passes: an image that
 * mixed the state at the barrier with later writes would restart with
 * words of different passes, which stay different forever.
 * Usage: heap_rewrite [shared|wipe]   (shared: the block is MAP_SHARED
 * anonymous memory, which a forked checkpoint cannot use; wipe: a page
 * with MADV_WIPEONFORK holds a value checked all the time, which a
 * forked child would see as zeros)
 */
#include <pthread.h>
#include <sys/mman.h>

#include "testprog.h"

#define WORDS	(48u << 20) / 8

static uint64_t *heap;
static volatile int stop;

struct half {
	uint64_t *w;
	size_t n;
	uint64_t base;
	volatile uint64_t passes;
	int id;
};

static struct half halves[2];

static void *rewrite(void *arg)
{
	struct half *h = arg;

	while (!stop) {
		uint64_t want;

		for (size_t i = 0; i < h->n; i++)
			h->w[i] += 1;
		h->passes++;
		want = h->base + h->passes;
		for (size_t i = 0; i < h->n; i++)
			if (h->w[i] != want)
				tp_fail("half %d: word %zu is %llu after pass "
					"%llu, expected %llu", h->id, i,
					(unsigned long long)h->w[i],
					(unsigned long long)h->passes,
					(unsigned long long)want);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int shared = argc > 1 && strcmp(argv[1], "shared") == 0;
	int wipe = argc > 1 && strcmp(argv[1], "wipe") == 0;
	volatile uint64_t *wiped = NULL;
	pthread_t th[2];

	tp_init("heap_rewrite");
	if (shared) {
		heap = mmap(NULL, WORDS * 8, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (heap == MAP_FAILED)
			tp_fail("mmap: %s", strerror(errno));
	} else {
		heap = malloc(WORDS * 8);
		if (!heap)
			tp_fail("malloc failed");
	}
	for (int k = 0; k < 2; k++) {
		halves[k].id = k;
		halves[k].n = WORDS / 2;
		halves[k].w = heap + k * (WORDS / 2);
		halves[k].base = 1000u * (k + 1);
		for (size_t i = 0; i < halves[k].n; i++)
			halves[k].w[i] = halves[k].base;
		if (pthread_create(&th[k], NULL, rewrite, &halves[k]))
			tp_fail("pthread_create failed");
	}
	if (wipe) {
		wiped = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (wiped == MAP_FAILED ||
		    madvise((void *)wiped, 4096, MADV_WIPEONFORK) != 0)
			tp_fail("MADV_WIPEONFORK: %s", strerror(errno));
		wiped[0] = 0x5eed5eed5eed5eedull;
	}
	tp_ready();
	while (!tp_should_stop()) {
		tp_sleep_ms(20);
		if (wiped && wiped[0] != 0x5eed5eed5eed5eedull)
			tp_fail("the MADV_WIPEONFORK page holds %#llx",
				(unsigned long long)wiped[0]);
	}
	stop = 1;
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	printf("passes %llu %llu\n", (unsigned long long)halves[0].passes,
	       (unsigned long long)halves[1].passes);
	tp_pass();
}
