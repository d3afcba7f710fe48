/*
 * sparse_reserve.c - checkpoint test for large sparse address space:
 *  - 1 GiB reserved PROT_NONE|MAP_NORESERVE with a few 4 KiB pages inside
 *    mprotect()ed read-write and patterned;
 *  - 1 GiB MAP_NORESERVE read-write with 10 touched pages.
 * After restart the patterns must be intact, the protections (checked in
 * /proc/self/maps) unchanged, and untouched pages must read as zero (only
 * checked at the very end, so reading them cannot grow earlier images).
 * The driver also checks that the image stays small (< 64 MiB).
 */
#include <sys/mman.h>

#include "testprog.h"

#define GIB	(1024UL * 1024 * 1024)
#define PAGE	4096UL

static unsigned char *resv, *rw;
static const size_t resv_pages[] = { 0, 1, 257, 4096, 131072, 262143 };
#define NRESV (sizeof(resv_pages) / sizeof(resv_pages[0]))
static size_t rw_pages[10];

static unsigned char val(int area, size_t page, size_t i)
{
	return (unsigned char)(area * 37 + page * 13 + i * 7 + 1);
}

static void fill_page(unsigned char *p, int area, size_t page)
{
	for (size_t i = 0; i < PAGE; i++)
		p[i] = val(area, page, i);
}

static void check_page(const unsigned char *p, int area, size_t page,
		       const char *when)
{
	for (size_t i = 0; i < PAGE; i++)
		if (p[i] != val(area, page, i))
			tp_fail("%s: %s page %zu byte %zu is %#x, expected %#x",
				when, area ? "MAP_NORESERVE rw" : "reserved",
				page, i, p[i], val(area, page, i));
}

/* Permissions ("rw-p", "---p") of the mapping containing addr. */
static int perms_at(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		tp_fail("open /proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
		    (unsigned long)addr >= lo && (unsigned long)addr < hi) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static void verify(const char *when, int deep)
{
	char perms[5];

	for (size_t k = 0; k < NRESV; k++) {
		unsigned char *p = resv + resv_pages[k] * PAGE;

		if (!perms_at(p, perms) || strncmp(perms, "rw", 2) != 0)
			tp_fail("%s: reserved page %zu at %p is not mapped rw",
				when, resv_pages[k], (void *)p);
		check_page(p, 0, resv_pages[k], when);
	}
	for (size_t k = 0; k < 10; k++)
		check_page(rw + rw_pages[k] * PAGE, 1, rw_pages[k], when);
	if (!deep)
		return;
	/* pages between the rw ones are still PROT_NONE */
	{
		static const size_t none[] = { 2, 256, 258, 4095, 4097,
					       200000, 262142 };

		for (size_t k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
			unsigned char *p = resv + none[k] * PAGE;

			if (!perms_at(p, perms))
				tp_fail("%s: reserved page %zu at %p is no "
					"longer mapped", when, none[k],
					(void *)p);
			if (strncmp(perms, "---", 3) != 0)
				tp_fail("%s: reserved page %zu at %p is %s, "
					"expected ---", when, none[k],
					(void *)p, perms);
		}
	}
	/* untouched pages read as zero: a sample plus the neighbours */
	for (size_t page = 3; page < GIB / PAGE; page += 4099) {
		int touched = 0;

		for (size_t k = 0; k < 10; k++)
			touched |= rw_pages[k] == page;
		if (touched)
			continue;
		for (size_t i = 0; i < PAGE; i += 8)
			if (*(uint64_t *)(rw + page * PAGE + i) != 0)
				tp_fail("%s: untouched page %zu is not zero",
					when, page);
	}
	for (size_t k = 0; k < 10; k++) {
		size_t nb[2] = { rw_pages[k] - 1, rw_pages[k] + 1 };

		for (int j = 0; j < 2; j++) {
			int touched = 0;

			for (size_t m = 0; m < 10; m++)
				touched |= rw_pages[m] == nb[j];
			if (touched || nb[j] >= GIB / PAGE)
				continue;
			for (size_t i = 0; i < PAGE; i++)
				if (rw[nb[j] * PAGE + i] != 0)
					tp_fail("%s: untouched page %zu next "
						"to a touched one is not zero",
						when, nb[j]);
		}
	}
}

int main(void)
{
	uint64_t rng = 99;

	tp_init("sparse_reserve");
	resv = mmap(NULL, GIB, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED)
		tp_fail("mmap 1 GiB PROT_NONE: %s", strerror(errno));
	rw = mmap(NULL, GIB, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (rw == MAP_FAILED)
		tp_fail("mmap 1 GiB MAP_NORESERVE: %s", strerror(errno));
	for (size_t k = 0; k < NRESV; k++) {
		unsigned char *p = resv + resv_pages[k] * PAGE;

		if (mprotect(p, PAGE, PROT_READ | PROT_WRITE) != 0)
			tp_fail("mprotect %p: %s", (void *)p, strerror(errno));
		fill_page(p, 0, resv_pages[k]);
	}
	for (size_t k = 0; k < 10; k++) {
		size_t page;
		int dup;

		do {
			page = 1 + tp_rand(&rng) % (GIB / PAGE - 2);
			dup = 0;
			for (size_t m = 0; m < k; m++)
				dup |= rw_pages[m] == page;
		} while (dup);
		rw_pages[k] = page;
		fill_page(rw + page * PAGE, 1, page);
	}
	verify("start", 0);
	tp_ready();

	while (!tp_should_stop()) {
		verify("loop", 0);
		tp_sleep_ms(15);
	}
	verify("final", 1);
	tp_pass();
}
