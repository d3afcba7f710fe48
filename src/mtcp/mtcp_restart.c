/*
 * mtcp_restart.c - put a process image back in memory and hand over to
 * the restored preload library.
 *
 * Started by dmtcp_restart (with the pid it should have) as a static,
 * freestanding program linked inside the address range every launched
 * process keeps free (DMTCP_RESERVE_ADDR), so it can never collide with
 * the areas it restores.  It reads a raw image sequentially from an fd
 * (the image file, or a pipe from dmtcp_restart's decoder for gzip
 * images), unmaps everything it does not need, moves the kernel's
 * vdso/vvar to where the image had them, maps each area back with
 * MAP_FIXED_NOREPLACE (a collision is reported, never overwritten),
 * fills in the stored pages, restores the kernel's view of the memory
 * layout (brk, arg/env, auxv, /proc/self/exe) and jumps to
 * img_proc.restore_entry.
 *
 * Nothing in the image is trusted: every field used here goes through
 * the restore checks (dmtcp/restore-check.h) before it is used.  An
 * image file is checked as a whole before anything is unmapped; a
 * stream (the decoder's pipe, already checked by dmtcp_restart) is
 * checked record by record as it is restored.  Either way a bad image
 * ends with a message naming the image and the field, and exit 1.
 *
 * Usage: mtcp_restart --fd N --image PATH [--flags F] [--coord-host H]
 *        [--coord-port P] [--ckptdir D] [--secret-fd N] [--status-fd N]
 *        [--debug]
 * The coordinator secret comes through a descriptor (--secret-fd, read
 * and closed first thing), never on the command line.
 */
#include "mtcp-sys.h"
#include "dmtcp/image.h"
#include "dmtcp/restore.h"

#define PAGE 4096UL

void mtcp_main(uint64_t *sp) __attribute__((noreturn, used));
void mtcp_jump(uint64_t entry, uint64_t stack, void *arg)
	__attribute__((noreturn));

static int debug;
static int img_fd = -1;
static int status_fd = -1;
static int seekable = 1;
static uint64_t img_size;	/* of an image file; 0 for a stream */
static struct rchk chk;		/* the restore checks */
static struct img_thread thr;
static struct rst_handoff handoff;
static struct img_proc proc;
static uint64_t auxv[512];
static uint32_t auxv_len;
static char scratch[64 * 1024];
static char maps_buf[128 * 1024];
static uint64_t t_start_ns;

/* --shm DEV:INODE:FD: shared memory objects dmtcp_restart created for
   areas several processes share */
struct shm_fd {
	uint64_t dev, inode;
	int fd;
};
static struct shm_fd shm_fds[64];
static int nshm;

static uint64_t now_ns(void)
{
	struct k_timespec ts;

	sys2(NR_clock_gettime, 1, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void __attribute__((noreturn)) die(const char *what, const char *obj,
					   long err)
{
	mtcp_puts("mtcp_restart: ");
	mtcp_puts(what);
	if (obj) {
		mtcp_puts(" ");
		mtcp_puts(obj);
	}
	if (err) {
		mtcp_puts(" (errno ");
		mtcp_put_dec(err < 0 ? -err : err);
		mtcp_puts(")");
	}
	mtcp_puts("\n");
	sys1(NR_exit_group, 1);
	for (;;)
		;
}

/* The restore checks refused the image: say which field and why. */
static void __attribute__((noreturn)) die_check(void)
{
	mtcp_puts("mtcp_restart: ");
	mtcp_puts(handoff.image[0] ? handoff.image : "(image)");
	mtcp_puts(": cannot restore: ");
	mtcp_puts(chk.msg);
	mtcp_puts(" (corrupt or crafted image)\n");
	sys1(NR_exit_group, 1);
	for (;;)
		;
}

static void check(int rc)
{
	if (rc < 0)
		die_check();
}

static void dbg(const char *s, uint64_t a, uint64_t b)
{
	if (!debug)
		return;
	mtcp_puts("[mtcp_restart] ");
	mtcp_puts(s);
	mtcp_puts(" ");
	mtcp_put_hex(a);
	mtcp_puts(" ");
	mtcp_put_hex(b);
	mtcp_puts("\n");
}

/* One read(2) of the image (rchk_read_all's). */
static long img_read1(void *ctx, void *buf, uint64_t n)
{
	(void)ctx;
	return sys3(NR_read, img_fd, buf, n);
}

/*
 * A stream (the decoder's pipe) is read through sbuf: one read(2)
 * brings many small records (a gzip image stores each run of non-zero
 * pages as its own PAGES record, three reads apiece without the buffer)
 * and pages are copied out of it.  Big reads that find the buffer empty
 * go straight into place.  An image file is read directly (it is
 * seeked, and its big page runs are mapped).
 */
static char sbuf[1 << 20];
static uint64_t sb_pos, sb_len;

static void die_eof(long r)
{
	if (r < 0)
		die("read error on image", handoff.image, r);
	die("image ended early (truncated or corrupt):", handoff.image, 0);
}

/* refill sbuf (empty) with what the pipe has, at least one byte */
static void sb_fill(void)
{
	long r;

	do
		r = sys3(NR_read, img_fd, sbuf, sizeof(sbuf));
	while (r == -EINTR);
	if (r <= 0)
		die_eof(r);
	sb_pos = 0;
	sb_len = (uint64_t)r;
}

/* copy n bytes with rep movsb (fast strings): page data */
static void copy_bytes(void *d, const void *s, uint64_t n)
{
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : :
			 "memory");
}

/* Read exactly n bytes; dies on EOF (truncated stream). */
static void read_exact(void *buf, uint64_t n)
{
	char *p = buf;
	long r;

	while (!seekable && n) {
		uint64_t c = sb_len - sb_pos;

		if (!c && n >= sizeof(sbuf) / 4)
			break;		/* big: straight into place */
		if (!c) {
			sb_fill();
			continue;
		}
		if (c > n)
			c = n;
		copy_bytes(p, sbuf + sb_pos, c);
		sb_pos += c;
		p += c;
		n -= c;
	}
	r = rchk_read_all(img_read1, 0, p, n);
	if (r)
		die_eof(r < 0 ? r : 0);
}

/* any alignment: a page may sit anywhere in sbuf */
typedef uint64_t u64_any __attribute__((aligned(1), may_alias));

static int page_is_zero(const char *page)
{
	const u64_any *w = (const u64_any *)page;

	for (unsigned i = 0; i < PAGE / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] |
		    w[i + 5] | w[i + 6] | w[i + 7])
			return 0;
	return 1;
}

/*
 * n bytes of page data for fresh anonymous memory at addr (all zero),
 * from a stream: what is in sbuf is copied out leaving the pages that
 * are all zero untouched, so they are never materialised; a big run
 * that finds sbuf empty is read straight into place (one copy: the
 * checkpoint does not store zero pages of private anonymous memory, so
 * a big run of them is not expected).
 */
static void read_sparse(char *addr, uint64_t n)
{
	while (n) {
		uint64_t c = sb_len - sb_pos;

		if (!c && n >= sizeof(sbuf) / 4) {
			read_exact(addr, n);
			return;
		}
		if (!c) {
			sb_fill();
			continue;
		}
		if (c > n)
			c = n;
		/* by destination page: a page split between two fills is
		   copied in two pieces, a whole one only if not all zero */
		for (uint64_t o = 0, k; o < c; o += k) {
			k = PAGE - (((uint64_t)addr + o) & (PAGE - 1));
			if (k > c - o)
				k = c - o;
			if (k < PAGE || !page_is_zero(sbuf + sb_pos + o))
				copy_bytes(addr + o, sbuf + sb_pos + o, k);
		}
		sb_pos += c;
		addr += c;
		n -= c;
	}
}

static void skip_bytes(uint64_t n)
{
	if (n == 0)
		return;
	if (seekable) {
		long r = sys3(NR_lseek, img_fd, (long)n, SEEK_CUR);

		if (r >= 0)
			return;
		seekable = 0;
	}
	while (n > 0) {
		uint64_t c = n > sizeof(scratch) ? sizeof(scratch) : n;

		read_exact(scratch, c);
		n -= c;
	}
}

/* ------------------------------------------------------------------ */
/* Clearing the address space                                         */

struct kmap {
	uint64_t start, end;
	char name[24];
};

static struct kmap kmaps[256];
static int nkmaps;

static uint64_t parse_hex(const char **p)
{
	uint64_t v = 0;

	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else
			return v;
	}
}

static void read_own_maps(void)
{
	long fd = sys2(NR_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
	long len = 0, r;
	const char *p, *end;

	if (fd < 0)
		die("cannot open /proc/self/maps", 0, fd);
	while ((r = sys3(NR_read, fd, maps_buf + len,
			 sizeof(maps_buf) - 1 - len)) > 0)
		len += r;
	sys1(NR_close, fd);
	maps_buf[len] = 0;
	nkmaps = 0;
	for (p = maps_buf, end = maps_buf + len; p < end && nkmaps < 256;) {
		struct kmap *m = &kmaps[nkmaps++];
		const char *eol = p, *name;
		int fields = 0;

		while (eol < end && *eol != '\n')
			eol++;
		m->start = parse_hex(&p);
		p++;
		m->end = parse_hex(&p);
		/* the name follows perms, offset, dev and inode */
		name = p;
		while (name < eol && fields < 4) {
			while (name < eol && *name == ' ')
				name++;
			while (name < eol && *name != ' ')
				name++;
			fields++;
		}
		while (name < eol && *name == ' ')
			name++;
		mtcp_strlcpy(m->name, name,
			     (size_t)(eol - name) + 1 < sizeof(m->name)
			     ? (size_t)(eol - name) + 1 : sizeof(m->name));
		p = eol + 1;
	}
}

static int is_kernel_special(const char *n)
{
	return mtcp_strneq(n, "[vdso]", 6) || mtcp_strneq(n, "[vvar", 5) ||
	       mtcp_strneq(n, "[vsyscall]", 10);
}

static void clear_address_space(void)
{
	read_own_maps();
	for (int i = 0; i < nkmaps; i++) {
		struct kmap *m = &kmaps[i];

		if (m->start >= DMTCP_RESERVE_ADDR &&
		    m->end <= DMTCP_RESERVE_ADDR + DMTCP_RESERVE_LEN)
			continue;
		if (is_kernel_special(m->name))
			continue;
		dbg("unmap", m->start, m->end);
		sys2(NR_munmap, m->start, m->end - m->start);
	}
}

/*
 * Move [vvar]/[vvar_vclock]/[vdso] as one block to where the image had
 * them: the restored libc calls into the vdso at its old address.
 */
static void move_vdso(void)
{
	uint64_t lo = ~0ull, hi = 0, vdso = 0;
	uint64_t tmp = DMTCP_RESERVE_ADDR + DMTCP_RESERVE_LEN / 2;

	if (!proc.vspecial_start)
		return;
	read_own_maps();
	for (int i = 0; i < nkmaps; i++) {
		struct kmap *m = &kmaps[i];

		if (!mtcp_strneq(m->name, "[vdso]", 6) &&
		    !mtcp_strneq(m->name, "[vvar", 5))
			continue;
		if (m->start < lo)
			lo = m->start;
		if (m->end > hi)
			hi = m->end;
		if (mtcp_strneq(m->name, "[vdso]", 6))
			vdso = m->start;
	}
	dbg("image vdso/vvar span", proc.vspecial_start, proc.vspecial_end);
	dbg("our vdso/vvar span", lo, hi);
	if (!vdso)
		return;
	if (hi - lo != proc.vspecial_end - proc.vspecial_start ||
	    vdso - lo != proc.vdso_start - proc.vspecial_start) {
		mtcp_puts("mtcp_restart: warning: this kernel's vdso/vvar "
			  "layout differs from the checkpointing kernel's ");
		mtcp_puts(proc.kernel);
		mtcp_puts("; time functions may fail after restart\n");
		return;
	}
	if (lo == proc.vspecial_start)
		return;
	/* via a spot in our own range, so old and new never overlap */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t from = pass == 0 ? lo : tmp;
		uint64_t to = pass == 0 ? tmp : proc.vspecial_start;
		uint64_t delta = to - from;

		for (int i = 0; i < nkmaps; i++) {
			struct kmap *m = &kmaps[i];
			uint64_t s = m->start - lo + from;
			long r;

			if (!mtcp_strneq(m->name, "[vdso]", 6) &&
			    !mtcp_strneq(m->name, "[vvar", 5))
				continue;
			r = sys5(NR_mremap, s, m->end - m->start,
				 m->end - m->start,
				 MREMAP_MAYMOVE | MREMAP_FIXED, s + delta);
			if (r < 0)
				die("cannot move the vdso/vvar", m->name, r);
		}
	}
	dbg("vdso moved to", proc.vspecial_start, proc.vspecial_end);
}

/* ------------------------------------------------------------------ */
/* Areas                                                              */

static struct img_area cur;	/* the area being filled */
static char cur_path[IMG_PATH_MAX + 1];
static int cur_from_file;	/* mapped from the unchanged file */
static int cur_mapped;
static int cur_fresh;		/* private anonymous: zero until filled */
static int cur_prot;		/* protection while filling */

static int file_unchanged(const struct img_area *a, const char *path)
{
	struct k_stat st;

	if (!path[0] || sys2(NR_stat, path, &st) < 0)
		return 0;
	return st.st_ino == a->inode && st.st_dev == a->dev &&
	       (uint64_t)st.st_size == a->file_size &&
	       (int64_t)st.st_mtime == a->mtime_sec &&
	       (int64_t)st.st_mtime_nsec == a->mtime_nsec;
}

static void finish_area(void)
{
	if (cur_mapped && cur_prot != (int)cur.prot)
		sys3(NR_mprotect, cur.start, cur.end - cur.start, cur.prot);
	cur_mapped = 0;
}

/*
 * System V shared memory (a /SYSV area): dmtcp_restart recreated the
 * segment with its old id in the restart's IPC namespace; attach it at
 * the old address so the program's shmid, shmdt and the other processes
 * attached to it all work as before.  An area at offset 0 attaches the
 * whole segment; later areas of the same attachment (split by mprotect)
 * only get their protection back.  Returns 0 to fall back to shared
 * anonymous memory (the segment is not there).
 */
static struct { uint64_t id, start, end; } sysv[64];
static int nsysv;
/* --sysv-rmid ID:N: segments to mark for removal once N areas attach */
static struct { uint64_t id, want; } rmid[64];
static int nrmid;

static void sysv_attached(uint64_t id)
{
	uint64_t ds[16];

	for (int i = 0; i < nrmid; i++)
		if (rmid[i].id == id &&
		    sys3(NR_shmctl, (long)id, IPC_STAT, (long)ds) == 0 &&
		    ds[11] >= rmid[i].want) {	/* shm_nattch */
			sys3(NR_shmctl, (long)id, IPC_RMID, 0);
			dbg("marked SysV segment for removal", id, ds[11]);
		}
}

static int map_sysv(int prot)
{
	uint64_t len = cur.end - cur.start, ds[16];
	int fl = (prot & PROT_WRITE ? 0 : SHM_RDONLY) |
		 (prot & PROT_EXEC ? SHM_EXEC : 0);
	long r;

	for (int i = 0; i < nsysv; i++)
		if (sysv[i].id == cur.inode && cur.start >= sysv[i].start &&
		    cur.end <= sysv[i].end &&
		    cur.start - sysv[i].start == cur.offset) {
			if (sys3(NR_mprotect, cur.start, len, prot) < 0)
				return 0;
			cur_mapped = 1;
			cur_prot = prot;
			return 1;
		}
	if (cur.offset != 0 || nsysv == 64 ||
	    sys3(NR_shmctl, (long)cur.inode, IPC_STAT, (long)ds) < 0 ||
	    ds[6] < len)	/* shm_segsz */
		return 0;
	r = sys3(NR_shmat, (long)cur.inode, cur.start, fl);
	if (r < 0 && !(fl & SHM_RDONLY) && !(cur.prot & PROT_WRITE)) {
		/* not writable by us: attach as it was, nothing to fill */
		r = sys3(NR_shmat, (long)cur.inode, cur.start,
			 fl | SHM_RDONLY);
		if (r == (long)cur.start) {
			sysv[nsysv].id = cur.inode;
			sysv[nsysv].start = cur.start;
			sysv[nsysv++].end = cur.start + ((ds[6] + PAGE - 1) &
							 ~(PAGE - 1));
			sysv_attached(cur.inode);
			return 1;	/* cur_mapped 0: pages skipped */
		}
	}
	if (r != (long)cur.start) {
		dbg("SysV segment not attached", cur.inode, r);
		return 0;
	}
	sysv[nsysv].id = cur.inode;
	sysv[nsysv].start = cur.start;
	sysv[nsysv++].end = cur.start + ((ds[6] + PAGE - 1) & ~(PAGE - 1));
	if (len < ((ds[6] + PAGE - 1) & ~(PAGE - 1)))
		sys3(NR_mprotect, cur.start, len, prot);
	dbg("attached SysV segment", cur.start, cur.inode);
	sysv_attached(cur.inode);
	cur_mapped = 1;
	cur_prot = prot;
	return 1;
}

static void map_area(void)
{
	uint64_t len = cur.end - cur.start;
	int prot = cur.prot;
	int flags = MAP_FIXED_NOREPLACE;
	long fd = -1, r;
	uint64_t shm_offset = 0;

	cur_from_file = 0;
	cur_mapped = 0;
	cur_fresh = 0;
	if (cur.kind == IMG_AREA_SPECIAL)
		return;
	if (cur.start >= DMTCP_RESERVE_ADDR &&
	    cur.start < DMTCP_RESERVE_ADDR + DMTCP_RESERVE_LEN)
		return;
	if (cur.stored_bytes)
		prot |= PROT_READ | PROT_WRITE;
	switch (cur.kind) {
	case IMG_AREA_FILE:
		if (file_unchanged(&cur, cur_path)) {
			fd = sys2(NR_open, cur_path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				cur_from_file = 1;
		}
		flags |= MAP_PRIVATE;
		if (!cur_from_file && (cur.flags & IMG_AF_FILE_PAGES_OMITTED))
			die("the image was written with --skip-file-pages and "
			    "this file changed since (its pages are not in the "
			    "image):", cur_path, 0);
		if (!cur_from_file)
			flags |= MAP_ANONYMOUS | MAP_NORESERVE;
		break;
	case IMG_AREA_SHARED_FILE:
		fd = sys2(NR_open, cur_path,
			  (cur.prot & PROT_WRITE ? O_RDWR : O_RDONLY) |
			  O_CLOEXEC);
		if (fd < 0)
			die("cannot open the file mapped shared:", cur_path, fd);
		flags |= MAP_SHARED;
		cur_from_file = 1;
		break;
	case IMG_AREA_SHARED_ANON:
	case IMG_AREA_DELETED:
		if (!(cur.flags & IMG_AF_SHARED)) {
			flags |= MAP_PRIVATE | MAP_ANONYMOUS;
			break;
		}
		if (cur.kind == IMG_AREA_SHARED_ANON &&
		    mtcp_strneq(cur_path, "/SYSV", 5) && map_sysv(prot))
			return;
		flags |= MAP_SHARED;
		for (int i = 0; i < nshm; i++)
			if (shm_fds[i].inode == cur.inode &&
			    shm_fds[i].dev == cur.dev)
				fd = shm_fds[i].fd;
		if (fd < 0)
			flags |= MAP_ANONYMOUS;
		else
			shm_offset = cur.offset;
		break;
	default:	/* IMG_AREA_ANON */
		flags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
		if (cur.flags & IMG_AF_GROWSDOWN)
			flags |= MAP_GROWSDOWN;
		break;
	}
	r = sys6(NR_mmap, cur.start, len, prot, flags, fd,
		 cur_from_file ? (long)cur.offset : (long)shm_offset);
	if (fd >= 0 && cur.kind != IMG_AREA_SHARED_ANON &&
	    cur.kind != IMG_AREA_DELETED)
		sys1(NR_close, fd);
	if (r == -EEXIST) {
		mtcp_puts("mtcp_restart: address range ");
		mtcp_put_hex(cur.start);
		mtcp_puts("-");
		mtcp_put_hex(cur.end);
		mtcp_puts(" of the image is already in use; cannot restore ");
		die(cur_path[0] ? cur_path : "(anonymous memory)", 0, 0);
	}
	if (r < 0 || (uint64_t)r != cur.start)
		die("cannot map area of", cur_path[0] ? cur_path :
		    "anonymous memory", r < 0 ? r : 0);
	dbg(cur_from_file ? "mapped file" : "mapped", cur.start, cur.end);
	cur_mapped = 1;
	cur_fresh = (flags & MAP_ANONYMOUS) && (flags & MAP_PRIVATE);
	cur_prot = prot;
}

/* The AREA record (its size was checked by rchk_rec), checked. */
static void read_area_record(uint64_t size)
{
	read_exact(&cur, sizeof(cur));
	size -= sizeof(cur);		/* at most IMG_PATH_MAX */
	read_exact(cur_path, size);
	cur_path[size] = 0;
	/* path_len must be size: rchk_area says so otherwise */
	check(rchk_area(&chk, &cur, cur_path));
}

/*
 * Raw images keep page data page aligned so that big runs of private
 * memory can be mapped copy-on-write straight from the image instead of
 * being read: restart then costs what the program touches, not the
 * image size.  Those ranges show the image as their file in
 * /proc/PID/maps; the next checkpoint stores them in full (the image
 * may be gone by the next restart).  Returns 1 if mapped.
 */
static int nimgmaps;

static int map_from_image(uint64_t addr, uint64_t size)
{
	long off, r;

	if (!seekable || size < (256ul << 10) || nimgmaps >= 4096 ||
	    (cur.kind != IMG_AREA_ANON &&
	     !(cur.kind == IMG_AREA_DELETED && !(cur.flags & IMG_AF_SHARED))) ||
	    (cur.flags & IMG_AF_GROWSDOWN))
		return 0;
	off = sys3(NR_lseek, img_fd, 0, SEEK_CUR);
	if (off < 0 || (off & (PAGE - 1)))
		return 0;
	r = sys6(NR_mmap, addr, size, cur_prot, MAP_PRIVATE | MAP_FIXED,
		 img_fd, off);
	if (r != (long)addr) {
		/* e.g. PROT_EXEC on a noexec mount: put anonymous memory back */
		sys6(NR_mmap, addr, size, cur_prot,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return 0;
	}
	nimgmaps++;
	sys3(NR_lseek, img_fd, (long)size, SEEK_CUR);
	return 1;
}

static void read_pages(const struct img_rec *r)
{
	uint64_t addr = r->arg0;

	if (r->flags & IMG_RF_ZCHUNKS)
		die("compressed page data in a raw stream:", handoff.image, 0);
	if (!cur_mapped || addr < cur.start || addr + r->size > cur.end) {
		skip_bytes(r->size);
		return;
	}
	if ((r->arg1 & IMG_PF_FILE_CLEAN) && cur_from_file) {
		skip_bytes(r->size);
		return;
	}
	if (r->arg1 & RST_PF_NO_DATA)
		die("the decoder left out the pages of this file, which was "
		    "unchanged then and is not now (try again):", cur_path, 0);
	if (map_from_image(addr, r->size))
		return;
	if (!seekable && cur_fresh)
		read_sparse((char *)addr, r->size);
	else
		read_exact((void *)addr, r->size);
}

/* ------------------------------------------------------------------ */

static void restore_mm(void)
{
	struct prctl_mm_map m;
	long r;

	m.start_code = proc.mm.start_code;
	m.end_code = proc.mm.end_code;
	m.start_data = proc.mm.start_data;
	m.end_data = proc.mm.end_data;
	m.start_brk = proc.mm.start_brk;
	m.brk = proc.mm.brk;
	m.start_stack = proc.mm.start_stack;
	m.arg_start = proc.mm.arg_start;
	m.arg_end = proc.mm.arg_end;
	m.env_start = proc.mm.env_start;
	m.env_end = proc.mm.env_end;
	m.auxv = auxv_len ? auxv : 0;
	m.auxv_size = auxv_len;
	/* exe_fd is refused while mtcp_restart is mapped: set it later */
	m.exe_fd = (uint32_t)-1;
	r = sys5(NR_prctl, PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0);
	dbg("PR_SET_MM_MAP result", (uint64_t)r, proc.mm.brk);
	m.auxv = 0;
	m.auxv_size = 0;
	memcpy(handoff.mm_map, &m, sizeof(m));
	mtcp_strlcpy(handoff.exe, proc.exe, sizeof(handoff.exe));
}

/*
 * --secret-fd N: the coordinator secret, from a pipe dmtcp_restart
 * filled (RST_SECRET_FD).  Read to its end and closed at once.
 */
static void read_secret(long fd)
{
	size_t len = 0;
	long r = 0;

	for (;;) {
		r = sys3(NR_read, fd, handoff.secret + len,
			 sizeof(handoff.secret) - 1 - len);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(handoff.secret) - 1)
			break;
	}
	sys1(NR_close, fd);
	if (r < 0)
		die("cannot read the coordinator secret from its descriptor",
		    0, r);
	while (len > 0 && (handoff.secret[len - 1] == '\n' ||
			   handoff.secret[len - 1] == ' '))
		len--;
	handoff.secret[len] = 0;
}

static const char *arg_value(char **argv, int *i, int argc)
{
	if (*i + 1 >= argc)
		die("missing value for option", argv[*i], 0);
	return argv[++*i];
}

static void parse_args(int argc, char **argv)
{
	handoff.magic = RST_HANDOFF_MAGIC;
	handoff.host_proc_fd = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (mtcp_streq(a, "--fd"))
			img_fd = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--image"))
			mtcp_strlcpy(handoff.image, arg_value(argv, &i, argc),
				     sizeof(handoff.image));
		else if (mtcp_streq(a, "--flags"))
			handoff.flags = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--coord-host"))
			mtcp_strlcpy(handoff.coord_host,
				     arg_value(argv, &i, argc),
				     sizeof(handoff.coord_host));
		else if (mtcp_streq(a, "--coord-port"))
			handoff.coord_port = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--ckptdir"))
			mtcp_strlcpy(handoff.ckpt_dir, arg_value(argv, &i, argc),
				     sizeof(handoff.ckpt_dir));
		else if (mtcp_streq(a, "--tmpdir"))
			mtcp_strlcpy(handoff.tmpdir, arg_value(argv, &i, argc),
				     sizeof(handoff.tmpdir));
		else if (mtcp_streq(a, "--secret-fd"))
			read_secret(mtcp_atol(arg_value(argv, &i, argc)));
		else if (mtcp_streq(a, "--status-fd"))
			status_fd = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--host-proc-fd"))
			handoff.host_proc_fd = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--prepared-stdio"))
			handoff.prepared_stdio = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--num-peers"))
			handoff.num_peers = mtcp_atol(arg_value(argv, &i, argc));
		else if (mtcp_streq(a, "--shm") && nshm < 64) {
			const char *v = arg_value(argv, &i, argc);

			shm_fds[nshm].dev = mtcp_atol(v);
			while (*v && *v != ':')
				v++;
			shm_fds[nshm].inode = mtcp_atol(*v ? ++v : v);
			while (*v && *v != ':')
				v++;
			shm_fds[nshm].fd = mtcp_atol(*v ? ++v : v);
			nshm++;
		} else if (mtcp_streq(a, "--sysv-rmid") && nrmid < 64) {
			const char *v = arg_value(argv, &i, argc);

			rmid[nrmid].id = mtcp_atol(v);
			while (*v && *v != ':')
				v++;
			rmid[nrmid++].want = mtcp_atol(*v ? ++v : v);
		} else if (mtcp_streq(a, "--gdb-done"))
			mtcp_strlcpy(handoff.gdb_done, arg_value(argv, &i, argc),
				     sizeof(handoff.gdb_done));
		else if (mtcp_streq(a, "--debug"))
			debug = 1;
		else if (mtcp_streq(a, "--help")) {
			mtcp_puts("usage: mtcp_restart --fd N --image PATH "
				  "[--flags F] [--coord-host H] [--coord-port P]"
				  " [--ckptdir D] [--secret-fd N] [--status-fd N]"
				  " [--debug]\n"
				  "Internal helper of dmtcp_restart: run "
				  "dmtcp_restart instead.\n");
			sys1(NR_exit_group, 0);
		} else if (mtcp_streq(a, "--version")) {
			mtcp_puts("mtcp_restart (dmtcp-debug) 0.1.0\n");
			sys1(NR_exit_group, 0);
		} else {
			die("unknown option", a, 0);
		}
	}
	if (img_fd < 0)
		die("usage: mtcp_restart --fd N --image PATH (run dmtcp_restart"
		    " instead)", 0, 0);
}

/* rchk_walk's input: the image file, read or skipped exactly. */
static int walk_read(void *ctx, void *buf, uint64_t n)
{
	return rchk_read_all(img_read1, ctx, buf, n) ? -1 : 0;
}

static int walk_skip(void *ctx, uint64_t n)
{
	(void)ctx;
	if (n > (uint64_t)1 << 62)
		return -1;
	return sys3(NR_lseek, img_fd, (long)n, SEEK_CUR) < 0 ? -1 : 0;
}

/*
 * An image file is checked as a whole before anything happens: the
 * areas come after the point where the address space is cleared, and
 * a bad one found then would leave nothing to return to.
 */
static void check_whole_image(void)
{
	struct k_stat st;

	if (sys2(NR_fstat, img_fd, &st) < 0 ||
	    (st.st_mode & S_IFMT) != S_IFREG ||
	    sys3(NR_lseek, img_fd, 0, SEEK_CUR) != 0) {
		seekable = 0;		/* a stream: checked as it comes */
		return;
	}
	img_size = (uint64_t)st.st_size;
	rchk_init(&chk, img_size, RCHK_RAW_ONLY);
	if (rchk_walk(&chk, walk_read, walk_skip, 0) < 0)
		die_check();
	if (sys3(NR_lseek, img_fd, 0, SEEK_SET) != 0)
		die("cannot seek back to the start of", handoff.image, 0);
	dbg("image checked: bytes, areas", img_size, chk.nareas);
}

void mtcp_main(uint64_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	uint64_t all = ~0ull, off = IMG_HEADER_SPACE;
	struct img_file_header hdr;
	struct img_rec rec;
	struct img_end end;
	int cleared = 0;

	t_start_ns = now_ns();
	sys4(NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, 0, 8);
	for (char **e = envp; *e; e++)
		if (mtcp_strneq(*e, "DMTCP_DEBUG=1", 13))
			debug = 1;
	parse_args(argc, argv);	/* copies everything out of the stack */

	check_whole_image();
	rchk_init(&chk, img_size, RCHK_RAW_ONLY);
	read_exact(&hdr, sizeof(hdr));
	check(rchk_header(&chk, &hdr));
	skip_bytes(IMG_HEADER_SPACE - sizeof(hdr));

	/* every record is checked (rchk_*) before it is used */
	for (;; off += sizeof(rec) + rec.size) {
		read_exact(&rec, sizeof(rec));
		check(rchk_rec(&chk, off, &rec));
		switch (rec.type) {
		case IMG_REC_PROC:
			read_exact(&proc, sizeof(proc));
			check(rchk_proc(&chk, &proc));
			break;
		case IMG_REC_THREAD:
			read_exact(&thr, sizeof(thr));
			check(rchk_thread(&chk, &thr));
			break;
		case IMG_REC_AUXV:
			auxv_len = (uint32_t)rec.size;	/* <= sizeof(auxv) */
			read_exact(auxv, auxv_len);
			check(rchk_auxv(&chk, auxv, auxv_len));
			break;
		case IMG_REC_AREA:
			finish_area();
			read_area_record(rec.size);
			if (!cleared) {
				clear_address_space();
				move_vdso();
				cleared = 1;
			}
			map_area();
			break;
		case IMG_REC_PAGES:
			read_pages(&rec);
			break;
		case IMG_REC_END:
			read_exact(&end, sizeof(end));
			check(rchk_end(&chk, &end));
			finish_area();
			goto done;
		default:	/* FDS, ENV, CMDLINE, PAD */
			skip_bytes(rec.size);
			break;
		}
	}
done:
	sys1(NR_close, img_fd);
	for (int i = 0; i < nshm; i++)
		sys1(NR_close, shm_fds[i].fd);
	restore_mm();
	handoff.restart_usec = (now_ns() - t_start_ns) / 1000;
	dbg("jumping to restore entry", proc.restore_entry,
	    proc.restore_stack);
	if (status_fd >= 0) {
		char j = RST_STATUS_JUMP;

		/* a socket: no SIGPIPE left pending if nobody reads */
		sys6(NR_sendto, status_fd, (long)&j, 1, MSG_NOSIGNAL, 0, 0);
		sys1(NR_close, status_fd);
	}
	mtcp_jump(proc.restore_entry, proc.restore_stack, &handoff);
}
