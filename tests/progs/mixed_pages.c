/*
 * mixed_pages.c - checkpoint test for the page data of gzip images: 12
 * MiB of anonymous memory whose pages are random, all zero (written,
 * then cleared), compressible text or half random and half zero, in runs
 * of three pages, one stretch where random and zero pages alternate page
 * by page (a PAGES record per page) and a 3 MiB stretch without a zero
 * page (a record of several zlib chunks).  Random and text pages are
 * rewritten with a new generation as it runs.  After every restart,
 * before anything reads them, the all-zero pages must not be resident
 * (the checkpoint does not store them, restart leaves them to the fresh
 * mapping, and stored pages that are all zero are skipped too); then,
 * and at the end, every byte of every page is checked.
 */
#include <sys/mman.h>

#include "testprog.h"

#define PAGE	4096UL
#define NPAGES	3072UL		/* 12 MiB */

enum { K_RANDOM, K_ZERO, K_TEXT, K_HALF };
static const char *const kind_name[] = { "random", "zero", "text", "half" };

static unsigned char *mem;
static unsigned gen[NPAGES];

static int kind(size_t p)
{
	if (p >= 1024 && p < 1536)
		return p % 2 ? K_ZERO : K_RANDOM;
	if (p >= 2048 && p < 2816)
		return (p / 5) % 2 ? K_RANDOM : K_TEXT;
	return (int)((p / 3) % 4);
}

/* the page's bytes for generation g */
static void make(unsigned char *b, size_t p, unsigned g)
{
	uint64_t s = (p + 1) * 0x9E3779B97F4A7C15ull ^ g;
	size_t i;

	memset(b, 0, PAGE);
	switch (kind(p)) {
	case K_RANDOM:
	case K_HALF:
		for (i = 0; i < (kind(p) == K_HALF ? PAGE / 2 : PAGE); i += 8) {
			uint64_t v = tp_rand(&s);

			memcpy(b + i, &v, 8);
		}
		break;
	case K_TEXT: {
		char line[33];

		snprintf(line, sizeof(line), "page %6zu gen %8u text ..", p, g);
		for (i = 0; i + 32 <= PAGE; i += 32)
			memcpy(b + i, line, 32);
		break;
	}
	}
}

static void verify(const char *when)
{
	static unsigned char want[PAGE];

	for (size_t p = 0; p < NPAGES; p++) {
		make(want, p, gen[p]);
		for (size_t i = 0; i < PAGE; i++)
			if (mem[p * PAGE + i] != want[i])
				tp_fail("%s: %s page %zu (generation %u) byte "
					"%zu is %#x, expected %#x", when,
					kind_name[kind(p)], p, gen[p], i,
					mem[p * PAGE + i], want[i]);
	}
}

/* all-zero pages resident now (mincore), of how many */
static size_t zero_resident(size_t *nzero)
{
	static unsigned char vec[NPAGES];
	size_t n = 0;

	if (mincore(mem, NPAGES * PAGE, vec) < 0)
		tp_fail("mincore: %s", strerror(errno));
	*nzero = 0;
	for (size_t p = 0; p < NPAGES; p++)
		if (kind(p) == K_ZERO) {
			(*nzero)++;
			n += vec[p] & 1;
		}
	return n;
}

int main(void)
{
	uint64_t rng = 4242;
	int c, r, last_r;

	tp_init("mixed_pages");
	mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		tp_fail("mmap: %s", strerror(errno));
	/* every page touched, the zero ones too */
	memset(mem, 0xee, NPAGES * PAGE);
	for (size_t p = 0; p < NPAGES; p++)
		make(mem + p * PAGE, p, 0);
	tp_status(&c, &last_r);
	tp_ready();
	while (!tp_should_stop()) {
		/* a few random or text pages get a new generation */
		for (int k = 0; k < 8; k++) {
			size_t p = tp_rand(&rng) % NPAGES;

			if (kind(p) == K_ZERO)
				continue;
			make(mem + p * PAGE, p, ++gen[p]);
		}
		tp_status(&c, &r);
		if (r != last_r) {
			size_t nz, res = zero_resident(&nz);

			last_r = r;
			printf("restart %d: %zu of %zu all-zero pages "
			       "resident\n", r, res, nz);
			fflush(stdout);
			if (res)
				tp_fail("restart %d: %zu of %zu all-zero pages "
					"are resident", r, res, nz);
			verify("after restart");
		}
		tp_sleep_ms(10);
	}
	verify("at the end");
	tp_pass();
}
