/*
 * mmap_churn.c - checkpoints while the memory map changes all the time:
 * CH_THREADS threads each keep CH_SLOTS regions and, without a pause,
 * map new ones and munmap, shrink (head or tail), grow (mremap) and
 * mprotect (read-only, no access, back) the ones they have.  Five kinds:
 * private anonymous, shared anonymous, a private file mapping with every
 * other page written (copy-on-write), a shared read-only file mapping,
 * and a private mapping longer than its file (pages past the end raise
 * SIGBUS; the program reads only the others and checks that they still
 * do).  Every region is checked each time it is touched, and all of them
 * after the stop file, inaccessible pages included, with the protection
 * of every page compared with /proc/self/maps.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mremap */
#endif
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "testprog.h"

#define CH_THREADS	3
#define CH_SLOTS	40
#define PAGE		4096
#define MAXP		40	/* pages per region at most */
#define DATA_PAGES	256	/* the data file */
#define SHORT_SIZE	(5 * PAGE + 123)	/* the short file */

enum { K_ANON, K_SHANON, K_FILE, K_SHFILE, K_PASTEOF, K_N };
static const char *kind_name[K_N] = { "anon", "shared anon", "file",
				      "shared file", "past-eof" };

struct region {
	unsigned char *addr;	/* NULL: empty slot */
	int kind;
	uint32_t gen;
	size_t npages;
	size_t base;		/* index of page 0 in the first mapping */
	size_t foff;		/* file page of page 0 */
	int split;		/* some pages were mprotect'ed apart */
	unsigned char prot[MAXP];
};

struct worker {
	pthread_t th;
	int id;
	uint64_t rng;
	uint32_t gen;
	long ops, maps, unmaps, splits, grows, protects;
	int data_fd, short_fd;
	struct region r[CH_SLOTS];
};

static struct worker workers[CH_THREADS];
static volatile int stop;
static char dir[3072];

static uint64_t pattern(int t, int s, uint32_t gen, size_t idx, int w)
{
	uint64_t x = ((uint64_t)t << 56) ^ ((uint64_t)s << 48) ^
		     ((uint64_t)gen << 20) ^ (idx << 4) ^ (uint64_t)w;

	return tp_rand(&x);
}

/* byte i of thread t's data file (file 0) or short file (file 1) */
static unsigned char fbyte(int t, int file, size_t i)
{
	if (file == 1 && i >= SHORT_SIZE)
		return 0;
	return (unsigned char)(t * 41 + file * 97 + i * 13 + (i >> 12) * 7);
}

static __thread sigjmp_buf probe_env;
static __thread volatile sig_atomic_t probing;

static void on_fault(int sig)
{
	if (probing)
		siglongjmp(probe_env, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int raises_sigbus(const volatile unsigned char *p)
{
	unsigned char v;

	if (sigsetjmp(probe_env, 1)) {
		probing = 0;
		return 1;
	}
	probing = 1;
	v = *p;
	probing = 0;
	(void)v;
	return 0;
}

static size_t rnd(struct worker *w, size_t n)
{
	return tp_rand(&w->rng) % n;
}

static const size_t word_at[3] = { 0, PAGE / 2, PAGE - 8 };

static int written(const struct region *r, size_t p)
{
	switch (r->kind) {
	case K_ANON:
	case K_SHANON:
		return 1;
	case K_FILE:
		return (r->foff + p) % 2 == 0;
	case K_PASTEOF:
		return r->foff + p == 0;
	default:
		return 0;
	}
}

static void fill_page(struct worker *w, int s, size_t p)
{
	struct region *r = &w->r[s];

	if (!written(r, p))
		return;
	for (int k = 0; k < 3; k++)
		*(uint64_t *)(r->addr + p * PAGE + word_at[k]) =
			pattern(w->id, s, r->gen, r->base + p, k);
}

/* page p of slot s holds what it should; 0 if it is inaccessible */
static void check_page(struct worker *w, int s, size_t p, const char *when)
{
	struct region *r = &w->r[s];
	const unsigned char *pg = r->addr + p * PAGE;
	size_t fpage = r->foff + p;

	if (r->kind == K_PASTEOF && fpage * PAGE >= SHORT_SIZE) {
		if (!raises_sigbus(pg + 64))
			tp_fail("%s: thread %d slot %d page %zu (%s, past "
				"the end of its file) does not raise SIGBUS",
				when, w->id, s, p, kind_name[r->kind]);
		return;
	}
	for (int k = 0; k < 3; k++) {
		size_t off = word_at[k];
		uint64_t got = *(const uint64_t *)(pg + off), want;

		if (written(r, p)) {
			want = pattern(w->id, s, r->gen, r->base + p, k);
		} else {
			unsigned char b[8];
			int file = r->kind == K_PASTEOF;

			for (int j = 0; j < 8; j++)
				b[j] = fbyte(w->id, file, fpage * PAGE + off + j);
			memcpy(&want, b, 8);
		}
		if (got != want)
			tp_fail("%s: thread %d slot %d (%s, gen %u) page %zu "
				"at %p word %d is %#llx, expected %#llx", when,
				w->id, s, kind_name[r->kind], r->gen, p,
				(void *)pg, k, (unsigned long long)got,
				(unsigned long long)want);
	}
}

static void check_region(struct worker *w, int s, const char *when)
{
	struct region *r = &w->r[s];

	for (size_t p = 0; p < r->npages; p++)
		if (r->prot[p] & PROT_READ)
			check_page(w, s, p, when);
}

/* on stderr: the lines of /proc/self/maps over npages at addr */
static void show_maps(const unsigned char *addr, size_t npages)
{
	static char line[8192];
	FILE *f = fopen("/proc/self/maps", "r");
	uint64_t lo = (uint64_t)addr, hi = lo + npages * PAGE;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (sscanf(line, "%llx-%llx", &a, &b) == 2 && a < hi && b > lo)
			fprintf(stderr, "mmap_churn: %s", line);
	}
	if (f)
		fclose(f);
}

static int uniform(const struct region *r)
{
	for (size_t p = 1; p < r->npages; p++)
		if (r->prot[p] != r->prot[0])
			return 0;
	return 1;
}

static void create(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	int kind = (int)rnd(w, K_N), fd = -1, flags, prot;
	size_t n = 1 + rnd(w, MAXP / 2), foff = 0;
	void *p;

	switch (kind) {
	case K_ANON:
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case K_SHANON:
		flags = MAP_SHARED | MAP_ANONYMOUS;
		break;
	case K_FILE:
	case K_SHFILE:
		foff = rnd(w, DATA_PAGES - MAXP);
		fd = w->data_fd;
		flags = kind == K_FILE ? MAP_PRIVATE : MAP_SHARED;
		break;
	default:	/* longer than the file */
		foff = rnd(w, 3);
		fd = w->short_fd;
		flags = MAP_PRIVATE;
		break;
	}
	prot = kind == K_SHFILE ? PROT_READ : PROT_READ | PROT_WRITE;
	p = mmap(NULL, n * PAGE, prot, flags, fd, fd < 0 ? 0 :
		 (off_t)(foff * PAGE));
	if (p == MAP_FAILED)
		tp_fail("thread %d: mmap %zu pages (%s): %s", w->id, n,
			kind_name[kind], strerror(errno));
	memset(r, 0, sizeof(*r));
	r->addr = p;
	r->kind = kind;
	r->gen = ++w->gen;
	r->npages = n;
	r->foff = foff;
	memset(r->prot, prot, sizeof(r->prot));
	for (size_t i = 0; i < n; i++)
		fill_page(w, s, i);
	w->maps++;
}

static void change(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	size_t k, lo, hi;
	int prot;
	void *p;

	check_region(w, s, "touch");
	switch (rnd(w, 6)) {
	case 0:
	case 1:			/* gone */
		if (munmap(r->addr, r->npages * PAGE) < 0)
			tp_fail("munmap: %s", strerror(errno));
		r->addr = NULL;
		w->unmaps++;
		break;
	case 2:			/* lose the tail or the head */
		if (r->npages < 2)
			break;
		k = 1 + rnd(w, r->npages - 1);
		if (rnd(w, 2)) {
			if (munmap(r->addr + (r->npages - k) * PAGE,
				   k * PAGE) < 0)
				tp_fail("munmap tail: %s", strerror(errno));
		} else {
			if (munmap(r->addr, k * PAGE) < 0)
				tp_fail("munmap head: %s", strerror(errno));
			r->addr += k * PAGE;
			r->base += k;
			r->foff += k;
			memmove(r->prot, r->prot + k, r->npages - k);
		}
		r->npages -= k;
		w->splits++;
		break;
	case 3:			/* grow, maybe moving */
		/*
		 * Not over pages that had different protections once: a
		 * restart from then brings them back as separate mappings
		 * the kernel does not merge again (doc/design.md, known
		 * limits), and mremap needs one mapping.
		 */
		if (r->split || !uniform(r) || !(r->prot[0] & PROT_WRITE) ||
		    r->npages == MAXP || r->kind == K_SHFILE ||
		    r->kind == K_SHANON)	/* its object keeps its size */
			break;
		k = 1 + rnd(w, MAXP - r->npages);
		if (r->kind == K_FILE && r->foff + r->npages + k > DATA_PAGES)
			break;	/* the data file ends there */
		p = mremap(r->addr, r->npages * PAGE, (r->npages + k) * PAGE,
			   MREMAP_MAYMOVE);
		if (p == MAP_FAILED) {
			int e = errno;

			show_maps(r->addr, r->npages);
			tp_fail("thread %d: mremap %s %zu pages at %p -> %zu "
				"pages: %s", w->id, kind_name[r->kind],
				r->npages, (void *)r->addr, r->npages + k,
				strerror(e));
		}
		r->addr = p;
		memset(r->prot + r->npages, r->prot[0], k);
		for (size_t i = r->npages; i < r->npages + k; i++)
			if (r->kind != K_PASTEOF ||
			    (r->foff + i) * PAGE < SHORT_SIZE)
				fill_page(w, s, i);
		r->npages += k;
		check_region(w, s, "grown");
		w->grows++;
		break;
	default:		/* protections of some pages */
		lo = rnd(w, r->npages);
		hi = lo + 1 + rnd(w, r->npages - lo);
		prot = (int[]){ PROT_NONE, PROT_READ,
				PROT_READ | PROT_WRITE }[rnd(w, 3)];
		if (r->kind == K_SHFILE && (prot & PROT_WRITE))
			prot = PROT_READ;
		if (mprotect(r->addr + lo * PAGE, (hi - lo) * PAGE, prot) < 0)
			tp_fail("mprotect: %s", strerror(errno));
		memset(r->prot + lo, prot, hi - lo);
		if (lo > 0 || hi < r->npages)
			r->split = 1;
		w->protects++;
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		int s = (int)rnd(w, CH_SLOTS);

		if (w->r[s].addr)
			change(w, s);
		else
			create(w, s);
		if (++w->ops % 16 == 0)
			tp_sleep_ms(1);
	}
	return NULL;
}

/* The protection /proc/self/maps gives the page at addr, or -1. */
static int maps_prot(char *maps, uint64_t addr, int *shared)
{
	char *line = maps;

	while (line && *line) {
		unsigned long long a, b;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) == 3 &&
		    addr >= a && addr < b) {
			*shared = perms[3] == 's';
			return (perms[0] == 'r' ? PROT_READ : 0) |
			       (perms[1] == 'w' ? PROT_WRITE : 0);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static void final_check(void)
{
	static char maps[4 << 20];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		tp_fail("open /proc/self/maps: %s", strerror(errno));
	n = tp_read_full(fd, maps, sizeof(maps) - 1);
	close(fd);
	if (n <= 0 || n == (ssize_t)sizeof(maps) - 1)
		tp_fail("read /proc/self/maps: %zd", n);
	maps[n] = 0;
	for (int t = 0; t < CH_THREADS; t++) {
		struct worker *w = &workers[t];

		for (int s = 0; s < CH_SLOTS; s++) {
			struct region *r = &w->r[s];

			if (!r->addr)
				continue;
			for (size_t p = 0; p < r->npages; p++) {
				uint64_t a = (uint64_t)(r->addr + p * PAGE);
				int sh = -1, want_sh = r->kind == K_SHANON ||
						  r->kind == K_SHFILE;
				int got = maps_prot(maps, a, &sh);

				if (got != r->prot[p] || sh != want_sh)
					tp_fail("thread %d slot %d (%s) page "
						"%zu at %#llx: protection %d "
						"%s, expected %d %s", t, s,
						kind_name[r->kind], p,
						(unsigned long long)a, got,
						sh ? "shared" : "private",
						r->prot[p], want_sh ?
						"shared" : "private");
			}
			/* the pages nobody can read too */
			if (mprotect(r->addr, r->npages * PAGE, PROT_READ) < 0)
				tp_fail("mprotect: %s", strerror(errno));
			for (size_t p = 0; p < r->npages; p++)
				check_page(w, s, p, "final");
		}
	}
}

static int make_file(int t, int file, const char *name)
{
	static unsigned char buf[DATA_PAGES * PAGE];
	char path[4096];
	size_t len = file ? SHORT_SIZE : DATA_PAGES * PAGE;
	int fd;

	snprintf(path, sizeof(path), "%s/churn-%s-%d.dat", dir, name, t);
	for (size_t i = 0; i < len; i++)
		buf[i] = fbyte(t, file, i);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || tp_write_full(fd, buf, len) < 0)
		tp_fail("create %s: %s", path, strerror(errno));
	return fd;
}

int main(void)
{
	struct sigaction sa;

	tp_init("mmap_churn");
	snprintf(dir, sizeof(dir), "%s", tp_workdir());
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGBUS, &sa, NULL);
	for (int t = 0; t < CH_THREADS; t++) {
		struct worker *w = &workers[t];

		w->id = t;
		w->rng = 0x1234567ull * (t + 1);
		w->data_fd = make_file(t, 0, "data");
		w->short_fd = make_file(t, 1, "short");
		for (int i = 0; i < 200; i++) {	/* a map to start with */
			int s = (int)rnd(w, CH_SLOTS);

			if (w->r[s].addr)
				change(w, s);
			else
				create(w, s);
		}
	}
	for (int t = 0; t < CH_THREADS; t++)
		if (pthread_create(&workers[t].th, NULL, worker_main,
				   &workers[t]))
			tp_fail("pthread_create");
	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(10);
	stop = 1;
	for (int t = 0; t < CH_THREADS; t++)
		pthread_join(workers[t].th, NULL);
	final_check();
	for (int t = 0; t < CH_THREADS; t++) {
		struct worker *w = &workers[t];

		printf("thread %d: %ld operations: %ld mmap, %ld munmap, %ld "
		       "split, %ld mremap, %ld mprotect\n", t, w->ops, w->maps,
		       w->unmaps, w->splits, w->grows, w->protects);
	}
	tp_pass();
}
