/*
 * image/dirty.c - dirty-page tracking for incremental checkpoints
 * (image/dirty.h; doc/design.md, "Dirty-page tracking").
 *
 * Every area the writer saves gets an entry: its range, whether it was
 * tracked since the last committed checkpoint, and one value a page in
 * the module's own mapping (the arena, made at dirty_init):
 *  - soft-dirty and userfaultfd: one byte, "the page was populated
 *    (present or swapped) at the last collect"; a page populated then
 *    and not now was dropped (MADV_DONTNEED, MADV_FREE reclaimed) and
 *    counts as changed: soft-dirty does not say so, nor does
 *    PAGEMAP_SCAN once the page table itself was freed (Linux 6.18
 *    reports an empty entry of a live table as written);
 *  - hash: a 64-bit hash of the page's contents (0: unreadable).
 * The arena has two halves; dirty_end(1) copies the live values into
 * the other half and drops the old one, so memory of areas that went
 * away is given back without ever mapping or unmapping between
 * dirty_begin and dirty_end (the writer compares two reads of
 * /proc/self/maps).
 *
 * Userfaultfd: areas are registered for write-protection in async mode
 * (no handler thread: the kernel clears the protection on the first
 * write and PAGEMAP_SCAN reports the page as written).  Registering an
 * area whose neighbour is registered with the same context can make the
 * kernel merge the two: /proc/self/maps would change under the writer.
 * So there are three contexts and an area never gets the context of the
 * areas next to it (a line needs three colours).  Only private
 * anonymous areas are tracked (heap, stacks, anonymous mmaps): a page
 * of a file mapping still shared with the page cache changes when the
 * file does, which no write fault of ours sees.
 */
#include "config.h"
#include "image/dirty.h"
#include "dmtcp/fds.h"
#include "log.h"
#include "maps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Linux 6.7 (PAGEMAP_SCAN, WP_ASYNC): Debian 12's headers are 6.1. */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1ull << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1ull << 15)
#endif
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WPALLOWED	(1 << 0)
#define PAGE_IS_WRITTEN		(1 << 1)
#define PAGE_IS_FILE		(1 << 2)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_SWAPPED		(1 << 4)
#define PM_SCAN_WP_MATCHING	(1 << 0)
#define PM_SCAN_CHECK_WPASYNC	(1 << 1)
#endif

#define PAGE		4096ull
#define NCTX		3
#define MAX_ENT		16384		/* areas tracked at once */
#define MAX_LINES	65536		/* lines of /proc/self/maps */
#define MAPS_CAP	(8u << 20)
#define VEC_N		4096		/* page regions a scan returns */
#define RD_PAGES	64		/* pages read at once (hash) */
#define PM_N		8192		/* pagemap entries read at once */
#define PM_PRESENT	(1ull << 63)
#define PM_SWAPPED	(1ull << 62)
#define PM_SOFT_DIRTY	(1ull << 55)
#define NO_DATA		UINT64_MAX

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif
#define ARENA_NAME	"dmtcp-dirty"	/* [anon:dmtcp-dirty] in the maps */

#define FD_PAGEMAP	(DMTCP_FD_DIRTY)
#define FD_CLEAR_REFS	(DMTCP_FD_DIRTY + 1)
#define FD_UFFD		(DMTCP_FD_DIRTY + 2)	/* and the next two */

enum { L_READ = 1, L_SHARED = 2, L_FILE = 4, L_SPECIAL = 8 };

struct ent {
	uint64_t start, end;
	uint64_t off;		/* of its values in the current half */
	int8_t ctx;		/* userfaultfd context, -1 none */
	uint8_t valid;		/* tracked since the last commit */
	uint8_t seen;		/* collected in this checkpoint */
};

struct line {
	uint64_t start, end;
	uint32_t flags;
};

static struct {
	int inited;
	pid_t pid;		/* of the process dirty_init ran in */
	enum dirty_mech mech;
	char *arena;
	size_t arena_len;
	char *old_arena;	/* the tables before dirty_reset */
	size_t old_len;
	struct ent *ent;
	int nent;
	struct line *lines;
	int nlines;
	char *maps;
	struct page_region *vec;
	unsigned char *rd;
	uint64_t *pm;
	char *half[2];
	size_t half_len, used;
	int cur;
	int pm_fd, cr_fd, uffd[NCTX];
	int avail[4];
	char why[4][200];
} D = { .pm_fd = -1, .cr_fd = -1, .uffd = { -1, -1, -1 } };

static const char *const names[] = { "none", "soft-dirty", "uffd",
				     "hash" };

const char *dirty_mech_name(enum dirty_mech m)
{
	return (unsigned)m < 4 ? names[m] : "?";
}

enum dirty_mech dirty_mech(void)
{
	return D.inited ? D.mech : DIRTY_NONE;
}

int dirty_available(enum dirty_mech m, char *why, size_t cap)
{
	if ((unsigned)m >= 4)
		return 0;
	if (why && cap)
		snprintf(why, cap, "%s", D.avail[m] ? "" : D.why[m]);
	return D.avail[m];
}

/* ---- the arena ---- */

static size_t round_page(size_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

static size_t arena_fixed(void)
{
	return round_page(MAX_ENT * sizeof(struct ent)) +
	       round_page(MAX_LINES * sizeof(struct line)) + MAPS_CAP +
	       round_page(VEC_N * sizeof(struct page_region)) +
	       RD_PAGES * PAGE + PM_N * 8;
}

static void arena_layout(char *q, size_t half)
{
	D.arena = q;
	D.arena_len = arena_fixed() + 2 * half;
	D.ent = (struct ent *)q;
	q += round_page(MAX_ENT * sizeof(struct ent));
	D.lines = (struct line *)q;
	q += round_page(MAX_LINES * sizeof(struct line));
	D.maps = q;
	q += MAPS_CAP;
	D.vec = (struct page_region *)q;
	q += round_page(VEC_N * sizeof(struct page_region));
	D.rd = (unsigned char *)q;
	q += RD_PAGES * PAGE;
	D.pm = (uint64_t *)q;
	q += PM_N * 8;
	D.half[0] = q;
	D.half[1] = q + half;
	D.half_len = half;
}

/* Is [p, p + len) still one private anonymous read-write mapping: the
   tables of before dirty_reset (a child's copy after fork, the
   area a restart brought back), not something mapped there since? */
static int still_ours(const char *p, size_t len)
{
	static char buf[2 * MAPS_LINE_MAX];
	static struct maps_entry me;
	struct maps_stream ms;
	int found = 0;

	if (maps_stream_open(&ms, "/proc/self/maps", buf, sizeof(buf)) < 0)
		return 0;
	while (maps_stream_next(&ms, &me) == 1)
		if (me.start == (uintptr_t)p) {
			found = me.end == (uintptr_t)p + len && !me.shared &&
				me.prot == (PROT_READ | PROT_WRITE) &&
				me.inode == 0 && (!me.path[0] ||
				!strcmp(me.path, "[anon:" ARENA_NAME "]"));
			break;
		}
	maps_stream_close(&ms);
	return found;
}

static int arena_map(char *old, size_t old_len)
{
	size_t fixed = arena_fixed(), half;
	char *p = MAP_FAILED;

	if (old && old_len > fixed && still_ours(old, old_len)) {
		madvise(old, old_len, MADV_DONTNEED);	/* zero again */
		arena_layout(old, (old_len - fixed) / 2);
		return 0;
	}
	/* virtual space only (NORESERVE, touched as needed); smaller
	   when the address space is limited */
	for (half = 512u << 20; half >= (16u << 20); half /= 2) {
		p = mmap(NULL, fixed + 2 * half, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED)
			break;
	}
	if (p == MAP_FAILED)
		return -1;
	/* not MADV_WIPEONFORK: the forked image writer checks that its
	   copy of the memory is whole (a child of the application drops
	   its copy at dirty_init); named, so a line of its own */
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p,
	      fixed + 2 * half, (unsigned long)ARENA_NAME);
	arena_layout(p, half);
	return 0;
}

static size_t unit(void)
{
	return D.mech == DIRTY_HASH ? 8 : 1;
}

static void *data_of(const struct ent *e)
{
	return D.half[D.cur] + e->off;
}

static uint64_t data_alloc(uint64_t npages)
{
	uint64_t bytes = (npages * unit() + 7) & ~7ull, off = D.used;

	if (bytes > D.half_len - D.used)
		return NO_DATA;
	D.used += bytes;
	return off;
}

/* ---- entries: sorted by start, never overlapping ---- */

/* index of the last entry with start <= a, or -1 */
static int ent_find(uint64_t a)
{
	int lo = 0, hi = D.nent - 1, r = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (D.ent[mid].start <= a) {
			r = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return r;
}

static void ent_remove(int i)
{
	memmove(&D.ent[i], &D.ent[i + 1], (D.nent - i - 1) * sizeof(D.ent[0]));
	D.nent--;
}

static int ent_insert(const struct ent *e)
{
	int i = ent_find(e->start) + 1;

	if (D.nent >= MAX_ENT)
		return -1;
	memmove(&D.ent[i + 1], &D.ent[i], (D.nent - i) * sizeof(D.ent[0]));
	D.ent[i] = *e;
	D.nent++;
	return i;
}

/* Remove what overlaps [s, e) (keeping the parts outside, their values
   sliced); *ctx gets the context of the entry that held s, if any. */
static void ent_cut(uint64_t s, uint64_t e, int *ctx)
{
	int i = ent_find(s);

	if (i < 0 || D.ent[i].end <= s)
		i++;
	while (i < D.nent && D.ent[i].start < e) {
		struct ent old = D.ent[i];

		if (old.start <= s && s < old.end && ctx)
			*ctx = old.ctx;
		ent_remove(i);
		if (old.start < s) {
			struct ent lo = old;

			lo.end = s;
			i = ent_insert(&lo) + 1;
		}
		if (old.end > e) {
			struct ent hi = old;

			hi.start = e;
			if (hi.off != NO_DATA)
				hi.off += (e - old.start) / PAGE * unit();
			ent_insert(&hi);
			break;
		}
	}
}

/* An entry across a becomes two, each with its part of the values. */
static void ent_split(uint64_t a)
{
	int i = ent_find(a);
	struct ent hi;

	if (i < 0 || D.ent[i].start == a || D.ent[i].end <= a)
		return;
	hi = D.ent[i];
	hi.start = a;
	if (hi.off != NO_DATA)
		hi.off += (a - D.ent[i].start) / PAGE * unit();
	D.ent[i].end = a;
	ent_insert(&hi);	/* full: the part is forgotten, answers 0 */
}

/* ---- /proc/self/maps, read once a checkpoint ---- */

static uint64_t hex(const char **p)
{
	uint64_t v = 0;

	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

static void parse_line(const char *p, const char *end)
{
	struct line *l = &D.lines[D.nlines];
	uint64_t inode = 0;
	int field;

	l->start = hex(&p);
	if (*p++ != '-')
		return;
	l->end = hex(&p);
	if (*p++ != ' ' || end - p < 4)
		return;
	l->flags = (p[0] == 'r' ? L_READ : 0) | (p[3] == 's' ? L_SHARED : 0);
	for (field = 0; field < 3 && p < end; p++)	/* offset dev inode */
		if (*p == ' ')
			field++;
	while (p < end && *p >= '0' && *p <= '9')
		inode = inode * 10 + (uint64_t)(*p++ - '0');
	while (p < end && *p == ' ')
		p++;
	if (inode)
		l->flags |= L_FILE;
	if (p < end && *p == '[' && strncmp(p, "[heap]", 6) &&
	    strncmp(p, "[stack", 6) && strncmp(p, "[anon:", 6))
		l->flags |= L_SPECIAL;
	if (l->start < l->end)
		D.nlines++;
}

static void read_maps(void)
{
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	char *p, *nl;

	D.nlines = 0;
	if (fd < 0) {
		pr_warn("dirty pages: cannot open /proc/self/maps: %s; "
			"every area is stored whole", strerror(errno));
		return;
	}
	while (len < MAPS_CAP &&
	       (n = read(fd, D.maps + len, MAPS_CAP - len)) > 0)
		len += (size_t)n;
	close(fd);
	for (p = D.maps; p < D.maps + len && D.nlines < MAX_LINES; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(D.maps + len - p));
		if (!nl)
			break;	/* cut: the areas after it are not tracked */
		parse_line(p, nl);
	}
}

static const struct line *line_of(uint64_t s, uint64_t e)
{
	int lo = 0, hi = D.nlines - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (D.lines[mid].end <= s)
			lo = mid + 1;
		else if (D.lines[mid].start > s)
			hi = mid - 1;
		else
			return e <= D.lines[mid].end ? &D.lines[mid] : NULL;
	}
	return NULL;
}

/* Can the mechanism track [s, e)? */
static int trackable(uint64_t s, uint64_t e)
{
	const struct line *l = line_of(s, e);

	if (!l || (l->flags & L_SPECIAL))
		return 0;
	if (s < (uintptr_t)D.arena + D.arena_len && e > (uintptr_t)D.arena)
		return 0;	/* our own tables (merged with a neighbour) */
	if ((e - s) / PAGE * unit() > D.half_len / 2)
		return 0;	/* its values would not fit */
	if (D.mech == DIRTY_HASH)
		return (l->flags & L_READ) != 0;
	/* write faults of this process only: private anonymous memory,
	   one whole line (registering a part would split it) */
	return !(l->flags & (L_SHARED | L_FILE)) && l->start == s &&
	       l->end == e;
}

/* ---- page hashes ---- */

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* 64-bit hash of one page, four independent lanes (xxh64-like rounds:
   the multiplies of the lanes overlap) */
#define H_P1 0x9E3779B185EBCA87ull
#define H_P2 0xC2B2AE3D27D4EB4Full
#define H_ROUND(a, off) do { \
		uint64_t w_; \
		memcpy(&w_, p + (off), 8);	/* any type: no aliasing */ \
		(a) = rotl((a) + w_ * H_P2, 31) * H_P1; \
	} while (0)

static uint64_t page_hash(const unsigned char *p)
{
	uint64_t a0 = H_P1 + H_P2, a1 = H_P2, a2 = 0, a3 = 0 - H_P1, h;

	for (size_t i = 0; i < PAGE; i += 32) {
		H_ROUND(a0, i);
		H_ROUND(a1, i + 8);
		H_ROUND(a2, i + 16);
		H_ROUND(a3, i + 24);
	}
	h = rotl(a0, 1) + rotl(a1, 7) + rotl(a2, 12) + rotl(a3, 18);
	h = (h ^ (rotl(a0 * H_P2, 31) * H_P1)) * H_P1 + H_P2;
	h = (h ^ (rotl(a1 * H_P2, 31) * H_P1)) * H_P1 + H_P2;
	h = (h ^ (rotl(a2 * H_P2, 31) * H_P1)) * H_P1 + H_P2;
	h = (h ^ (rotl(a3 * H_P2, 31) * H_P1)) * H_P1 + H_P2;
	h ^= h >> 33;
	h *= H_P2;
	h ^= h >> 29;
	return h ? h : 1;	/* 0 means "could not be read" */
}

/* Read pages [a, a + n*PAGE) into D.rd; returns how many pages were
   read before the first that faults. */
static size_t read_pages(uint64_t a, size_t n)
{
	struct iovec l = { D.rd, n * PAGE }, r = { (void *)a, n * PAGE };
	ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);

	return got > 0 ? (size_t)got / PAGE : 0;
}

static void hash_collect(struct ent *e, int reliable, uint64_t *bm)
{
	uint64_t *h = data_of(e), np = (e->end - e->start) / PAGE, i = 0;
	const struct line *l = line_of(e->start, e->end);

	if (l && !(l->flags & (L_SHARED | L_FILE))) {
		/* readable private anonymous memory cannot fault (a page
		   never touched reads as the zero page): hash in place */
		for (; i < np; i++) {
			uint64_t v = page_hash((const unsigned char *)
					       (uintptr_t)(e->start + i * PAGE));

			if (reliable && v != h[i])
				bm[i / 64] |= 1ull << (i % 64);
			h[i] = v;
		}
		return;
	}
	while (i < np) {
		size_t want = np - i < RD_PAGES ? np - i : RD_PAGES;
		size_t got = read_pages(e->start + i * PAGE, want);

		for (size_t k = 0; k < got; k++, i++) {
			uint64_t v = page_hash(D.rd + k * PAGE);

			if (reliable && v != h[i])
				bm[i / 64] |= 1ull << (i % 64);
			h[i] = v;
		}
		if (got < want) {	/* page i faults: changed */
			bm[i / 64] |= 1ull << (i % 64);
			h[i++] = 0;
		}
	}
}

/* ---- soft-dirty: /proc/self/pagemap, cleared by clear_refs 4 ---- */

static int sd_collect(struct ent *e, int reliable, uint64_t *bm)
{
	unsigned char *pop = data_of(e);
	uint64_t np = (e->end - e->start) / PAGE, i = 0;

	while (i < np) {
		size_t want = np - i < PM_N ? np - i : PM_N;
		ssize_t got = pread(D.pm_fd, D.pm, want * 8,
				    (off_t)((e->start / PAGE + i) * 8));

		if (got < (ssize_t)(want * 8))
			return -1;
		dirty_softdirty_pages(D.pm, want, pop + i, reliable, bm, i);
		i += want;
	}
	return 0;
}

void dirty_softdirty_pages(const uint64_t *pm, size_t n, unsigned char *pop,
			   int reliable, uint64_t *bm, uint64_t first)
{
	for (size_t k = 0; k < n; k++) {
		uint64_t i = first + k;
		int now = (pm[k] & (PM_PRESENT | PM_SWAPPED)) != 0;

		if (reliable && ((pm[k] & PM_SOFT_DIRTY) || (pop[k] && !now)))
			bm[i / 64] |= 1ull << (i % 64);
		pop[k] = (unsigned char)now;
	}
}

static int write_clear_refs(void)
{
	return pwrite(D.cr_fd, "4", 1, 0) == 1 ? 0 : -1;
}

/* ---- userfaultfd write-protection, PAGEMAP_SCAN ---- */

/*
 * Scan [s, e): every populated page (present, swapped) is reported and
 * write-protected again (an unpopulated one is not touched: no page
 * table is made for it; written later, it comes back without the
 * protection and so as written).  With check, a page whose area is not
 * registered in async mode fails the scan (-1, EPERM).  Fills pop[]
 * and, when reliable, the bits of written or dropped pages.
 */
static int uffd_scan(uint64_t s, uint64_t e, unsigned char *pop,
		     int reliable, uint64_t *bm)
{
	uint64_t at = s, i;

	while (at < e) {
		struct pm_scan_arg a = {
			.size = sizeof(a),
			.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
			.start = at, .end = e,
			.vec = (uint64_t)(uintptr_t)D.vec, .vec_len = VEC_N,
			.category_anyof_mask = PAGE_IS_PRESENT |
					       PAGE_IS_SWAPPED | PAGE_IS_WRITTEN,
			.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED |
				       PAGE_IS_WRITTEN,
		};
		uint64_t from = at;
		int n = ioctl(D.pm_fd, PAGEMAP_SCAN, &a);

		if (n < 0)
			return -1;
		if (a.walk_end <= from || a.walk_end > e) {
			errno = EIO;	/* no progress: never loop */
			return -1;
		}
		for (int r = 0; r <= n; r++) {
			uint64_t rs = r < n ? D.vec[r].start : a.walk_end;
			uint64_t re = r < n ? D.vec[r].end : a.walk_end;

			for (i = (at - s) / PAGE; at < rs; at += PAGE, i++) {
				if (reliable && pop[i])	/* dropped */
					bm[i / 64] |= 1ull << (i % 64);
				pop[i] = 0;
			}
			for (; at < re; at += PAGE, i++) {
				if (reliable &&
				    (D.vec[r].categories & PAGE_IS_WRITTEN))
					bm[i / 64] |= 1ull << (i % 64);
				pop[i] = 1;
			}
		}
	}
	return 0;
}

/* Register [s, e) (one whole area) with a context that its neighbours
   do not have; 0 or -1.  A context that already has it says yes
   without change, another says EBUSY. */
static int uffd_register(uint64_t s, uint64_t e, int guess, int8_t *ctx)
{
	int below = ent_find(s - 1), above = ent_find(e - 1) + 1;
	int forbid[NCTX] = { 0 }, order[NCTX], n = 0;

	if (below >= 0 && D.ent[below].ctx >= 0)
		forbid[D.ent[below].ctx] = 1;
	if (above < D.nent && D.ent[above].ctx >= 0)
		forbid[D.ent[above].ctx] = 1;
	if (guess >= 0 && guess < NCTX && !forbid[guess])
		order[n++] = guess;
	for (int c = 0; c < NCTX; c++)
		if (!forbid[c] && c != guess)
			order[n++] = c;
	for (int c = 0; c < NCTX; c++)	/* last: no-op if it has it */
		if (forbid[c])
			order[n++] = c;
	for (int k = 0; k < n; k++) {
		struct uffdio_register r = {
			.range = { .start = s, .len = e - s },
			.mode = UFFDIO_REGISTER_MODE_WP,
		};

		if (ioctl(D.uffd[order[k]], UFFDIO_REGISTER, &r) == 0) {
			*ctx = (int8_t)order[k];
			return 0;
		}
		if (errno != EBUSY)
			break;
	}
	pr_debug("dirty pages: cannot register %#llx-%#llx: %s",
		 (unsigned long long)s, (unsigned long long)e, strerror(errno));
	return -1;
}

/* ---- the interface ---- */

/* Do valid entries with values cover [s, e) without a gap, from i? */
static int covered(int i, uint64_t s, uint64_t e)
{
	uint64_t at = s;

	for (; i >= 0 && i < D.nent && at < e; i++) {
		const struct ent *t = &D.ent[i];

		if (t->start > at || t->end <= at || !t->valid ||
		    t->off == NO_DATA)
			return 0;
		at = t->end;
	}
	return at >= e;
}

/* The entries from i tile [s, e) exactly: make them one (new values). */
static int join(int i, uint64_t s, uint64_t e)
{
	struct ent one = D.ent[i];
	uint64_t off = data_alloc((e - s) / PAGE);

	if (off == NO_DATA)
		return -1;
	while (i < D.nent && D.ent[i].start < e) {
		const struct ent *t = &D.ent[i];

		memcpy(D.half[D.cur] + off + (t->start - s) / PAGE * unit(),
		       data_of(t), (t->end - t->start) / PAGE * unit());
		ent_remove(i);
	}
	one.end = e;
	one.off = off;
	return ent_insert(&one) < 0 ? -1 : 0;
}

/* Tracking on: initialised, a mechanism, and this process's (a child
   of fork that did not call dirty_reset has its parent's descriptors
   and empty tables: it answers 0, never a wrong delta). */
static int active(void)
{
	if (!D.inited || D.mech == DIRTY_NONE)
		return 0;
	if (D.pid != getpid()) {
		pr_warn("dirty pages: process %d uses the tracking of %d "
			"(no dirty_reset after fork): every area stored whole",
			(int)getpid(), (int)D.pid);
		D.mech = DIRTY_NONE;
		return 0;
	}
	return 1;
}

void dirty_begin(void)
{
	if (!active())
		return;
	read_maps();
	for (int i = 0; i < D.nent;) {
		D.ent[i].seen = 0;
		/* a context kept for an area that is gone */
		if (!D.ent[i].valid && !line_of(D.ent[i].start, D.ent[i].end))
			ent_remove(i);
		else
			i++;
	}
}

int dirty_collect(uint64_t start, uint64_t end, uint64_t *bitmap)
{
	uint64_t np = end > start ? (end - start) / PAGE : 0;
	struct ent ne, *e;
	int i, reliable, guess = -1, r = 0;

	memset(bitmap, 0, (np + 63) / 64 * 8);
	if (!active() || !np ||
	    ((start | end) & (PAGE - 1)))
		return 0;
	if (!trackable(start, end)) {
		ent_cut(start, end, NULL);
		return 0;
	}
	i = ent_find(start);
	reliable = covered(i, start, end);
	if (reliable) {
		/* exactly this area: cut the rest of the entries off,
		   join the pieces (an mprotect split it, then not) */
		ent_split(start);
		ent_split(end);
		i = ent_find(start);
		reliable = i >= 0 && D.ent[i].start == start &&
			   covered(i, start, end);
		if (reliable && D.ent[i].end < end && join(i, start, end) < 0)
			reliable = 0;
		i = ent_find(start);
	}
	if (!reliable) {
		ent_cut(start, end, &guess);
		ne = (struct ent){ .start = start, .end = end, .ctx = -1,
				   .off = data_alloc(np) };
		if (ne.off == NO_DATA || (i = ent_insert(&ne)) < 0)
			return 0;
		if (D.mech == DIRTY_UFFD &&
		    uffd_register(start, end, guess, &D.ent[i].ctx) < 0) {
			ent_remove(i);
			return 0;
		}
	}
	e = &D.ent[i];
	e->seen = 1;
	switch (D.mech) {
	case DIRTY_HASH:
		hash_collect(e, reliable, bitmap);
		break;
	case DIRTY_SOFTDIRTY:
		r = sd_collect(e, reliable, bitmap);
		break;
	case DIRTY_UFFD:
		r = uffd_scan(start, end, data_of(e), reliable, bitmap);
		if (r < 0 && reliable) {
			/* no longer registered (munmap + mmap, mremap):
			   register the new mapping and start over */
			memset(bitmap, 0, (np + 63) / 64 * 8);
			reliable = 0;
			if (uffd_register(start, end, e->ctx, &e->ctx) == 0)
				r = uffd_scan(start, end, data_of(e), 0,
					      bitmap);
		}
		break;
	default:
		break;
	}
	if (r < 0) {
		pr_debug("dirty pages: cannot track %#llx-%#llx: %s",
			 (unsigned long long)start, (unsigned long long)end,
			 strerror(errno));
		memset(bitmap, 0, (np + 63) / 64 * 8);
		ent_remove(ent_find(start));
		return 0;
	}
	e->valid = 1;
	return reliable;
}

void dirty_end(int ok)
{
	char *to;
	size_t used = 0;

	if (!active())
		return;
	if (!ok) {
		/* forget: the next collect of every area answers 0 */
		for (int i = 0; i < D.nent; i++) {
			D.ent[i].valid = 0;
			D.ent[i].off = NO_DATA;
		}
		madvise(D.half[D.cur], D.used, MADV_DONTNEED);
		D.used = 0;
		return;
	}
	if (D.mech == DIRTY_SOFTDIRTY && write_clear_refs() < 0) {
		pr_warn("dirty pages: cannot write /proc/self/clear_refs: %s; "
			"the next checkpoint stores every area whole",
			strerror(errno));
		dirty_end(0);
		return;
	}
	/* keep what this checkpoint collected, in the other half */
	to = D.half[!D.cur];
	for (int i = 0; i < D.nent;) {
		struct ent *e = &D.ent[i];
		size_t bytes = (e->end - e->start) / PAGE * unit();

		if (!e->seen || !e->valid || e->off == NO_DATA) {
			/* not in this image: no delta next time; with
			   uffd its context still matters to its
			   neighbours' (dirty_begin drops it when gone) */
			e->valid = 0;
			e->off = NO_DATA;
			if (e->ctx < 0)
				ent_remove(i);
			else
				i++;
			continue;
		}
		memcpy(to + used, data_of(e), bytes);
		e->off = used;
		used += (bytes + 7) & ~(size_t)7;
		i++;
	}
	madvise(D.half[D.cur], D.used, MADV_DONTNEED);
	D.cur = !D.cur;
	D.used = used;
}

void dirty_private_ranges(void (*fn)(void *arg, const void *p, size_t len),
			  void *arg)
{
	if (D.arena)
		fn(arg, D.arena, D.arena_len);
}

void dirty_reset(void)
{
	char *old_arena;
	size_t old_len;

	if (D.pm_fd >= 0)
		close(D.pm_fd);
	if (D.cr_fd >= 0)
		close(D.cr_fd);
	for (int c = 0; c < NCTX; c++)
		if (D.uffd[c] >= 0)
			close(D.uffd[c]);
	old_arena = D.arena ? D.arena : D.old_arena;
	old_len = D.arena ? D.arena_len : D.old_len;
	memset(&D, 0, sizeof(D));
	D.pm_fd = D.cr_fd = -1;
	for (int c = 0; c < NCTX; c++)
		D.uffd[c] = -1;
	/* not unmapped here: after a restart something else may be mapped
	   there now; dirty_init takes it back if it is still ours */
	D.old_arena = old_arena;
	D.old_len = old_len;
}

/* ---- probes ---- */

/* open path at the reserved number want: the fd, or -1 */
static int open_at(const char *path, int flags, int want, const char *what)
{
	int fd = open(path, flags | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = dmtcp_place_fd(fd, want, what);
	if (fd != want)
		close(fd);
	if (r >= 0)
		fcntl(r, F_SETFD, FD_CLOEXEC);
	return r;
}

static uint64_t pm_entry(const void *p)
{
	uint64_t v = 0;

	if (pread(D.pm_fd, &v, 8, (off_t)((uintptr_t)p / PAGE * 8)) != 8)
		return 0;
	return v;
}

static int probe_softdirty(char *why, size_t cap)
{
	volatile char *p;
	int ok = 0;

	if (D.pm_fd < 0) {
		snprintf(why, cap, "cannot open /proc/self/pagemap");
		return 0;
	}
	D.cr_fd = open_at("/proc/self/clear_refs", O_WRONLY, FD_CLEAR_REFS,
			  "/proc/self/clear_refs");
	if (D.cr_fd < 0) {
		snprintf(why, cap, "cannot open /proc/self/clear_refs: %s",
			 strerror(errno));
		return 0;
	}
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(why, cap, "cannot map a probe page: %s",
			 strerror(errno));
		return 0;
	}
	p[0] = 1;
	if (write_clear_refs() < 0)
		snprintf(why, cap, "writing 4 to /proc/self/clear_refs: %s",
			 strerror(errno));
	else if (pm_entry((void *)p) & PM_SOFT_DIRTY)
		snprintf(why, cap, "clear_refs 4 left pagemap bit 55 set");
	else if ((p[0] = 2), !(pm_entry((void *)p) & PM_SOFT_DIRTY))
		snprintf(why, cap, "a page written after clear_refs 4 does "
			 "not have pagemap bit 55 set (no "
			 "CONFIG_MEM_SOFT_DIRTY)");
	else
		ok = 1;
	munmap((void *)p, PAGE);
	if (!ok) {
		close(D.cr_fd);
		D.cr_fd = -1;
	}
	return ok;
}

static int new_uffd(uint64_t features, uint64_t *got)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = (int)syscall(SYS_userfaultfd,
			      O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (got)
		*got = api.features;
	return fd;
}

/* async write-protection works: register two pages, write one, scan */
static int uffd_selftest(char *why, size_t cap)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register r = {
		.range = { .start = (uintptr_t)p, .len = 2 * PAGE },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	unsigned char pop[2];
	uint64_t bm = 0;
	int ok = 0;

	if (p == MAP_FAILED) {
		snprintf(why, cap, "cannot map a probe page: %s",
			 strerror(errno));
		return 0;
	}
	p[0] = p[PAGE] = 1;
	if (ioctl(D.uffd[0], UFFDIO_REGISTER, &r) < 0)
		snprintf(why, cap, "UFFDIO_REGISTER (write-protect) of "
			 "anonymous memory: %s", strerror(errno));
	else if (uffd_scan((uintptr_t)p, (uintptr_t)p + 2 * PAGE, pop, 0,
			   &bm) < 0)
		snprintf(why, cap, "the PAGEMAP_SCAN ioctl on /proc/self/"
			 "pagemap: %s", errno == ENOTTY || errno == EINVAL ?
			 "not in this kernel (Linux 6.7+)" : strerror(errno));
	else if ((p[PAGE] = 2),
		 uffd_scan((uintptr_t)p, (uintptr_t)p + 2 * PAGE, pop, 1,
			   &bm) < 0 || bm != 2)
		snprintf(why, cap, "PAGEMAP_SCAN did not report the one "
			 "page written after write-protection (%#llx)",
			 (unsigned long long)bm);
	else
		ok = 1;
	munmap(p, 2 * PAGE);
	return ok;
}

static int probe_uffd(char *why, size_t cap)
{
	uint64_t have = 0, want;
	int fd;

	if (D.pm_fd < 0) {
		snprintf(why, cap, "cannot open /proc/self/pagemap");
		return 0;
	}
	fd = new_uffd(0, &have);
	if (fd < 0) {
		snprintf(why, cap, "userfaultfd(UFFD_USER_MODE_ONLY): %s",
			 strerror(errno));
		return 0;
	}
	close(fd);
	if (!(have & UFFD_FEATURE_WP_ASYNC)) {
		snprintf(why, cap, "userfaultfd has no UFFD_FEATURE_WP_ASYNC "
			 "(Linux 6.7+)");
		return 0;
	}
	want = UFFD_FEATURE_WP_ASYNC | (have & UFFD_FEATURE_WP_UNPOPULATED);
	for (int c = 0; c < NCTX; c++) {
		fd = new_uffd(want, NULL);
		if (fd < 0 || (D.uffd[c] = dmtcp_place_fd(fd, FD_UFFD + c,
							  "a userfaultfd")) < 0) {
			snprintf(why, cap, "userfaultfd with WP_ASYNC: %s",
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return 0;
		}
		if (fd != D.uffd[c])
			close(fd);
		fcntl(D.uffd[c], F_SETFD, FD_CLOEXEC);
	}
	return uffd_selftest(why, cap);
}

static void close_uffds(void)
{
	for (int c = 0; c < NCTX; c++) {
		if (D.uffd[c] >= 0)
			close(D.uffd[c]);
		D.uffd[c] = -1;
	}
}

static int probe_hash(char *why, size_t cap)
{
	static volatile uint64_t probe = 0x1234;
	uint64_t got = 0;
	struct iovec l = { &got, 8 }, r = { (void *)&probe, 8 };

	if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) != 8 || got != probe) {
		snprintf(why, cap, "process_vm_readv of this process: %s",
			 strerror(errno));
		return 0;
	}
	return 1;
}

static int probe(enum dirty_mech m)
{
	char *why = D.why[m];
	size_t cap = sizeof(D.why[m]);

	switch (m) {
	case DIRTY_SOFTDIRTY:
		return D.avail[m] = probe_softdirty(why, cap);
	case DIRTY_UFFD:
		D.avail[m] = probe_uffd(why, cap);
		if (!D.avail[m])
			close_uffds();
		return D.avail[m];
	case DIRTY_HASH:
		return D.avail[m] = probe_hash(why, cap);
	default:
		return D.avail[m] = 1;
	}
}

enum dirty_mech dirty_init(void)
{
	static const enum dirty_mech best[] = { DIRTY_SOFTDIRTY, DIRTY_UFFD,
						DIRTY_HASH, DIRTY_NONE };
	const char *env = getenv("DMTCP_DIRTY");
	int forced = -1;

	if (D.inited)
		return D.mech;
	if (env && *env && strcmp(env, "auto")) {
		for (int m = 0; m < 4; m++)
			if (!strcmp(env, names[m]))
				forced = m;
		if (forced < 0)
			pr_warn("DMTCP_DIRTY=%s: not one of auto, soft-dirty, "
				"uffd, hash, none; using auto", env);
	}
	D.inited = 1;
	D.pid = getpid();
	D.mech = DIRTY_NONE;
	if (forced == DIRTY_NONE) {
		if (D.old_arena && still_ours(D.old_arena, D.old_len))
			munmap(D.old_arena, D.old_len);
		return D.mech;
	}
	if (arena_map(D.old_arena, D.old_len) < 0) {
		pr_warn("dirty pages: cannot map the tables: %s; "
			"incremental checkpoints store every area whole",
			strerror(errno));
		return D.mech;
	}
	D.pm_fd = open_at("/proc/self/pagemap", O_RDONLY, FD_PAGEMAP,
			  "/proc/self/pagemap");
	if (forced > 0 && probe((enum dirty_mech)forced))
		D.mech = (enum dirty_mech)forced;
	for (int k = 0; D.mech == DIRTY_NONE && best[k] != DIRTY_NONE; k++)
		if ((int)best[k] != forced && probe(best[k]))
			D.mech = best[k];
	if (forced > 0 && D.mech != (enum dirty_mech)forced)
		pr_warn("DMTCP_DIRTY=%s: this kernel cannot: %s; using %s",
			names[forced], D.why[forced], names[D.mech]);
	/* what the chosen mechanism does not use goes */
	if (D.mech != DIRTY_UFFD)
		close_uffds();
	if (D.mech != DIRTY_SOFTDIRTY && D.cr_fd >= 0) {
		close(D.cr_fd);
		D.cr_fd = -1;
	}
	if (D.mech == DIRTY_NONE) {
		/* nothing works here: no tables, no descriptor (the writer
		   leaves out only the ranges of a mechanism at work) */
		if (D.pm_fd >= 0)
			close(D.pm_fd);
		D.pm_fd = -1;
		munmap(D.arena, D.arena_len);
		D.arena = NULL;
		D.arena_len = 0;
	}
	pr_debug("dirty pages: tracked by %s", names[D.mech]);
	return D.mech;
}
