/*
 * image/write.c - write this process's checkpoint image.
 *
 * Runs in the checkpoint thread with every other thread frozen: no heap
 * allocation (scratch memory is mmap'd and its pages are left out of
 * the image).  Memory areas come from /proc/self/maps; which pages are
 * stored comes from /proc/self/pagemap (private memory: present or
 * swapped pages that are not all zero; private file mappings: every
 * page, flagged clean when it still equals the file) or mincore (shared
 * memory).  Every generation has its own names
 * (ckpt_<prog>_<id>_<gen>.dmtcp and its .ipc side file), each written
 * under a temporary name, fsync'd and renamed, so a checkpoint never
 * touches the files of the previous one; which generation is current
 * is the coordinator's restart script (doc/design.md, "Checkpoint as a
 * transaction").
 *
 * Pages that cannot be read (a file mapping past the end of its file, a
 * file that shrinks while we read it) never crash the process: see
 * "Reading memory that may fault" below.
 */
#include "config.h"
#include "image/image.h"
#include "fd/fd.h"
#include "ipc/ipc.h"
#include "log.h"
#include "maps.h"
#include "base/sys.h"
#include "util.h"
#include "safefile.h"
#include "img.h"
#include "dmtcp/ipc-side.h"
#include "image/dirty.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PAGE 4096UL
#define PM_BATCH 8192		/* pagemap entries read at once */
#define MAX_RUNS (1u << 18)
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)
#define BOUNCE (1u << 20)	/* copy of file-backed pages, IMG_ZCHUNK_MAX */
#define MAX_PRIV 32
#define DBITS_CAP (64u << 20)	/* dirty bitmaps: 2 TiB of memory */

extern char **environ;

struct run {
	uint64_t addr, len;
	uint32_t flags;
};

/* Scratch memory of one checkpoint; all of it mmap'd. */
struct scratch {
	char *maps;
	size_t maps_cap;
	long maps_len;
	uint64_t *pm;		/* pagemap batch */
	unsigned char *mc;	/* mincore batch */
	struct run *runs;
	char *meta;		/* env/auxv/cmdline/fds payloads */
	size_t meta_cap;
	int pagemap_fd;
	unsigned char *bounce;	/* BOUNCE bytes: pages that may fault */
	/* ranges whose pages never go into the image */
	struct { uint64_t lo, hi; } priv[MAX_PRIV];
	int npriv;
	char why[512];		/* why memory capture failed, if it did */
	/* incremental images: per area of maps (in its order), whether
	   dirty tracking answered for it and its bitmap in dbits */
	int delta;		/* this image is IMG_F_DELTA */
	uint64_t *dbits;	/* DBITS_CAP bytes, MAP_NORESERVE */
	size_t dbits_used;	/* uint64_t words */
	struct darea { uint64_t off; int tracked; } *dareas;
	int ndareas;
	uint32_t *resident;	/* forked writer: resident pages of each
				   private anonymous area at the barrier */
};
#define MAX_DAREAS 65536

static void *scratch_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void add_priv(struct scratch *s, const void *p, size_t len)
{
	if (p && s->npriv < MAX_PRIV) {
		s->priv[s->npriv].lo = (uint64_t)p & ~(PAGE - 1);
		s->priv[s->npriv].hi = ((uint64_t)p + len + PAGE - 1) &
				       ~(PAGE - 1);
		s->npriv++;
	}
}

static int is_priv(const struct scratch *s, uint64_t addr)
{
	for (int i = 0; i < s->npriv; i++)
		if (addr >= s->priv[i].lo && addr < s->priv[i].hi)
			return 1;
	return 0;
}

/* not inlined into guarded_page_is_zero: sigsetjmp there would keep
   this loop's variables in memory */
static __attribute__((noinline)) int page_is_zero(const void *p)
{
	const uint64_t *w = p;
	uint64_t acc = 0;

	if (w[0] || w[PAGE / 16] || w[PAGE / 8 - 1])
		return 0;
	for (unsigned i = 0; i < PAGE / 8; i += 8)
		acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] |
		       w[i + 5] | w[i + 6] | w[i + 7];
	return acc == 0;
}

/*
 * Reading memory that may fault.  Every other thread is frozen, so no
 * mapping changes while the areas are written, but some pages of a
 * mapping cannot be read at all: a file mapping past the end of its
 * file raises SIGBUS (the loader maps a library's whole span from the
 * file before it maps the segments over it, so a thread frozen inside
 * dlopen leaves such a mapping; a program may map more than a file
 * holds or truncate a mapped file), and a file can shrink while we read
 * it (a process outside the computation truncates it).  The checkpoint
 * thread blocks every signal, and a fault with its signal blocked kills
 * the process.  So, while the areas are written, SIGSEGV and SIGBUS are
 * unblocked on this thread and caught: a fault inside a guarded read
 * (an address in [lo, hi)) jumps back to it.  The jump saves no mask
 * (no system call per read): the handler runs with SA_NODEFER and an
 * empty sa_mask, so the thread's mask after the jump is the one before.
 * The same signals sent by kill() meanwhile are queued again, to the
 * process, once the guard is off; a fault anywhere else is ours: the
 * default action is put back and the process dies of it, as before.
 */
static struct {
	sigjmp_buf env;
	volatile int armed;
	volatile uint64_t lo, hi;	/* the guarded read */
	int on;
	int tid;			/* the thread reading (a forked
					   writer is not the ckpt thread) */
	struct sigaction old[2];
	sigset_t oldmask;
	volatile int sent[2];
	siginfo_t sent_info[2];
} guard;

static const int guard_sigs[2] = { SIGSEGV, SIGBUS };

#define COMPILER_BARRIER() __asm__ volatile("" ::: "memory")

static void guard_handler(int sig, siginfo_t *si, void *uc)
{
	int i = sig == SIGBUS;
	uint64_t addr = (uint64_t)si->si_addr;

	(void)uc;
	if (si->si_code > 0 && guard.armed && addr >= guard.lo &&
	    addr < guard.hi && rsys_gettid() == guard.tid) {
		guard.armed = 0;
		siglongjmp(guard.env, 1);
	}
	if (si->si_code <= 0) {
		/* kill(), sigqueue(), tgkill(): not a fault */
		if (!guard.sent[i]) {
			guard.sent_info[i] = *si;
			guard.sent[i] = 1;
		}
		return;
	}
	/* a fault outside a guarded read: returning repeats it, fatally */
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	REAL(sigaction)(sig, &dfl, NULL);
}

static void guard_on(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	guard.armed = 0;
	guard.tid = rsys_gettid();
	guard.sent[0] = guard.sent[1] = 0;
	for (int i = 0; i < 2; i++) {
		REAL(sigaction)(guard_sigs[i], &sa, &guard.old[i]);
		sigaddset(&set, guard_sigs[i]);
	}
	REAL(sigprocmask)(SIG_UNBLOCK, &set, &guard.oldmask);
	guard.on = 1;
}

static void guard_off(void)
{
	if (!guard.on)
		return;
	guard.on = 0;
	REAL(sigprocmask)(SIG_SETMASK, &guard.oldmask, NULL);
	for (int i = 0; i < 2; i++)
		REAL(sigaction)(guard_sigs[i], &guard.old[i], NULL);
	/* pending for the process again; delivered once threads run */
	for (int i = 0; i < 2; i++)
		if (guard.sent[i])
			rsys3(SYS_rt_sigqueueinfo, rsys_getpid(),
			      guard_sigs[i], (long)&guard.sent_info[i]);
}

/* memcpy from memory that may fault: 0, or -1 if a page of src faulted */
static __attribute__((noinline)) int guarded_copy(void *dst, const void *src,
						   size_t len)
{
	guard.lo = (uint64_t)src;
	guard.hi = (uint64_t)src + len;
	if (sigsetjmp(guard.env, 0))
		return -1;
	guard.armed = 1;
	COMPILER_BARRIER();
	memcpy(dst, src, len);
	COMPILER_BARRIER();
	guard.armed = 0;
	return 0;
}

/* 1 if the page is all zero, 0 if not, -1 if it cannot be read */
static __attribute__((noinline)) int guarded_page_is_zero(const void *p)
{
	int z;

	guard.lo = (uint64_t)p;
	guard.hi = (uint64_t)p + PAGE;
	if (sigsetjmp(guard.env, 0))
		return -1;
	guard.armed = 1;
	COMPILER_BARRIER();
	z = page_is_zero(p);
	COMPILER_BARRIER();
	guard.armed = 0;
	return z;
}

/*
 * Pages written straight from memory (anonymous memory, whose pages
 * pagemap says exist): a fault there is not expected, but if one
 * happens the checkpoint fails (-2, the writer is left half way)
 * instead of the process.  A raw image's writev gets EFAULT instead.
 */
static __attribute__((noinline)) int guarded_write(struct img_writer *w,
						    uint64_t addr, size_t len,
						    uint32_t flags)
{
	int rc;

	guard.lo = addr;
	guard.hi = addr + len;
	if (sigsetjmp(guard.env, 0))
		return -2;
	guard.armed = 1;
	COMPILER_BARRIER();
	rc = img_write_pages(w, addr, (const void *)addr, len, flags);
	COMPILER_BARRIER();
	guard.armed = 0;
	return rc;
}

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = util_read_all(fd, buf, cap);
	close(fd);
	return n;
}

/* Fields of /proc/self/stat that PR_SET_MM_MAP can restore. */
static void read_mm(struct img_mm *mm)
{
	char buf[2048];
	ssize_t n = read_file("/proc/self/stat", buf, sizeof(buf) - 1);
	uint64_t f[64];
	int nf = 0;
	char *p;

	memset(mm, 0, sizeof(*mm));
	if (n <= 0)
		return;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return;
	p += 2;			/* field 3: state */
	f[nf++] = 0;		/* state placeholder (field 3) */
	while (*p && *p != ' ')
		p++;
	while (*p && nf < 60) {
		while (*p == ' ')
			p++;
		f[nf++] = strtoull(p, &p, 10);
	}
	/* f[i] is field i + 3 */
#define FIELD(k) ((k) - 3 < nf ? f[(k) - 3] : 0)
	mm->start_code = FIELD(26);
	mm->end_code = FIELD(27);
	mm->start_stack = FIELD(28);
	mm->start_data = FIELD(45);
	mm->end_data = FIELD(46);
	mm->start_brk = FIELD(47);
	mm->arg_start = FIELD(48);
	mm->arg_end = FIELD(49);
	mm->env_start = FIELD(50);
	mm->env_end = FIELD(51);
#undef FIELD
	mm->brk = rsys1(SYS_brk, 0);
}

/* ELF identity of a mapped file: build-id and load bias. */
struct elf_id {
	uint64_t dev, inode;
	int valid, is_elf;
	uint64_t first_vaddr;	/* page-aligned vaddr of the offset-0 load */
	uint8_t build_id[20];
	uint32_t build_id_len;
};

static void elf_identify(const char *path, struct elf_id *id)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	char note[2048];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int nph;

	id->is_elf = 0;
	id->build_id_len = 0;
	if (fd < 0)
		return;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		goto out;
	nph = eh.e_phnum < 64 ? eh.e_phnum : 64;
	if (pread(fd, ph, nph * sizeof(ph[0]), eh.e_phoff) !=
	    (ssize_t)(nph * sizeof(ph[0])))
		goto out;
	id->is_elf = 1;
	id->first_vaddr = 0;
	for (int i = 0; i < nph; i++) {
		if (ph[i].p_type == PT_LOAD) {
			id->first_vaddr = (ph[i].p_vaddr - ph[i].p_offset) &
					  ~(PAGE - 1);
			break;
		}
	}
	for (int i = 0; i < nph && !id->build_id_len; i++) {
		size_t len = ph[i].p_filesz < sizeof(note) ? ph[i].p_filesz
							   : sizeof(note);
		size_t off = 0;

		if (ph[i].p_type != PT_NOTE)
			continue;
		if (pread(fd, note, len, ph[i].p_offset) != (ssize_t)len)
			continue;
		while (off + sizeof(Elf64_Nhdr) <= len) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(note + off);
			size_t name_sz = (nh->n_namesz + 3) & ~3u;
			size_t desc_sz = (nh->n_descsz + 3) & ~3u;
			const char *name = note + off + sizeof(*nh);
			const uint8_t *desc = (const uint8_t *)name + name_sz;

			if (off + sizeof(*nh) + name_sz + desc_sz > len)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
			    nh->n_descsz <= sizeof(id->build_id)) {
				memcpy(id->build_id, desc, nh->n_descsz);
				id->build_id_len = nh->n_descsz;
				break;
			}
			off += sizeof(*nh) + name_sz + desc_sz;
		}
	}
out:
	close(fd);
}

/*
 * STORE_ALL: every page (private file mappings, deleted files);
 * STORE_SPARSE: pages that exist and are not zero (private anonymous);
 * STORE_RESIDENT: resident pages that are not zero (shared memory);
 * STORE_DIRTY: pages the process changed (a private file mapping it
 * cannot read: the others come from the file).
 */
enum store_mode { STORE_NONE, STORE_ALL, STORE_SPARSE, STORE_RESIDENT,
		  STORE_DIRTY };


/*
 * A raw image the process maps its pages from (a restarted process): it
 * is replaced by the next checkpoint, so its pages are always stored.
 */
static int is_image_file(const char *path)
{
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	return n == (ssize_t)sizeof(magic) && memcmp(magic, "DMTCPIMG", 8) == 0;
}

static int classify(const struct maps_entry *e, struct img_area *a,
		    struct stat *st)
{
	const char *p = e->path;

	memset(a, 0, sizeof(*a));
	a->start = e->start;
	a->end = e->end;
	a->offset = e->offset;
	a->prot = e->prot;
	if (e->shared) {
		a->flags |= IMG_AF_SHARED;
		/* the shared memory object: processes sharing it match here */
		a->dev = makedev(e->dev_major, e->dev_minor);
		a->inode = e->inode;
	}
	if (p[0] == '[') {
		if (strcmp(p, "[heap]") == 0) {
			a->kind = IMG_AREA_ANON;
			a->flags |= IMG_AF_HEAP;
			return STORE_SPARSE;
		}
		if (strcmp(p, "[stack]") == 0) {
			a->kind = IMG_AREA_ANON;
			a->flags |= IMG_AF_STACK | IMG_AF_GROWSDOWN;
			return STORE_SPARSE;
		}
		if (strncmp(p, "[anon:", 6) == 0) {
			a->kind = e->shared ? IMG_AREA_SHARED_ANON
					    : IMG_AREA_ANON;
			return e->shared ? STORE_RESIDENT : STORE_SPARSE;
		}
		if (strncmp(p, "[anon_shmem:", 12) == 0) {
			a->kind = IMG_AREA_SHARED_ANON;
			return STORE_RESIDENT;
		}
		a->kind = IMG_AREA_SPECIAL;	/* vdso, vvar*, vsyscall, ... */
		return STORE_NONE;
	}
	if (p[0] == 0) {
		a->kind = e->shared ? IMG_AREA_SHARED_ANON : IMG_AREA_ANON;
		return e->shared ? STORE_RESIDENT : STORE_SPARSE;
	}
	if (strcmp(p, "/dev/zero") == 0 || strncmp(p, "/SYSV", 5) == 0) {
		a->kind = e->shared ? IMG_AREA_SHARED_ANON : IMG_AREA_ANON;
		return e->shared ? STORE_RESIDENT : STORE_SPARSE;
	}
	if (e->deleted || strncmp(p, "/memfd:", 7) == 0 ||
	    stat(p, st) < 0 || st->st_ino != e->inode ||
	    major(st->st_dev) != e->dev_major ||
	    minor(st->st_dev) != e->dev_minor) {
		/* the file is gone or was replaced: keep every byte */
		a->kind = IMG_AREA_DELETED;
		a->inode = e->inode;
		return e->shared ? STORE_RESIDENT : STORE_ALL;
	}
	a->dev = st->st_dev;
	a->inode = st->st_ino;
	a->file_size = st->st_size;
	a->mtime_sec = st->st_mtim.tv_sec;
	a->mtime_nsec = st->st_mtim.tv_nsec;
	if (!S_ISREG(st->st_mode)) {
		a->kind = IMG_AREA_SPECIAL;	/* device mapping */
		return STORE_NONE;
	}
	if (e->shared) {
		a->kind = IMG_AREA_SHARED_FILE;	/* the file holds the data */
		return STORE_NONE;
	}
	a->kind = IMG_AREA_FILE;
	if (!(e->prot & PROT_READ))
		return STORE_DIRTY;	/* the rest comes from the file */
	if (dmtcp_cfg.skip_file_pages && !is_image_file(p))
		a->flags |= IMG_AF_FILE_PAGES_OMITTED;
	else
		a->flags |= IMG_AF_DATA_ALL;
	return STORE_ALL;
}

/* Decide which pages of [start, end) are stored; fills s->runs. */
static int plan_runs(struct scratch *s, const struct img_area *a, int mode,
		     const uint64_t *dbits, int *nruns, uint64_t *bytes)
{
	uint64_t start = a->start, end = a->end;
	int n = 0;

	*bytes = 0;
	/*
	 * Pages of a file mapping past the end of the file raise SIGBUS:
	 * nothing to store.  A restart maps the file again (area file_size
	 * and mtime equal), so they raise SIGBUS again, or maps anonymous
	 * memory where they read as zeros when the file changed.
	 */
	if (a->kind == IMG_AREA_FILE) {
		uint64_t eof = (a->file_size + PAGE - 1) & ~(PAGE - 1);

		if (a->offset >= eof)
			end = start;
		else if (eof - a->offset < end - start)
			end = start + (eof - a->offset);
	}
	for (uint64_t base = start; base < end; base += PM_BATCH * PAGE) {
		uint64_t cnt = (end - base) / PAGE;

		if (cnt > PM_BATCH)
			cnt = PM_BATCH;
		if (mode == STORE_RESIDENT) {
			if (mincore((void *)base, cnt * PAGE, s->mc) < 0)
				memset(s->mc, 1, cnt);
		} else if (pread(s->pagemap_fd, s->pm, cnt * 8,
				 base / PAGE * 8) != (ssize_t)(cnt * 8)) {
			/* no pagemap: store everything */
			for (uint64_t i = 0; i < cnt; i++)
				s->pm[i] = PM_PRESENT;
		}
		for (uint64_t i = 0; i < cnt; i++) {
			uint64_t addr = base + i * PAGE;
			uint32_t fl = 0;
			int keep;

			if (is_priv(s, addr))
				continue;
			if (dbits) {
				/* IMG_AF_DELTA: the pages changed since the
				   parent, zero runs where they went away */
				uint64_t pg = (addr - a->start) / PAGE;

				if (!(dbits[pg / 64] & (1ull << (pg % 64))))
					continue;
			}
			if (mode == STORE_RESIDENT) {
				keep = s->mc[i] & 1;
			} else if (mode == STORE_DIRTY) {
				uint64_t pm = s->pm[i];

				keep = (pm & PM_SWAPPED) ||
				       ((pm & PM_PRESENT) && !(pm & PM_FILE));
			} else if (mode == STORE_ALL) {
				uint64_t pm = s->pm[i];
				int dirty = (pm & PM_SWAPPED) ||
					    ((pm & PM_PRESENT) &&
					     !(pm & PM_FILE));

				keep = 1;
				if (a->kind == IMG_AREA_FILE && !dirty) {
					fl = IMG_PF_FILE_CLEAN;
					if (a->flags &
					    IMG_AF_FILE_PAGES_OMITTED)
						keep = 0;
				}
			} else {
				keep = (s->pm[i] & (PM_PRESENT | PM_SWAPPED))
				       != 0;
			}
			/* zero, or gone (a shared object truncated) */
			if (keep && mode != STORE_ALL && mode != STORE_DIRTY &&
			    guarded_page_is_zero((void *)addr) != 0)
				keep = 0;
			if (!keep && dbits) {
				/* the parent's page is zero now */
				keep = 1;
				fl = IMG_PF_ZERO;
			}
			if (!keep)
				continue;
			if (n > 0 && s->runs[n - 1].addr + s->runs[n - 1].len
				     == addr && s->runs[n - 1].flags == fl) {
				s->runs[n - 1].len += PAGE;
			} else if (n < (int)MAX_RUNS) {
				s->runs[n].addr = addr;
				s->runs[n].len = PAGE;
				s->runs[n].flags = fl;
				n++;
			} else {
				/* too fragmented: extend the last run */
				s->runs[n - 1].len = addr + PAGE -
						     s->runs[n - 1].addr;
				s->runs[n - 1].flags = 0;
			}
		}
	}
	for (int i = 0; i < n; i++)
		*bytes += s->runs[i].len;
	*nruns = n;
	return 0;
}

/*
 * The SNAP record: ckpt/ set the trigger, tag and crash fields in
 * dmtcp_snap; the times, the state this one continues and, for a
 * delta, the pages changed since it (the dirty bits) are filled here.
 */
static int write_snap(struct img_writer *w, const struct scratch *s)
{
	struct img_snap *sn = &dmtcp_snap;

	sn->start_usec = dmtcp_cfg.start_usec;
	sn->ckpt_usec = dmtcp_now_ns() / 1000;
	sn->prev_generation = dmtcp_debug_info.generation;
	sn->pages_changed = UINT64_MAX;
	if (s->delta) {
		uint64_t n = 0;

		for (uint64_t i = 0; i < s->dbits_used; i++)
			n += (uint64_t)__builtin_popcountll(s->dbits[i]);
		sn->pages_changed = n;
	}
	if (dmtcp_cfg.timeline)
		sn->flags |= IMG_SNAPF_TIMELINE;
	sn->tag[sizeof(sn->tag) - 1] = 0;
	return img_write_rec(w, IMG_REC_SNAP, sn, sizeof(*sn));
}

static int write_meta(struct img_writer *w, struct scratch *s)
{
	size_t len = 0;
	ssize_t n;

	/* FDS */
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *f = &dmtcp_ps.fds[i];
		size_t need = sizeof(f->rec) + IMG_FD_TAIL(&f->rec);
		char *o = s->meta + len + sizeof(f->rec);

		if (len + need > s->meta_cap)
			break;
		memcpy(s->meta + len, &f->rec, sizeof(f->rec));
		memcpy(o, f->path, f->rec.path_len);
		o += f->rec.path_len;
		/* sockets: addresses and queued data (fd/socket.c) */
		memcpy(o, f->x.addr, f->rec.sk_addr_len);
		o += f->rec.sk_addr_len;
		memcpy(o, f->x.peer, f->rec.sk_peer_len);
		o += f->rec.sk_peer_len;
		if (f->rec.sk_data_len)
			memcpy(o, dmtcp_ps.pipe_data + f->data_off,
			       f->rec.sk_data_len);
		len += need;
	}
	if (img_write_rec(w, IMG_REC_FDS, s->meta, len) < 0)
		return -1;
	/* ENV: the current environment, not the one at exec */
	len = 0;
	for (char **e = environ; e && *e; e++) {
		size_t l = strlen(*e) + 1;

		if (len + l > s->meta_cap)
			break;
		memcpy(s->meta + len, *e, l);
		len += l;
	}
	if (img_write_rec(w, IMG_REC_ENV, s->meta, len) < 0)
		return -1;
	n = read_file("/proc/self/auxv", s->meta, s->meta_cap);
	if (img_write_rec(w, IMG_REC_AUXV, s->meta, n > 0 ? n : 0) < 0)
		return -1;
	n = read_file("/proc/self/cmdline", s->meta, s->meta_cap);
	if (img_write_rec(w, IMG_REC_CMDLINE, s->meta, n > 0 ? n : 0) < 0)
		return -1;
	return write_snap(w, s);
}

static void fill_proc(struct img_proc *p, int nthreads, int nareas,
		      const struct scratch *s)
{
	struct utsname u;
	size_t pos = 0;
	struct maps_entry e;

	memset(p, 0, sizeof(*p));
	p->pid = rsys_getpid();
	p->ppid = getppid();
	p->pgid = getpgid(0);
	p->sid = getsid(0);
	p->uid = getuid();
	p->gid = getgid();
	p->nthreads = nthreads;
	p->nareas = nareas;
	p->generation = dmtcp_generation;
	p->num_peers = 1;
	p->ckpt_signal = dmtcp_cfg.ckpt_signal;
	p->ckpt_usec = dmtcp_last_ckpt_usec;
	p->restore_entry = (uint64_t)dmtcp_restore_entry;
	p->restore_stack = ((uint64_t)dmtcp_restore_stack +
			    dmtcp_restore_stack_size) & ~63ull;
	p->reserve_addr = DMTCP_RESERVE_ADDR;
	p->reserve_len = DMTCP_RESERVE_LEN;
	p->vspecial_start = ~0ull;
	while (maps_next(s->maps, s->maps_len, &pos, &e) == 1) {
		if (strcmp(e.path, "[vdso]") == 0) {
			p->vdso_start = e.start;
			p->vdso_end = e.end;
		}
		if (strcmp(e.path, "[vdso]") == 0 ||
		    strncmp(e.path, "[vvar", 5) == 0) {
			if (e.start < p->vspecial_start)
				p->vspecial_start = e.start;
			if (e.end > p->vspecial_end)
				p->vspecial_end = e.end;
		}
	}
	if (p->vspecial_start == ~0ull)
		p->vspecial_start = 0;
	read_mm(&p->mm);
	util_strlcpy(p->comp_id, dmtcp_cfg.comp_id, sizeof(p->comp_id));
	util_strlcpy(p->unique_id, dmtcp_cfg.unique_id, sizeof(p->unique_id));
	util_strlcpy(p->progname, dmtcp_cfg.progname, sizeof(p->progname));
	util_strlcpy(p->hostname, dmtcp_cfg.hostname, sizeof(p->hostname));
	if (uname(&u) == 0)
		util_strlcpy(p->kernel, u.release, sizeof(p->kernel));
	util_strlcpy(p->exe, dmtcp_cfg.exe, sizeof(p->exe));
	util_strlcpy(p->cwd, dmtcp_ps.cwd, sizeof(p->cwd));
	util_strlcpy(p->coord_host, dmtcp_cfg.coord_host, sizeof(p->coord_host));
	p->coord_port = dmtcp_cfg.coord_port;
}

static int skip_entry(const struct maps_entry *e)
{
	return e->start >= DMTCP_RESERVE_ADDR &&
	       e->end <= DMTCP_RESERVE_ADDR + DMTCP_RESERVE_LEN;
}

/*
 * Pages of an area backed by a file or a shared object, which can fault
 * (past the end of the file, or the file shrank since we looked): copied
 * under the guard through the bounce buffer, then written.  Pages that
 * fault are written as zeros, not flagged clean; *bad counts them.
 */
static int write_fragile(struct img_writer *w, struct scratch *s,
			 const struct run *r, uint64_t *bad)
{
	uint64_t addr = r->addr, end = r->addr + r->len;

	while (addr < end) {
		size_t n = end - addr < BOUNCE ? end - addr : BOUNCE;
		size_t ok = n, zero;

		if (guarded_copy(s->bounce, (const void *)addr, n) < 0)
			for (ok = 0; ok < n; ok += PAGE)
				if (guarded_copy(s->bounce + ok,
						 (const void *)(addr + ok),
						 PAGE) < 0)
					break;
		if (ok && img_write_pages(w, addr, s->bounce, ok, r->flags) < 0)
			return -1;
		addr += ok;
		if (ok == n)
			continue;
		/* the page at addr faulted, and maybe some after it */
		for (zero = PAGE; zero < BOUNCE && addr + zero < end;
		     zero += PAGE)
			if (guarded_copy(s->bounce, (const void *)(addr + zero),
					 PAGE) == 0)
				break;
		memset(s->bounce, 0, zero);
		if (img_write_pages(w, addr, s->bounce, zero, 0) < 0)
			return -1;
		*bad += zero / PAGE;
		addr += zero;
	}
	return 0;
}

/* Anonymous memory, straight from where it is (see guarded_write). */
static int write_direct(struct img_writer *w, struct scratch *s,
			const struct run *r, const struct maps_entry *e)
{
	int rc = guarded_write(w, r->addr, r->len, r->flags);

	if (rc == -2 || (rc < 0 && errno == EFAULT)) {
		snprintf(s->why, sizeof(s->why), "cannot read memory in "
			 "%#llx-%#llx (area %#llx-%#llx %.300s): it faulted",
			 (unsigned long long)r->addr,
			 (unsigned long long)(r->addr + r->len),
			 (unsigned long long)e->start,
			 (unsigned long long)e->end,
			 e->path[0] ? e->path : "anonymous");
		errno = EFAULT;
		return -1;
	}
	return rc;
}

static int same_mapping(const struct maps_entry *a, const struct maps_entry *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->prot == b->prot && a->shared == b->shared &&
	       a->offset == b->offset && a->inode == b->inode &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor;
}

/*
 * The image must describe one memory map: read /proc/self/maps again
 * (through the bounce buffer: reading maps nothing) and compare it with
 * the read the areas came from: ranges, protections, sharing, offsets
 * and files, not the names (they change when a mapped file is renamed
 * or deleted).  With every thread frozen nothing changes it; a
 * difference means something kept running (a thread not stopped, a
 * process sharing our memory) and the image would mix two states, so
 * the checkpoint fails instead.
 */
static int maps_unchanged(struct scratch *s)
{
	static struct maps_entry then, now;
	static char what[400];
	struct maps_stream ms;
	size_t pos = 0;
	int a, b;

	if (maps_stream_open(&ms, "/proc/self/maps", (char *)s->bounce,
			     BOUNCE) < 0) {
		snprintf(s->why, sizeof(s->why), "cannot read /proc/self/maps "
			 "again: %s", strerror(errno));
		return -1;
	}
	do {
		a = maps_next(s->maps, s->maps_len, &pos, &then);
		b = maps_stream_next(&ms, &now);
	} while (a == 1 && b == 1 && same_mapping(&then, &now));
	maps_stream_close(&ms);
	if (a == 0 && b == 0)
		return 0;
	if (a < 0 || b < 0) {
		snprintf(s->why, sizeof(s->why), "cannot read /proc/self/maps "
			 "again: %s", a < 0 ? "malformed line" :
			 strerror(errno));
		return -1;
	}
	if (a == 1 && b == 1)
		snprintf(what, sizeof(what), "%#llx-%#llx %.150s became "
			 "%#llx-%#llx %.150s", (unsigned long long)then.start,
			 (unsigned long long)then.end,
			 then.path[0] ? then.path : "(anonymous)",
			 (unsigned long long)now.start,
			 (unsigned long long)now.end,
			 now.path[0] ? now.path : "(anonymous)");
	else
		snprintf(what, sizeof(what), "%#llx-%#llx %.150s %s",
			 (unsigned long long)(a == 1 ? then.start : now.start),
			 (unsigned long long)(a == 1 ? then.end : now.end),
			 (a == 1 ? then.path : now.path)[0] ?
			 (a == 1 ? then.path : now.path) : "(anonymous)",
			 a == 1 ? "went away" : "appeared");
	snprintf(s->why, sizeof(s->why), "the memory map changed while the "
		 "image was written (%s): a thread or a process sharing this "
		 "memory was not stopped", what);
	return -1;
}

static int write_areas(struct img_writer *w, struct scratch *s)
{
	static struct maps_entry e;	/* 4 KiB: keep it off the stack */
	static struct elf_id elf;
	size_t pos = 0;
	int r, rc = -1, idx = 0;

	memset(&elf, 0, sizeof(elf));
	guard_on();
	while ((r = maps_next(s->maps, s->maps_len, &pos, &e)) == 1) {
		struct img_area a;
		struct stat st;
		int mode, nruns = 0, reprotect = 0;
		uint64_t bytes = 0, bad = 0;
		const uint64_t *dbits = NULL;

		if (skip_entry(&e))
			continue;
		if (s->delta && idx < s->ndareas && s->dareas[idx].tracked)
			dbits = s->dbits + s->dareas[idx].off;
		idx++;
		mode = classify(&e, &a, &st);
		if (a.kind == IMG_AREA_FILE || a.kind == IMG_AREA_SHARED_FILE) {
			if (!elf.valid || elf.dev != a.dev ||
			    elf.inode != a.inode) {
				elf.valid = 1;
				elf.dev = a.dev;
				elf.inode = a.inode;
				elf_identify(e.path, &elf);
				elf.first_vaddr = elf.is_elf && e.offset == 0
						  ? e.start - elf.first_vaddr
						  : 0;
			}
			if (elf.is_elf) {
				a.load_bias = elf.first_vaddr;
				if (elf.build_id_len) {
					memcpy(a.build_id, elf.build_id,
					       elf.build_id_len);
					a.build_id_len = elf.build_id_len;
					a.flags |= IMG_AF_HAS_BUILD_ID;
				}
			}
		}
		if (mode == STORE_DIRTY)	/* pagemap only: no access */
			plan_runs(s, &a, mode, NULL, &nruns, &bytes);
		if (mode != STORE_NONE && !(e.prot & PROT_READ) &&
		    (mode != STORE_DIRTY || nruns)) {
			/* e.g. a guard page the program wrote, then locked */
			if (mprotect((void *)e.start, e.end - e.start,
				     e.prot | PROT_READ) == 0) {
				reprotect = 1;
			} else {
				mode = STORE_NONE;
				nruns = 0;
				bytes = 0;
			}
		}
		if (dbits && mode != STORE_NONE && mode != STORE_DIRTY)
			a.flags |= IMG_AF_DELTA;
		if (mode != STORE_NONE && mode != STORE_DIRTY)
			plan_runs(s, &a, mode, dbits, &nruns, &bytes);
		a.stored_bytes = bytes;
		if (img_write_area(w, &a, e.path) < 0)
			goto fail;
		for (int i = 0; i < nruns; i++)
			if ((s->runs[i].flags & IMG_PF_ZERO ?
			     img_write_zero_pages(w, s->runs[i].addr,
						  s->runs[i].len) :
			     mode == STORE_SPARSE ?
			     write_direct(w, s, &s->runs[i], &e) :
			     write_fragile(w, s, &s->runs[i], &bad)) < 0)
				goto fail;
		if (bad)
			pr_warn("%llu page(s) of %s in %#llx-%#llx could not be "
				"read (the file shrank during the checkpoint?):"
				" saved as zeros", (unsigned long long)bad,
				e.path[0] ? e.path : "shared memory",
				(unsigned long long)e.start,
				(unsigned long long)e.end);
		if (reprotect)
			mprotect((void *)e.start, e.end - e.start, e.prot);
		continue;
fail:
		if (reprotect)
			mprotect((void *)e.start, e.end - e.start, e.prot);
		goto out;
	}
	if (r < 0) {
		errno = EPROTO;
		goto out;
	}
	rc = maps_unchanged(s);
	if (rc < 0)
		errno = EAGAIN;
out:
	guard_off();
	return rc;
}

static int count_areas(const struct scratch *s)
{
	struct maps_entry *e = (struct maps_entry *)s->meta;
	size_t pos = 0;
	int n = 0;

	while (maps_next(s->maps, s->maps_len, &pos, e) == 1)
		if (!skip_entry(e))
			n++;
	return n;
}

static void scratch_free(struct scratch *s)
{
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	maps_free_buf(s->maps, s->maps_cap);
	if (s->pm)
		munmap(s->pm, PM_BATCH * 8);
	if (s->mc)
		munmap(s->mc, PM_BATCH);
	if (s->runs)
		munmap(s->runs, MAX_RUNS * sizeof(struct run));
	if (s->meta)
		munmap(s->meta, s->meta_cap);
	if (s->bounce)
		munmap(s->bounce, BOUNCE);
	if (s->dbits)
		munmap(s->dbits, DBITS_CAP);
	if (s->dareas)
		munmap(s->dareas, MAX_DAREAS * sizeof(struct darea));
	if (s->resident)
		munmap(s->resident, MAX_DAREAS * sizeof(uint32_t));
	memset(s, 0, sizeof(*s));
	s->pagemap_fd = -1;
}

/*
 * ckpt_<prog>_<unique id>_<generation, 5+ digits>.dmtcp: a checkpoint
 * never reuses the name of an image of an earlier generation, so the
 * committed set stays whole whatever happens to this one.  A crash
 * image (suffix "_crash") is the snapshot after the last generation,
 * ckpt_<prog>_<id>_<gen>_crash.dmtcp, and never replaces another one:
 * a restart of an earlier snapshot that runs into the crash again
 * takes the first generation after the ones already in the directory
 * (a restarted snapshot, whose own generation is older), and never
 * replaces a file: ckpt_<prog>_<id>_<gen>_crash-2.dmtcp (-3, ...) if
 * that name is taken after all.
 */
static int gen_taken(const char *dir, uint32_t gen)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/ckpt_%s_%s_%05u.dmtcp", dir,
		 dmtcp_cfg.progname, dmtcp_cfg.unique_id, gen);
	if (access(p, F_OK) == 0)
		return 1;
	snprintf(p, sizeof(p), "%s/ckpt_%s_%s_%05u_crash.dmtcp", dir,
		 dmtcp_cfg.progname, dmtcp_cfg.unique_id, gen);
	return access(p, F_OK) == 0;
}

int dmtcp_image_path(const char *dir, const char *suffix, char *path,
		     size_t cap)
{
	int n;

	for (int i = 0; *suffix && i < 100000 && gen_taken(dir,
							     dmtcp_generation);
	     i++)
		dmtcp_generation++;
	n = snprintf(path, cap, "%s/ckpt_%s_%s_%05u%s.dmtcp", dir,
		     dmtcp_cfg.progname, dmtcp_cfg.unique_id,
		     dmtcp_generation, suffix);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	for (int k = 2; *suffix && k < 1000 && access(path, F_OK) == 0; k++) {
		n = snprintf(path, cap, "%s/ckpt_%s_%s_%05u%s-%d.dmtcp", dir,
			     dmtcp_cfg.progname, dmtcp_cfg.unique_id,
			     dmtcp_generation, suffix, k);
		if (n < 0 || (size_t)n >= cap)
			return -1;
	}
	return 0;
}

/* ipc.c */

/* The side file of image into side (PATH_MAX + 8 bytes). */
static void side_name(const char *image, char *side, size_t cap)
{
	snprintf(side, cap, "%s%s", image, IPC_SIDE_SUFFIX);
}

void dmtcp_image_discard(const char *path)
{
	char side[PATH_MAX + 8];

	side_name(path, side, sizeof(side));
	unlink(path);
	unlink(side);
}

/* fd/file.c: FILE records, contents of deleted and saved files */

/*
 * One image being written.  dmtcp_image_begin runs in the frozen
 * window and writes everything but the memory: the process state, the
 * threads, the fds, the environment and the contents of saved files
 * (those can change once the process runs again).  dmtcp_image_finish
 * writes the memory areas, syncs and renames: in place, or in a forked
 * child while the process runs on (ckpt/bgwrite.c), whose memory is the
 * frozen process's (copy-on-write).
 */
static struct {
	struct img_writer w;
	struct img_proc proc;
	struct scratch s;
	char tmp[PATH_MAX + 16];
	char dir[PATH_MAX];
	char path[PATH_MAX];
	int fd;
	int active;
	int crash;		/* a crash image: never replaces a file */
} job;

/*
 * Incremental images (doc/design.md "Incremental checkpoints"): the
 * last committed image of this process, the parent of the next one
 * when that is a delta, and the image being written now.
 */
static struct chain_link {
	uint8_t id[16];
	uint32_t generation;
	uint32_t depth;		/* 0: a full image */
	char name[256];		/* base name */
	char dir[PATH_MAX];
} chain_last, chain_cur;
static int chain_valid;		/* chain_last is committed and tracking
				   has run since it was captured */
static int chain_pending;	/* an image was captured (tracking starts
				   again from it) and its verdict has not
				   come: a delta of chain_last would miss
				   the pages changed before that capture */

/* Whether this image can be a delta, and the per-area dirty bitmaps
   (frozen window: dirty tracking starts again from now either way). */
static int chain_cur_tracked;	/* dirty tracking ran for chain_cur */

static void dirty_range_priv(void *arg, const void *p, size_t len)
{
	add_priv(arg, p, len);
}

/*
 * Private file mappings (libraries' code and data) that the dirty
 * tracker cannot follow (userfaultfd write-protects anonymous memory
 * only): a page still backed by the file equals the file's bytes, so
 * if the file is unchanged and the page was backed by the file at the
 * parent's barrier too, it did not change.  Pages the process wrote
 * (copied from the file: anonymous) may have changed, and so may a page
 * that was such a copy at the parent's barrier and is the file's again
 * (dropped with MADV_DONTNEED).  So per such area the set of copied
 * pages at the last barrier is kept (fstate, our own memory, left out
 * of the image) and a page is "changed" when it is a copy now or was
 * then.  An area is followed only when start, end, offset and the
 * file's identity, size and modification time are all the same.
 */
#define FSTATE_SIZE	(4u << 20)
#define FSTATE_MAX	1024
#define FSTATE_WORDS	((FSTATE_SIZE / 2 - FSTATE_MAX * \
			  sizeof(struct fstate_ent)) / 8)
struct fstate_ent {
	uint64_t start, end, offset, dev, inode, size;
	int64_t mtime_sec, mtime_nsec;
	uint64_t off;		/* words into the half's bits */
};
struct fstate_half {
	int n;
	uint64_t used;		/* words */
	struct fstate_ent ent[FSTATE_MAX];
	uint64_t bits[];
};
static char *fstate;		/* FSTATE_SIZE: two halves */
static int fstate_cur;		/* the half with the last barrier's */

static struct fstate_half *fhalf(int i)
{
	return (struct fstate_half *)(fstate + (size_t)i * (FSTATE_SIZE / 2));
}

/* Bits (in dbits) of the file area's pages that may have changed since
   the last barrier; records this barrier's copies.  1 if tracked. */
static int file_area_changed(struct scratch *s, int pmfd,
			     const struct img_area *a, uint64_t *dbits)
{
	const struct fstate_half *old = fhalf(fstate_cur);
	struct fstate_half *now = fhalf(!fstate_cur);
	uint64_t npages = (a->end - a->start) / PAGE;
	uint64_t words = (npages + 63) / 64;
	const uint64_t *was = NULL;
	struct fstate_ent *ne;

	if (now->n >= FSTATE_MAX || now->used + words > FSTATE_WORDS)
		return 0;
	for (int i = 0; i < old->n; i++) {
		const struct fstate_ent *o = &old->ent[i];

		if (o->start == a->start && o->end == a->end &&
		    o->offset == a->offset && o->dev == a->dev &&
		    o->inode == a->inode && o->size == a->file_size &&
		    o->mtime_sec == a->mtime_sec &&
		    o->mtime_nsec == a->mtime_nsec) {
			was = old->bits + o->off;
			break;
		}
	}
	ne = &now->ent[now->n];
	*ne = (struct fstate_ent){ a->start, a->end, a->offset, a->dev,
				   a->inode, a->file_size, a->mtime_sec,
				   a->mtime_nsec, now->used };
	memset(now->bits + ne->off, 0, words * 8);
	for (uint64_t base = 0; base < npages; base += PM_BATCH) {
		uint64_t cnt = npages - base < PM_BATCH ? npages - base
							: PM_BATCH;

		if (pread(pmfd, s->pm, cnt * 8, (a->start / PAGE + base) * 8)
		    != (ssize_t)(cnt * 8))
			return 0;
		for (uint64_t i = 0; i < cnt; i++) {
			uint64_t pm = s->pm[i], pg = base + i;

			if ((pm & PM_SWAPPED) ||
			    ((pm & PM_PRESENT) && !(pm & PM_FILE)))
				now->bits[ne->off + pg / 64] |= 1ull << (pg % 64);
		}
	}
	now->n++;
	now->used += words;
	if (!was)
		return 0;
	for (uint64_t w = 0; w < words; w++)
		dbits[w] = now->bits[ne->off + w] | was[w];
	return 1;
}

static void plan_delta(struct scratch *s)
{
	static struct maps_entry e;
	size_t pos = 0;
	int pmfd = fstate ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
			  : -1;

	if (fstate) {
		fhalf(!fstate_cur)->n = 0;
		fhalf(!fstate_cur)->used = 0;
	}

	chain_cur_tracked = 0;
	if (!s->dbits || !s->dareas || dirty_mech() == DIRTY_NONE) {
		if (pmfd >= 0)
			close(pmfd);
		dirty_end(0);
		return;
	}
	dirty_private_ranges(dirty_range_priv, s);
	dirty_begin();
	while (maps_next(s->maps, s->maps_len, &pos, &e) == 1 &&
	       s->ndareas < MAX_DAREAS) {
		struct darea *d = &s->dareas[s->ndareas++];
		uint64_t words = ((e.end - e.start) / PAGE + 63) / 64;
		struct img_area a;
		struct stat st;
		int mode;

		if (skip_entry(&e)) {
			s->ndareas--;
			continue;
		}
		d->tracked = 0;
		d->off = s->dbits_used;
		mode = classify(&e, &a, &st);
		if ((mode != STORE_SPARSE && mode != STORE_ALL) ||
		    (s->dbits_used + words) * 8 > DBITS_CAP)
			continue;
		d->tracked = dirty_collect(e.start, e.end, s->dbits + d->off) == 1;
		if (!d->tracked && a.kind == IMG_AREA_FILE && pmfd >= 0 &&
		    mode == STORE_ALL)
			d->tracked = file_area_changed(s, pmfd, &a,
						       s->dbits + d->off);
		if (d->tracked)
			s->dbits_used += words;
	}
	if (pmfd >= 0) {
		close(pmfd);
		fstate_cur = !fstate_cur;
	}
	/* the state at this barrier is what the next delta builds on */
	dirty_end(1);
	chain_cur_tracked = 1;
}

/* A delta of chain_last: committed, tracked since, same directory,
   and not the N-th of a chain (--full-every). */
static int want_delta(void)
{
	return dmtcp_cfg.incremental && chain_valid && !chain_pending &&
	       dmtcp_cfg.full_every > 1 &&
	       chain_last.depth + 1 < (uint32_t)dmtcp_cfg.full_every &&
	       strcmp(chain_last.dir, job.dir) == 0;
}

/* The coordinator's verdict on the image written last (ckpt/). */
void dmtcp_image_committed(int ok)
{
	chain_pending = 0;
	if (ok) {
		chain_last = chain_cur;
		chain_valid = chain_cur_tracked;
	} else {
		chain_valid = 0;
		if (dmtcp_cfg.incremental)
			dirty_end(0);
	}
	chain_cur_tracked = 0;
}

/* A new process image (restart, a forked child of the application):
   no parent yet, tracking from scratch. */
void dmtcp_image_chain_reset(void)
{
	chain_valid = 0;
	chain_pending = 0;
	chain_cur_tracked = 0;
	if (fstate) {
		/* after a restart the pages came back as zeros: empty */
		fhalf(0)->n = fhalf(1)->n = 0;
		fhalf(0)->used = fhalf(1)->used = 0;
	}
	if (dmtcp_cfg.incremental) {
		dirty_reset();
		dirty_init();
	}
}

static void job_release(int unlink_files)
{
	img_writer_close(&job.w);
	if (job.fd >= 0)
		close(job.fd);
	job.fd = -1;
	if (unlink_files) {
		if (job.tmp[0])
			unlink(job.tmp);
		dmtcp_image_discard(job.path);	/* this generation's */
	}
	scratch_free(&job.s);
	job.active = 0;
}

static int job_io_fail(char *err, size_t errcap)
{
	if (job.s.why[0])	/* memory capture failed: say why */
		snprintf(err, errcap, "%s", job.s.why);
	else
		snprintf(err, errcap, "writing %s: %s", job.tmp,
			 strerror(errno));
	job_release(1);
	return -1;
}

int dmtcp_image_begin(const char *dir, const char *suffix, char *path,
		      char *err, size_t errcap)
{
	struct scratch *s = &job.s;
	int nthreads = 0, side;

	memset(&job, 0, sizeof(job));
	job.fd = -1;
	s->pagemap_fd = -1;
	if (dmtcp_image_path(dir, suffix, path, PATH_MAX) < 0) {
		snprintf(err, errcap, "checkpoint directory name too long: %s",
			 dir);
		return -1;
	}
	util_strlcpy(job.path, path, sizeof(job.path));
	util_strlcpy(job.dir, dir, sizeof(job.dir));
	job.crash = *suffix != 0;
	/* SysV IPC objects, zombie children: the side file (ipc.c) */
	side = dmtcp_ipc_save(path, err, errcap);
	if (side < 0)
		return -1;
	job.active = 1;
	/* exclusively, under a name nobody can guess (doc/security.md) */
	job.fd = safe_create_tmp(path, job.tmp, sizeof(job.tmp), 0600);
	if (job.fd < 0) {
		snprintf(err, errcap, "cannot create a new image beside %s: %s",
			 path, strerror(errno));
		job_release(1);
		return -1;
	}
	s->meta_cap = 1 << 20;
	for (int i = 0; i < dmtcp_ps.nfds; i++)	/* sockets' data */
		s->meta_cap += IMG_FD_TAIL(&dmtcp_ps.fds[i].rec);
	s->pm = scratch_map(PM_BATCH * 8);
	s->mc = scratch_map(PM_BATCH);
	s->runs = scratch_map(MAX_RUNS * sizeof(struct run));
	s->meta = scratch_map(s->meta_cap);
	s->bounce = scratch_map(BOUNCE);
	s->maps_cap = 1 << 20;
	s->maps = scratch_map(s->maps_cap);
	if (!s->pm || !s->mc || !s->runs || !s->meta || !s->bounce ||
	    !s->maps) {
		snprintf(err, errcap, "out of memory for checkpoint scratch");
		job_release(1);
		return -1;
	}
	if (dmtcp_cfg.forked && !*suffix)
		s->resident = scratch_map(MAX_DAREAS * sizeof(uint32_t));
	if (dmtcp_cfg.incremental) {
		s->dbits = scratch_map(DBITS_CAP);
		s->dareas = scratch_map(MAX_DAREAS * sizeof(struct darea));
		if (!fstate)	/* kept from one checkpoint to the next */
			fstate = scratch_map(FSTATE_SIZE);
	}
	s->delta = want_delta() && s->dbits && s->dareas &&
		   dirty_mech() != DIRTY_NONE;
	if (dmtcp_cfg.incremental)
		pr_debug("%s: %s%s (chain %s, depth %u, tracking %s)", path,
			 s->delta ? "delta of " : "full image",
			 s->delta ? chain_last.name : "",
			 chain_valid ? "valid" : "none", chain_last.depth,
			 dirty_mech_name(dirty_mech()));
	if (img_writer_open_mt(&job.w, job.fd,
			       (dmtcp_cfg.gzip ? IMG_F_GZIP : 0) |
			       (s->delta ? IMG_F_DELTA : 0),
			       dmtcp_now_ns() / 1000000000ull,
			       dmtcp_cfg.gzip_threads) < 0)
		return job_io_fail(err, errcap);
	/* the maps are read last: every scratch mapping exists by now (and
	   again if the buffer had to grow: it moved while being read) */
	do {
		size_t cap = s->maps_cap;

		s->maps_len = maps_read_file("/proc/self/maps", &s->maps,
					     &s->maps_cap);
		if (s->maps_cap == cap)
			break;
	} while (s->maps_len >= 0);
	if (s->maps_len < 0) {
		snprintf(err, errcap, "cannot read /proc/self/maps: %s",
			 strerror(errno));
		job_release(1);
		return -1;
	}
	add_priv(s, s->pm, PM_BATCH * 8);
	add_priv(s, s->mc, PM_BATCH);
	add_priv(s, s->runs, MAX_RUNS * sizeof(struct run));
	add_priv(s, s->meta, s->meta_cap);
	add_priv(s, s->maps, s->maps_cap);
	add_priv(s, s->bounce, BOUNCE);
	add_priv(s, job.w.buf, job.w.buf_cap);
	add_priv(s, job.w.arena.base, job.w.arena.cap);
	add_priv(s, s->dbits, DBITS_CAP);
	add_priv(s, s->dareas, MAX_DAREAS * sizeof(struct darea));
	add_priv(s, fstate, FSTATE_SIZE);
	add_priv(s, s->resident, MAX_DAREAS * sizeof(uint32_t));
	if (dmtcp_cfg.incremental) {
		plan_delta(s);
		chain_pending = 1;	/* until dmtcp_image_committed */
	}
	chain_cur.generation = dmtcp_generation;
	chain_cur.depth = s->delta ? chain_last.depth + 1 : 0;
	memcpy(chain_cur.id, img_writer_id(&job.w), sizeof(chain_cur.id));
	util_strlcpy(chain_cur.dir, job.dir, sizeof(chain_cur.dir));
	util_strlcpy(chain_cur.name, strrchr(path, '/') ?
		     strrchr(path, '/') + 1 : path, sizeof(chain_cur.name));

	for (int i = 0; i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE)
			nthreads++;
	fill_proc(&job.proc, nthreads, count_areas(s), s);
	if (side > 0)
		job.proc.flags |= IMG_PROC_IPC_SIDE;
	if (img_write_rec(&job.w, IMG_REC_PROC, &job.proc,
			  sizeof(job.proc)) < 0)
		return job_io_fail(err, errcap);
	if (s->delta && img_write_parent(&job.w, chain_last.id,
					 chain_last.generation,
					 chain_last.depth + 1,
					 chain_last.name) < 0)
		return job_io_fail(err, errcap);
	for (int i = 0; i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE &&
		    img_write_rec(&job.w, IMG_REC_THREAD,
				  &dmtcp_threads[i].info,
				  sizeof(struct img_thread)) < 0)
			return job_io_fail(err, errcap);
	if (write_meta(&job.w, s) < 0 || dmtcp_write_files(&job.w) < 0)
		return job_io_fail(err, errcap);
	return 0;
}

/*
 * Whether a forked child may write the memory: not when the image
 * stores shared memory (the process and others change it while the
 * child reads it: the image would not be the state at the barrier).
 * why says which area.
 */
int dmtcp_image_forkable(char *why, size_t cap)
{
	static struct maps_entry e;
	size_t pos = 0;

	if (!job.active)
		return 0;
	while (maps_next(job.s.maps, job.s.maps_len, &pos, &e) == 1) {
		struct img_area a;
		struct stat st;

		if (skip_entry(&e) || !e.shared)
			continue;
		if (classify(&e, &a, &st) == STORE_RESIDENT) {
			snprintf(why, cap, "shared memory %#llx-%#llx %.200s "
				 "is stored, and it changes while the process "
				 "runs", (unsigned long long)e.start,
				 (unsigned long long)e.end,
				 e.path[0] ? e.path : "(anonymous)");
			return 0;
		}
	}
	return 1;
}

/* Resident pages of a private anonymous area (mincore). */
static uint32_t resident_pages(struct scratch *s, const struct maps_entry *e)
{
	uint32_t n = 0;

	for (uint64_t base = e->start; base < e->end; base += PM_BATCH * PAGE) {
		uint64_t cnt = (e->end - base) / PAGE;

		if (cnt > PM_BATCH)
			cnt = PM_BATCH;
		if (mincore((void *)base, cnt * PAGE, s->mc) < 0)
			return 0;
		for (uint64_t i = 0; i < cnt; i++)
			n += s->mc[i] & 1;
	}
	return n;
}

/*
 * MADV_WIPEONFORK areas (glibc's arc4random keeps its state in one) read
 * as zeros in a forked child.  /proc/self/smaps says which areas have it,
 * but reading it walks every page with accounting (tens of ms for a GiB,
 * in the frozen window); mincore is a plain walk: the process counts
 * the resident pages of its private anonymous areas before the fork, the
 * child again; an area whose pages were there and are all gone in the
 * child was wiped.  (An area swapped out entirely in between also looks
 * so: the checkpoint is then written in place, which is merely slower.)
 * child = 0: count; child = 1: compare, -1 and why on a wiped area.
 */
int dmtcp_image_resident(int child, char *why, size_t cap)
{
	static struct maps_entry e;
	struct scratch *s = &job.s;
	size_t pos = 0;
	int i = 0;

	if (!s->resident)
		return 0;
	while (maps_next(s->maps, s->maps_len, &pos, &e) == 1 &&
	       i < MAX_DAREAS) {
		uint32_t n;

		if (e.shared || e.path[0] == '/' || skip_entry(&e) ||
		    is_priv(s, e.start))	/* ours: not in the image */
			continue;
		if (!child) {
			s->resident[i++] = resident_pages(s, &e);
			continue;
		}
		n = resident_pages(s, &e);
		if (s->resident[i++] && !n) {
			snprintf(why, cap, "area %#llx-%#llx %.100s lost its "
				 "pages in the forked child (MADV_WIPEONFORK)",
				 (unsigned long long)e.start,
				 (unsigned long long)e.end,
				 e.path[0] ? e.path : "(anonymous)");
			return -1;
		}
	}
	return 0;
}

/* The forked child: is its memory map the one the image describes? */
int dmtcp_image_check_map(char *why, size_t cap)
{
	if (maps_unchanged(&job.s) == 0)
		return dmtcp_image_resident(1, why, cap);
	snprintf(why, cap, "%s", job.s.why);
	job.s.why[0] = 0;
	return -1;
}

/* The process after forking its writer: its copies go, the files stay. */
void dmtcp_image_forked(void)
{
	job_release(0);
}

int dmtcp_image_fd(void)
{
	return job.active ? job.fd : -1;
}

void dmtcp_image_abort(void)
{
	if (job.active)
		job_release(1);
}

int dmtcp_image_finish(uint64_t *bytes, char *err, size_t errcap)
{
	struct scratch *s = &job.s;
	int dfd;

	/* our own pagemap: in a forked child, not the parent's */
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	s->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (write_areas(&job.w, s) < 0 || img_writer_finish(&job.w) < 0)
		return job_io_fail(err, errcap);
	if (fsync(job.fd) < 0)
		return job_io_fail(err, errcap);
	*bytes = img_writer_bytes(&job.w);
	img_writer_close(&job.w);
	if (close(job.fd) < 0) {	/* NFS reports late write errors here */
		job.fd = -1;
		return job_io_fail(err, errcap);
	}
	job.fd = -1;
	/* the image and its side file have new names (this generation's):
	   the renames replace nothing of the committed set; a crash image
	   replaces nothing at all */
	if (job.crash ? renameat2(AT_FDCWD, job.tmp, AT_FDCWD, job.path,
				  RENAME_NOREPLACE) < 0 :
	    rename(job.tmp, job.path) < 0) {
		snprintf(err, errcap, "cannot rename %s to %s: %s", job.tmp,
			 job.path, strerror(errno));
		job_release(1);
		return -1;
	}
	job.tmp[0] = 0;
	/* both renames must be on disk before the coordinator is told */
	dfd = open(job.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		snprintf(err, errcap, "syncing directory %s: %s", job.dir,
			 strerror(errno));
		if (dfd >= 0)
			close(dfd);
		job_release(1);
		return -1;
	}
	close(dfd);
	scratch_free(s);
	job.active = 0;
	return 0;
}

int dmtcp_write_image(const char *dir, const char *suffix, char *path,
		      uint64_t *bytes, char *err, size_t errcap)
{
	if (dmtcp_image_begin(dir, suffix, path, err, errcap) < 0)
		return -1;
	return dmtcp_image_finish(bytes, err, errcap);
}
