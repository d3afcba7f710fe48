/*
 * test_dirty.c - dirty-page tracking (src/preload/image/dirty.c) in a
 * plain process, for every mechanism DMTCP_DIRTY can force here: uffd,
 * hash and none run the same checkpoint scenarios (first collect 0;
 * pages 3 and 7 written -> exactly bits 3 and 7; nothing written ->
 * nothing; a dropped page (MADV_DONTNEED) reported; a grown area 0; a
 * failed checkpoint forgets; fork with dirty_reset in the child; the
 * application's mprotect); soft-dirty, which this kernel lacks, falls
 * back with a warning naming it and why.  Also: the userfaultfds in the
 * reserved range, /proc/self/maps unchanged by the collects (adjacent
 * areas that registration could merge, the heap that grew), areas of
 * every kind.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmtcp/fds.h"
#include "image/dirty.h"

#define PG 4096ul
#define NP 64

static enum dirty_mech mech;	/* of the group running */
static char *area;		/* NP pages, every page written */
static uint64_t bm[4];

static void fill(char *p, size_t pages, int seed)
{
	for (size_t i = 0; i < pages; i++)
		memset(p + i * PG, (int)(seed + i) | 1, PG);
}

/* one checkpoint of [p, p + pages): dirty_collect's answer, bits in bm */
static int ckpt(void *p, size_t pages)
{
	int r;

	dirty_begin();
	r = dirty_collect((uintptr_t)p, (uintptr_t)p + pages * PG, bm);
	dirty_end(1);
	return r;
}

static int use(const char *env, enum dirty_mech want)
{
	setenv("DMTCP_DIRTY", env, 1);
	dirty_reset();
	mech = dirty_init();
	if (mech != want) {
		fprintf(stderr, "DMTCP_DIRTY=%s chose %s\n", env,
			dirty_mech_name(mech));
		return -1;
	}
	return 0;
}

static int setup_uffd(void **st)
{
	(void)st;
	return use("uffd", DIRTY_UFFD);
}

static int setup_hash(void **st)
{
	(void)st;
	return use("hash", DIRTY_HASH);
}

static int setup_none(void **st)
{
	(void)st;
	return use("none", DIRTY_NONE);
}

static int teardown(void **st)
{
	(void)st;
	dirty_reset();
	unsetenv("DMTCP_DIRTY");
	return 0;
}

/* pages of private anonymous memory between two PROT_NONE guard
   pages: one line of /proc/self/maps of their own (an anonymous mapping
   next to another one is merged with it by the kernel) */
static char *isolated(size_t pages)
{
	char *g = mmap(NULL, (pages + 2) * PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

	if (g == MAP_FAILED)
		return NULL;
	p = mmap(g + PG, pages * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void unmap_isolated(char *p, size_t pages)
{
	munmap(p - PG, (pages + 2) * PG);
}

static int new_area(void **st)
{
	(void)st;
	area = isolated(NP);
	if (!area)
		return -1;
	fill(area, NP, 1);
	return 0;
}

static int free_area(void **st)
{
	(void)st;
	unmap_isolated(area, NP);
	return 0;
}

/* tracking answers 1 with these bits; NONE always 0 and no bits (a
   macro: a failure names the caller's line) */
#define expect(r, bits) do { \
		int r_ = (r); \
		assert_int_equal(r_, mech != DIRTY_NONE); \
		assert_int_equal(bm[0], mech != DIRTY_NONE ? (bits) : 0); \
	} while (0)

static void test_written_pages(void **st)
{
	(void)st;
	memset(bm, 0xff, sizeof(bm));
	assert_int_equal(ckpt(area, NP), 0);	/* first: not tracked */
	assert_int_equal(bm[0], 0);
	area[3 * PG + 10] = 'x';
	area[7 * PG + 4095] = 'y';
	expect(ckpt(area, NP), (1ull << 3) | (1ull << 7));
	expect(ckpt(area, NP), 0);		/* nothing written */
	/* the same bytes again: uffd saw a write, hash no change */
	memcpy(area + 2 * PG, area + 2 * PG + PG / 2, 16);
	memcpy(area + 2 * PG + PG / 2, area + 2 * PG, 16);
	expect(ckpt(area, NP), mech == DIRTY_UFFD ? 1ull << 2 : 0);
	/* the last page, and every word of the bitmap cleared */
	area[63 * PG] = 'z';
	expect(ckpt(area, NP), 1ull << 63);
}

static void test_dropped_page(void **st)
{
	(void)st;
	ckpt(area, NP);
	expect(ckpt(area, NP), 0);
	assert_int_equal(madvise(area + 5 * PG, PG, MADV_DONTNEED), 0);
	expect(ckpt(area, NP), 1ull << 5);
	/* dropped again, still zero: hash sees no change; for uffd a
	   page with no entry counts as written (a drop always does) */
	assert_int_equal(madvise(area + 5 * PG, PG, MADV_DONTNEED), 0);
	expect(ckpt(area, NP), mech == DIRTY_UFFD ? 1ull << 5 : 0);
	expect(ckpt(area, NP), 0);
	/* written after being dropped */
	area[5 * PG] = 1;
	expect(ckpt(area, NP), 1ull << 5);
}

static void test_grown_area(void **st)
{
	char *p = isolated(2 * NP), *q;

	(void)st;
	assert_non_null(p);
	munmap(p + NP * PG, (NP + 1) * PG);	/* room to grow in place */
	fill(p, NP, 3);
	ckpt(p, NP);
	expect(ckpt(p, NP), 0);
	q = mremap(p, NP * PG, (NP + 16) * PG, 0);
	assert_ptr_equal(q, p);
	memset(bm, 0xff, sizeof(bm));
	assert_int_equal(ckpt(p, NP + 16), 0);	/* grew: stored whole */
	assert_int_equal(bm[0] | bm[1], 0);
	p[(NP + 2) * PG] = 1;			/* tracked whole from now */
	dirty_begin();
	assert_int_equal(dirty_collect((uintptr_t)p,
				       (uintptr_t)p + (NP + 16) * PG, bm),
			 mech != DIRTY_NONE);
	assert_int_equal(bm[0], 0);
	assert_int_equal(bm[1], mech != DIRTY_NONE ? 1ull << 2 : 0);
	dirty_end(1);
	/* moved elsewhere: the new place is not tracked */
	q = isolated(NP + 16);
	assert_non_null(q);
	assert_ptr_equal(mremap(p, (NP + 16) * PG, (NP + 16) * PG,
				MREMAP_MAYMOVE | MREMAP_FIXED, q), q);
	q[5 * PG] = 7;				/* writable where it went */
	assert_int_equal(ckpt(q, NP + 16), 0);
	expect(ckpt(q, NP + 16), 0);
	q[6 * PG] = 7;
	expect(ckpt(q, NP + 16), 1ull << 6);
	unmap_isolated(q, NP + 16);
	munmap(p - PG, PG);
}

static void test_failed_checkpoint(void **st)
{
	(void)st;
	ckpt(area, NP);
	area[PG] = 9;
	dirty_begin();
	assert_int_equal(dirty_collect((uintptr_t)area,
				       (uintptr_t)area + NP * PG, bm),
			 mech != DIRTY_NONE);
	dirty_end(0);				/* not committed */
	assert_int_equal(ckpt(area, NP), 0);	/* forgotten */
	expect(ckpt(area, NP), 0);
}

static void test_remapped_same_place(void **st)
{
	char *p;

	(void)st;
	ckpt(area, NP);
	expect(ckpt(area, NP), 0);
	/* a new mapping at the same address: never a delta */
	p = mmap(area, NP * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_ptr_equal(p, area);
	fill(area, NP, 1);			/* same bytes as before */
	assert_int_equal(ckpt(area, NP), mech == DIRTY_HASH);
	assert_int_equal(bm[0], 0);
}

static void test_fork(void **st)
{
	pid_t pid;
	int status;

	(void)st;
	ckpt(area, NP);
	expect(ckpt(area, NP), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r, bad = 0;

		dirty_reset();
		if (dirty_init() != mech)
			_exit(10);
		area[4 * PG] = 1;			/* our copy */
		r = ckpt(area, NP);
		bad |= r != 0;
		area[9 * PG] = 1;
		r = ckpt(area, NP);
		bad |= mech == DIRTY_NONE ? r != 0 || bm[0] :
		       r != 1 || bm[0] != 1ull << 9;
		_exit(bad ? 11 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* a child that forgets dirty_reset: never a delta */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);	/* the warning */
		_exit(ckpt(area, NP) != 0 || ckpt(area, NP) != 0 ||
		      dirty_mech() != DIRTY_NONE ? 12 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent goes on: a write after fork (copy on write) */
	area[4 * PG] = 2;
	expect(ckpt(area, NP), 1ull << 4);
	expect(ckpt(area, NP), 0);
}

static void test_app_mprotect(void **st)
{
	volatile char c;

	(void)st;
	ckpt(area, NP);
	expect(ckpt(area, NP), 0);
	assert_int_equal(mprotect(area, NP * PG, PROT_READ), 0);
	c = area[6 * PG];
	(void)c;
	assert_int_equal(mprotect(area, NP * PG, PROT_READ | PROT_WRITE), 0);
	area[6 * PG] = 'w';			/* no fault, no hang */
	area[6 * PG + 1] = 'w';
	expect(ckpt(area, NP), 1ull << 6);
	/* a part made read-only splits the mapping: two areas */
	assert_int_equal(mprotect(area, 8 * PG, PROT_READ), 0);
	dirty_begin();
	assert_int_equal(dirty_collect((uintptr_t)area,
				       (uintptr_t)area + 8 * PG, bm),
			 mech != DIRTY_NONE);
	assert_int_equal(bm[0], 0);
	assert_int_equal(dirty_collect((uintptr_t)area + 8 * PG,
				       (uintptr_t)area + NP * PG, bm),
			 mech != DIRTY_NONE);
	assert_int_equal(bm[0], 0);
	dirty_end(1);
	assert_int_equal(mprotect(area, 8 * PG, PROT_READ | PROT_WRITE), 0);
	area[PG] = 'v';
	expect(ckpt(area, NP), 1ull << 1);
}

/* the whole of /proc/self/maps */
static size_t read_maps(char *buf, size_t cap)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t len = 0;
	ssize_t n;

	assert_true(fd >= 0);
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return len;
}

static void priv_range(void *arg, const void *p, size_t len)
{
	uintptr_t *r = arg;

	r[0] = (uintptr_t)p;
	r[1] = (uintptr_t)p + len;
}

/*
 * Three adjacent anonymous areas: the middle one tracked, the two
 * others mapped next to it afterwards (and untouched, so the kernel
 * could merge them when they are registered with the same context).
 * Collecting all three leaves /proc/self/maps as it was; so does
 * collecting every area of the process; the next round answers 1 for
 * the three.
 */
static void test_maps_unchanged(void **st)
{
	static char before[1 << 20], after[1 << 20], lines[1 << 20];
	char *base = isolated(48);
	char *lo, *mid, *hi, *line, *save;
	uintptr_t priv[2] = { 0, 0 };
	uint64_t *wide = calloc(1 << 16, 8);

	(void)st;
	assert_true(base && wide);
	munmap(base, 48 * PG);			/* the guards stay */
	mid = mmap(base + 16 * PG, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_ptr_equal(mid, base + 16 * PG);
	mid[0] = 1;
	ckpt(mid, 16);
	lo = mmap(base, 16 * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	hi = mmap(base + 32 * PG, 16 * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_ptr_equal(lo, base);
	assert_ptr_equal(hi, base + 32 * PG);
	read_maps(before, sizeof(before));
	dirty_begin();
	assert_int_equal(dirty_collect((uintptr_t)lo, (uintptr_t)lo + 16 * PG,
				       bm), 0);
	expect(dirty_collect((uintptr_t)mid, (uintptr_t)mid + 16 * PG, bm), 0);
	assert_int_equal(dirty_collect((uintptr_t)hi, (uintptr_t)hi + 16 * PG,
				       bm), 0);
	read_maps(after, sizeof(after));
	dirty_end(1);
	assert_string_equal(before, after);
	/* the next checkpoint: the three are deltas */
	hi[PG] = 1;
	lo[2 * PG] = 1;
	dirty_begin();
	expect(dirty_collect((uintptr_t)lo, (uintptr_t)lo + 16 * PG, bm),
	       1ull << 2);
	expect(dirty_collect((uintptr_t)mid, (uintptr_t)mid + 16 * PG, bm), 0);
	expect(dirty_collect((uintptr_t)hi, (uintptr_t)hi + 16 * PG, bm),
	       1ull << 1);
	dirty_end(1);

	/* every area of the process, whatever its kind (not the
	   module's own, which the writer leaves out) */
	dirty_private_ranges(priv_range, priv);
	if (mech != DIRTY_NONE)
		assert_true(priv[1] > priv[0]);
	else
		assert_int_equal(priv[1], 0);	/* none: no tables */
	for (int round = 0; round < 2; round++) {
		int n = 0, tracked = 0;

		read_maps(before, sizeof(before));
		memcpy(lines, before, sizeof(lines));
		dirty_begin();
		for (line = strtok_r(lines, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned long s, e;

			assert_int_equal(sscanf(line, "%lx-%lx", &s, &e), 2);
			if ((s >= priv[0] && s < priv[1]) ||
			    (e - s) / PG > (1 << 22))
				continue;
			tracked += dirty_collect(s, e, wide);
			n++;
		}
		read_maps(after, sizeof(after));
		dirty_end(1);
		assert_string_equal(before, after);
		assert_true(n > 10);
		if (round == 1 && mech != DIRTY_NONE)
			assert_true(tracked > 3);
	}
	free(wide);
	unmap_isolated(base, 48);
}

/* One checkpoint of every [heap] line: how many, how many answered 1;
   /proc/self/maps the same before and after the collects. */
static void heap_round(int *lines, int *tracked)
{
	static char before[1 << 20], after[1 << 20], copy[1 << 20];
	char *line, *save;
	static uint64_t wide[1 << 12];

	*lines = *tracked = 0;
	read_maps(before, sizeof(before));
	memcpy(copy, before, sizeof(copy));
	dirty_begin();
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long s, e;

		if (!strstr(line, "[heap]"))
			continue;
		assert_int_equal(sscanf(line, "%lx-%lx", &s, &e), 2);
		assert_true((e - s) / PG <= 64 * (1 << 12));
		*tracked += dirty_collect(s, e, wide);
		(*lines)++;
	}
	read_maps(after, sizeof(after));
	dirty_end(1);
	assert_string_equal(before, after);
}

/* The heap grows (brk) between checkpoints: with uffd the kernel keeps
   the new part apart (it is not registered), and registering it must
   not merge it back while the writer looks; hash sees one line that
   grew.  Either way the next checkpoint is a delta again. */
static void test_heap_grows(void **st)
{
	int lines, tracked, lines2, tracked2;
	char *top;

	(void)st;
	heap_round(&lines, &tracked);
	assert_true(lines >= 1);
	heap_round(&lines, &tracked);
	assert_int_equal(tracked, mech != DIRTY_NONE ? lines : 0);
	top = sbrk(16 * PG);
	assert_true(top != (void *)-1);
	memset(top, 7, 16 * PG);
	heap_round(&lines2, &tracked2);
	if (mech == DIRTY_UFFD) {
		assert_int_equal(lines2, lines + 1);	/* apart */
		assert_int_equal(tracked2, lines);	/* the old parts */
	} else {
		assert_int_equal(lines2, lines);	/* it grew */
		assert_int_equal(tracked2, 0);
	}
	heap_round(&lines, &tracked);
	assert_int_equal(lines, lines2);
	assert_int_equal(tracked, mech != DIRTY_NONE ? lines : 0);
	assert_true(sbrk(-16 * (intptr_t)PG) != (void *)-1);
}

/* Other kinds of areas: shared memory and a private file mapping are
   tracked by hash (contents), not by write faults. */
static void test_area_kinds(void **st)
{
	char path[] = "/tmp/test_dirty.XXXXXX", *sh, *fm;
	int fd = mkstemp(path);
	int track = mech == DIRTY_HASH;

	(void)st;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, 8 * PG), 0);
	sh = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fm = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	assert_true(sh != MAP_FAILED && fm != MAP_FAILED);
	sh[0] = fm[0] = 1;
	for (int round = 0; round < 3; round++) {
		uint64_t b2[1];

		if (round == 2)
			sh[2 * PG] = fm[3 * PG] = 1;
		/* both in one checkpoint: an area a checkpoint does not
		   collect is forgotten (its image has no copy of it) */
		dirty_begin();
		assert_int_equal(dirty_collect((uintptr_t)sh,
					       (uintptr_t)sh + 8 * PG, bm),
				 round ? track : 0);
		assert_int_equal(dirty_collect((uintptr_t)fm,
					       (uintptr_t)fm + 8 * PG, b2),
				 round ? track : 0);
		dirty_end(1);
		assert_int_equal(bm[0], round == 2 && track ? 1ull << 2 : 0);
		assert_int_equal(b2[0], round == 2 && track ? 1ull << 3 : 0);
	}
	/* not collected in the last checkpoint: not a delta */
	dirty_begin();
	assert_int_equal(dirty_collect((uintptr_t)fm, (uintptr_t)fm + 8 * PG,
				       bm), track);
	dirty_end(1);
	assert_int_equal(ckpt(sh, 8), 0);
	/* not page aligned, empty: 0, never a crash */
	assert_int_equal(ckpt(sh + 1, 2), 0);
	assert_int_equal(ckpt(sh, 0), 0);
	/* a part of an area (new: 0), a range past the end of one */
	dirty_begin();
	assert_int_equal(dirty_collect((uintptr_t)area + PG,
				       (uintptr_t)area + 3 * PG, bm), 0);
	assert_int_equal(dirty_collect((uintptr_t)sh,
				       (uintptr_t)sh + 9 * PG, bm), 0);
	dirty_end(1);
	munmap(sh, 8 * PG);
	munmap(fm, 8 * PG);
	close(fd);
}

/* The module's descriptors are in the reserved range, close-on-exec;
   none is left below it. */
static int low_fds(void)
{
	int low = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    atoi(de->d_name) < DMTCP_FD_PROTECTED &&
		    atoi(de->d_name) != dirfd(d))
			low++;
	closedir(d);
	return low;
}

static void test_reserved_fds(void **st)
{
	int before;

	(void)st;
	dirty_reset();
	before = low_fds();
	assert_int_equal(dirty_init(), DIRTY_UFFD);
	assert_int_equal(low_fds(), before);
	assert_true(fcntl(DMTCP_FD_DIRTY, F_GETFD) & FD_CLOEXEC);
	for (int c = 0; c < 3; c++) {
		char link[64], target[128];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d",
			 DMTCP_FD_DIRTY + 2 + c);
		n = readlink(link, target, sizeof(target) - 1);
		assert_true(n > 0);
		target[n] = 0;
		assert_non_null(strstr(target, "userfaultfd"));
		assert_true(fcntl(DMTCP_FD_DIRTY + 2 + c, F_GETFD) &
			    FD_CLOEXEC);
	}
	/* reset closes them */
	dirty_reset();
	assert_int_equal(fcntl(DMTCP_FD_DIRTY + 2, F_GETFD), -1);
	assert_int_equal(dirty_init(), DIRTY_UFFD);
}

/* The tables' mapping: named, one line of its own; dirty_reset +
   dirty_init take it back when it is still there (a fork child's,
   a restart's), and never touch what was mapped there since. */
static void test_tables_mapping(void **st)
{
	static char maps[1 << 20];
	uintptr_t r1[2] = { 0, 0 }, r2[2] = { 0, 0 };
	char want[64], *p;

	(void)st;
	dirty_private_ranges(priv_range, r1);
	assert_true(r1[1] > r1[0]);
	read_maps(maps, sizeof(maps));
	snprintf(want, sizeof(want), "%lx-%lx rw-p", (unsigned long)r1[0],
		 (unsigned long)r1[1]);
	assert_non_null(strstr(maps, want));	/* exactly one line */
	dirty_reset();
	assert_int_equal(dirty_init(), mech);
	dirty_private_ranges(priv_range, r2);
	assert_int_equal(r2[0], r1[0]);		/* taken back */
	assert_int_equal(r2[1], r1[1]);
	/* something else there now: left alone, new tables elsewhere */
	dirty_reset();
	p = mmap((void *)r1[0], PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED, -1, 0);
	assert_ptr_equal(p, (void *)r1[0]);
	munmap(p + PG, r1[1] - r1[0] - PG);
	assert_int_equal(p[0], 0);
	assert_int_equal(dirty_init(), mech);
	dirty_private_ranges(priv_range, r2);
	assert_true(r2[0] != r1[0]);
	assert_int_equal(p[0], 0);		/* still mapped */
	read_maps(maps, sizeof(maps));
	snprintf(want, sizeof(want), "%lx-%lx r--p", (unsigned long)r1[0],
		 (unsigned long)r1[0] + PG);
	assert_non_null(strstr(maps, want));
	munmap(p, PG);
}

static size_t resident(uintptr_t lo, uintptr_t hi)
{
	static unsigned char vec[1 << 20];
	size_t n = 0, pages = (hi - lo) / PG;

	if (pages > sizeof(vec) || mincore((void *)lo, hi - lo, vec) < 0)
		return 0;
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

/* The forked image writer (ckpt/bgwrite.c) refuses a child whose
   private memory lost its pages (MADV_WIPEONFORK): the tables must
   reach a forked child as they are. */
static void test_tables_survive_fork(void **st)
{
	uintptr_t r[2] = { 0, 0 };
	size_t before;
	pid_t pid;
	int status;

	(void)st;
	ckpt(area, NP);
	dirty_private_ranges(priv_range, r);
	before = resident(r[0], r[1]);
	assert_true(before > 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(resident(r[0], r[1]) == before ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* dirty_init with stderr in a file: what it chose, what it said */
static enum dirty_mech init_quoted(const char *env, char *out, size_t cap)
{
	char path[] = "/tmp/test_dirty_err.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	enum dirty_mech m;
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	setenv("DMTCP_DIRTY", env, 1);
	dirty_reset();
	dup2(fd, 2);
	m = dirty_init();
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, cap - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	return m;
}

static void test_softdirty_fallback(void **st)
{
	char out[2048], why[200];
	enum dirty_mech m;

	(void)st;
	m = init_quoted("soft-dirty", out, sizeof(out));
	if (dirty_available(DIRTY_SOFTDIRTY, why, sizeof(why))) {
		/* a kernel with soft-dirty: it is used, silently */
		assert_int_equal(m, DIRTY_SOFTDIRTY);
		assert_string_equal(out, "");
	} else {
		/* this machine's 6.18: bit 55 stays clear */
		assert_true(m != DIRTY_SOFTDIRTY && m != DIRTY_NONE);
		assert_non_null(strstr(out, "DMTCP_DIRTY=soft-dirty"));
		assert_non_null(strstr(out, why));
		assert_non_null(strstr(out, "bit 55"));
		assert_non_null(strstr(out, dirty_mech_name(m)));
	}
	/* the fallback works: a delta */
	mech = m;
	new_area(st);
	assert_int_equal(ckpt(area, NP), 0);
	area[3 * PG] = 3;
	expect(ckpt(area, NP), 1ull << 3);
	free_area(st);

	/* auto takes the same best one, silently */
	assert_int_equal(init_quoted("auto", out, sizeof(out)), m);
	assert_string_equal(out, "");
	/* a value that is not a mechanism: said, then auto */
	assert_int_equal(init_quoted("fast", out, sizeof(out)), m);
	assert_non_null(strstr(out, "DMTCP_DIRTY=fast"));
	assert_int_equal(init_quoted("none", out, sizeof(out)), DIRTY_NONE);
	assert_string_equal(dirty_mech_name(DIRTY_UFFD), "uffd");
	assert_string_equal(dirty_mech_name(DIRTY_SOFTDIRTY), "soft-dirty");
	dirty_reset();
}

/* Soft-dirty's reading of pagemap entries, fed by hand (this kernel
   sets no bit 55): written, dropped, swapped, never there. */
static void test_softdirty_pages(void **st)
{
	const uint64_t P = 1ull << 63, S = 1ull << 62, SD = 1ull << 55;
	uint64_t pm[6] = { P, P | SD, S | SD, 0, 0, P };
	unsigned char pop[6] = { 1, 1, 1, 1, 0, 0 };
	uint64_t b[2] = { 0, 0 };

	(void)st;
	/* page 70 onwards: bits in the second word */
	dirty_softdirty_pages(pm, 6, pop, 1, b, 70);
	assert_int_equal(b[0], 0);
	/* 71 written, 72 written then swapped out, 73 dropped; 70 and 75
	   (present now, not before: a read of a new page) unchanged */
	assert_int_equal(b[1], (1ull << 7) | (1ull << 8) | (1ull << 9));
	assert_memory_equal(pop, ((unsigned char[]){ 1, 1, 1, 0, 0, 1 }), 6);
	/* not reliable: nothing reported, what is there recorded */
	pm[3] = P | SD;
	b[1] = 0;
	dirty_softdirty_pages(pm, 6, pop, 0, b, 70);
	assert_int_equal(b[1], 0);
	assert_memory_equal(pop, ((unsigned char[]){ 1, 1, 1, 1, 0, 1 }), 6);
}

#define SCENARIOS \
	cmocka_unit_test_setup_teardown(test_written_pages, new_area, \
					free_area), \
	cmocka_unit_test_setup_teardown(test_dropped_page, new_area, \
					free_area), \
	cmocka_unit_test(test_grown_area), \
	cmocka_unit_test_setup_teardown(test_failed_checkpoint, new_area, \
					free_area), \
	cmocka_unit_test_setup_teardown(test_remapped_same_place, new_area, \
					free_area), \
	cmocka_unit_test_setup_teardown(test_fork, new_area, free_area), \
	cmocka_unit_test_setup_teardown(test_app_mprotect, new_area, \
					free_area), \
	cmocka_unit_test(test_maps_unchanged), \
	cmocka_unit_test(test_heap_grows), \
	cmocka_unit_test_setup_teardown(test_area_kinds, new_area, free_area)

int main(void)
{
	const struct CMUnitTest uffd[] = {
		SCENARIOS,
		cmocka_unit_test(test_reserved_fds),
		cmocka_unit_test(test_tables_mapping),
		cmocka_unit_test_setup_teardown(test_tables_survive_fork,
						new_area, free_area),
	};
	const struct CMUnitTest hash[] = {
		SCENARIOS,
		cmocka_unit_test(test_tables_mapping),
	};
	const struct CMUnitTest none[] = { SCENARIOS };
	const struct CMUnitTest fallback[] = {
		cmocka_unit_test(test_softdirty_fallback),
		cmocka_unit_test(test_softdirty_pages),
	};
	int fails = 0;

	fails += cmocka_run_group_tests_name("uffd", uffd, setup_uffd,
					     teardown);
	fails += cmocka_run_group_tests_name("hash", hash, setup_hash,
					     teardown);
	fails += cmocka_run_group_tests_name("none", none, setup_none,
					     teardown);
	fails += cmocka_run_group_tests_name("soft-dirty", fallback, NULL,
					     teardown);
	return fails ? 1 : 0;
}
