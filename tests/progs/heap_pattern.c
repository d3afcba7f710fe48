/*
 * heap_pattern.c - checkpoint test: ~50 MB of malloc'd blocks (small ones
 * on the brk heap, large ones mmap'd by malloc) with a deterministic
 * pattern, churned (verify, free, reallocate, refill) every iteration by
 * a PRNG, plus a region grown with sbrk().  Every byte is verified at the
 * end, and the program break must agree with the kernel's after restart.
 * Block contents are one quarter PRNG data, three quarters a compressible
 * pattern, so gzip images are visibly smaller than raw ones.
 */
#include <sys/syscall.h>

#include "testprog.h"

#define NSLOTS		400
#define MAX_BLOCK	(256 * 1024)
#define SBRK_SIZE	(1024 * 1024)

struct slot {
	unsigned char *p;
	size_t size;
	uint64_t seed;
};

static struct slot slots[NSLOTS];
static uint64_t rng = 12345;
static unsigned char *sbrk_area;

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t s = seed;
	size_t i = 0, rnd = n / 4;

	for (; i + 8 <= rnd; i += 8) {
		uint64_t v = tp_rand(&s);

		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (unsigned char)(seed + (i >> 6) * 7 + (i & 3));
}

/* Returns the offset of the first bad byte, or (size_t)-1 when intact. */
static size_t check(const unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t s = seed;
	size_t i = 0, rnd = n / 4;

	for (; i + 8 <= rnd; i += 8) {
		uint64_t v = tp_rand(&s);

		if (memcmp(p + i, &v, 8) != 0)
			return i;
	}
	for (; i < n; i++)
		if (p[i] != (unsigned char)(seed + (i >> 6) * 7 + (i & 3)))
			return i;
	return (size_t)-1;
}

/* large: above malloc's mmap threshold (128 KiB .. 512 KiB) */
static void new_block(int i, int large)
{
	struct slot *sl = &slots[i];

	if (large)
		sl->size = 128 * 1024 + tp_rand(&rng) % (2 * MAX_BLOCK -
							 128 * 1024);
	else
		sl->size = 1 + tp_rand(&rng) % (128 * 1024 - 64);
	sl->seed = tp_rand(&rng);
	sl->p = malloc(sl->size);
	if (!sl->p)
		tp_fail("malloc(%zu) failed", sl->size);
	fill(sl->p, sl->size, sl->seed);
}

static void verify_slot(int i, const char *when)
{
	size_t bad = check(slots[i].p, slots[i].size, slots[i].seed);

	if (bad != (size_t)-1)
		tp_fail("%s: block %d (%p, %zu bytes) corrupt at offset %zu",
			when, i, (void *)slots[i].p, slots[i].size, bad);
}

static void verify_brk(const char *when)
{
	void *cur = sbrk(0);
	void *kern = (void *)syscall(SYS_brk, 0);
	size_t bad;

	if (cur != kern)
		tp_fail("%s: sbrk(0)=%p but kernel brk=%p", when, cur, kern);
	if ((unsigned char *)cur < sbrk_area + SBRK_SIZE)
		tp_fail("%s: program break %p below the sbrk area end %p",
			when, cur, (void *)(sbrk_area + SBRK_SIZE));
	bad = check(sbrk_area, SBRK_SIZE, 777);
	if (bad != (size_t)-1)
		tp_fail("%s: sbrk area corrupt at offset %zu", when, bad);
}

int main(void)
{
	size_t total = 0;
	int last_c = 0, last_r = 0;

	tp_init("heap_pattern");
	sbrk_area = sbrk(SBRK_SIZE);
	if (sbrk_area == (void *)-1)
		tp_fail("sbrk(%d): %s", SBRK_SIZE, strerror(errno));
	fill(sbrk_area, SBRK_SIZE, 777);
	/* mostly small blocks on the brk heap, a third mmap'd by malloc */
	for (int i = 0; i < NSLOTS; i++) {
		new_block(i, i % 3 == 0);
		total += slots[i].size;
	}
	/* top up to at least 50 MB with more large blocks */
	for (int i = 1; total < 50u * 1024 * 1024; i = (i + 3) % NSLOTS) {
		if (slots[i].size > 128 * 1024)
			continue;
		total -= slots[i].size;
		free(slots[i].p);
		new_block(i, 1);
		total += slots[i].size;
	}
	verify_brk("start");
	tp_ready();

	while (!tp_should_stop()) {
		int c, r;

		for (int k = 0; k < 8; k++) {
			int i = tp_rand(&rng) % NSLOTS;
			int large = slots[i].size > 128 * 1024;

			verify_slot(i, "churn");
			free(slots[i].p);
			slots[i].p = NULL;
			/* same size class: the total stays around 50 MB */
			new_block(i, large);
		}
		/* a checkpoint or restart happened: verify everything now */
		tp_status(&c, &r);
		if (c != last_c || r != last_r) {
			for (int i = 0; i < NSLOTS; i++)
				verify_slot(i, "after checkpoint");
			verify_brk("after checkpoint");
			last_c = c;
			last_r = r;
		}
		tp_sleep_ms(10);
	}

	total = 0;
	for (int i = 0; i < NSLOTS; i++) {
		verify_slot(i, "final");
		total += slots[i].size;
	}
	if (total < 40u * 1024 * 1024)
		tp_fail("only %zu bytes allocated", total);
	verify_brk("final");
	/* the heap still works: grow and shrink the break */
	{
		unsigned char *more = sbrk(65536);

		if (more == (void *)-1)
			tp_fail("sbrk(65536) after restart: %s",
				strerror(errno));
		memset(more, 0xab, 65536);
		if (sbrk(-65536) == (void *)-1)
			tp_fail("sbrk(-65536): %s", strerror(errno));
	}
	for (int i = 0; i < NSLOTS; i++)
		free(slots[i].p);
	tp_pass();
}
