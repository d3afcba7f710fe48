/*
 * img-write.c - the image writer, run by the checkpoint thread while
 * the other threads are frozen (maybe inside malloc): no malloc, free
 * or stdio here.  Buffers and zlib's state come from mmap; raw page
 * data goes from memory to the file with one writev per PAGES record.
 * Gzip chunks are compressed in this thread or by worker threads
 * (img-zpool.c, which hands them back in order: same bytes either way).
 */
#include "config.h"
#include "img-int.h"
#include "fullio.h"
#include "img-zchunk.h"
#include "img-zpool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define WBUF_RAW	(256u << 10)	/* metadata only */
#define WBUF_GZIP	(4u << 20)	/* metadata and zlib chunks */
#define ZARENA_SIZE	(512u << 10)	/* deflate needs ~270 KiB */
#define EMIT_DIRECT	(64u << 10)	/* compressed bytes of a job written
					   without a copy into buf */

enum { WS_PROC, WS_META, WS_FILES, WS_AREAS, WS_DONE };

static void new_image_id(uint8_t id[16]);

static int fail(struct img_writer *w, int err)
{
	if (!w->dead)
		w->dead = err;
	errno = w->dead;
	return -1;
}

static int check_alive(struct img_writer *w)
{
	if (w->dead) {
		errno = w->dead;
		return -1;
	}
	if (w->state == WS_DONE)
		return fail(w, EINVAL);
	return 0;
}

static int flush_buf(struct img_writer *w)
{
	struct iovec iov = { w->buf, w->buf_len };

	if (w->buf_len && full_writev(w->fd, &iov, 1) < 0)
		return fail(w, errno);
	w->buf_len = 0;
	return 0;
}

/* make room for n bytes in the buffer (n <= buf_cap) */
static int reserve(struct img_writer *w, size_t n)
{
	if (w->buf_cap - w->buf_len < n)
		return flush_buf(w);
	return 0;
}

static int append(struct img_writer *w, const void *p, size_t n)
{
	struct iovec iov = { (void *)p, n };

	if (!n)
		return 0;
	if (reserve(w, n <= w->buf_cap ? n : w->buf_cap) < 0)
		return -1;
	if (n <= w->buf_cap - w->buf_len) {
		memcpy(w->buf + w->buf_len, p, n);
		w->buf_len += n;
	} else {
		/* bigger than the buffer (which reserve() emptied) */
		if (full_writev(w->fd, &iov, 1) < 0)
			return fail(w, errno);
	}
	w->off += n;
	return 0;
}

static int append_zeros(struct img_writer *w, size_t n)
{
	if (reserve(w, n) < 0)
		return -1;
	memset(w->buf + w->buf_len, 0, n);
	w->buf_len += n;
	w->off += n;
	return 0;
}

static int drain(struct img_writer *w);

static int append_rec(struct img_writer *w, uint32_t type, uint64_t size,
		      uint64_t raw_size, uint64_t arg0, uint64_t arg1,
		      uint32_t crc, uint32_t flags)
{
	struct img_rec r = {
		.magic = IMG_REC_MAGIC, .type = type, .size = size,
		.raw_size = raw_size, .arg0 = arg0, .arg1 = arg1,
		.crc = crc, .flags = flags,
	};

	/* chunks still with the workers come first */
	if (drain(w) < 0)
		return -1;
	if (type != IMG_REC_PAD)
		w->nrecords++;
	return append(w, &r, sizeof(r));
}

/* An incremental image takes its PARENT record right after PROC, a full
 * one none: 1 if type cannot come now for that reason. */
static int parent_missing(const struct img_writer *w, uint32_t type)
{
	int have = !!(w->seen & (1u << IMG_REC_PARENT));

	if (type == IMG_REC_PROC)
		return 0;
	if (type == IMG_REC_PARENT)
		return !(w->flags & IMG_F_DELTA) || have ||
		       w->seen != (1u << IMG_REC_PROC);
	return (w->flags & IMG_F_DELTA) && !have;
}

/* a metadata record made of two pieces, with a CRC of both */
static int write_meta(struct img_writer *w, uint32_t type, const void *p1,
		      size_t l1, const void *p2, size_t l2)
{
	uint32_t crc = crc32(0, Z_NULL, 0);

	if (parent_missing(w, type))
		return fail(w, EINVAL);
	if (l1)
		crc = crc32_z(crc, p1, l1);
	if (l2)
		crc = crc32_z(crc, p2, l2);
	if (append_rec(w, type, l1 + l2, l1 + l2, 0, 0, crc, IMG_RF_CRC) < 0 ||
	    append(w, p1, l1) < 0 || append(w, p2, l2) < 0)
		return -1;
	w->seen |= 1u << type;
	return 0;
}

static int parse_level(void)
{
	const char *s = getenv("DMTCP_GZIP_LEVEL");

	if (s && s[0] >= '0' && s[0] <= '9' && s[1] == 0)
		return s[0] - '0';
	return Z_BEST_SPEED;
}

static int open_zlib(struct img_writer *w)
{
	w->arena.base = mmap(NULL, ZARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->arena.base == MAP_FAILED) {
		w->arena.base = NULL;
		return -1;
	}
	w->arena.cap = ZARENA_SIZE;
	w->level = parse_level();
	w->cur_level = w->level;
	w->zs = zchunk_deflate_new(&w->arena, w->level);
	if (!w->zs) {
		errno = ENOMEM;
		return -1;
	}
	w->zbound = zchunk_bound(IMG_ZCHUNK_MAX);
	return 0;
}

/* worker threads for a gzip image (nthreads as img_writer_open_mt);
   0 if there are none (the calling thread compresses) */
static int open_pool(struct img_writer *w, int nthreads)
{
	size_t len;

	if (nthreads == 0)
		nthreads = zpool_ncpus();
	if (nthreads > IMG_ZTHREADS_MAX)
		nthreads = IMG_ZTHREADS_MAX;
	if (nthreads < 2)
		return 0;
	w->level = parse_level();
	w->pool = zpool_open(nthreads, w->level, &len);
	if (!w->pool)
		return 0;	/* fall back to this thread */
	w->arena.base = (unsigned char *)w->pool;
	w->arena.cap = len;
	w->arena.used = len;
	return 1;
}

int img_writer_open(struct img_writer *w, int fd, uint32_t flags,
		    uint64_t ctime_sec)
{
	return img_writer_open_mt(w, fd, flags, ctime_sec, 1);
}

int img_writer_open_mt(struct img_writer *w, int fd, uint32_t flags,
		       uint64_t ctime_sec, int nthreads)
{
	struct img_file_header h;
	off_t pos;
	int fl, err;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->flags = flags;
	new_image_id(w->image_id);
	if (flags & ~(uint32_t)(IMG_F_GZIP | IMG_F_DELTA)) {
		err = EINVAL;
		goto out_dead;
	}
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0 && errno != ESPIPE) {
		err = errno;
		goto out_dead;
	}
	w->seekable = pos >= 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0) {
		err = errno;
		goto out_dead;
	}
	/* offsets are relative to the file start (alignment, pwrite) */
	if (w->seekable && (pos != 0 || (fl & O_APPEND))) {
		err = EINVAL;
		goto out_dead;
	}
	if ((flags & IMG_F_GZIP) && !w->seekable) {
		err = ESPIPE;
		goto out_dead;
	}
	w->buf_cap = (flags & IMG_F_GZIP) ? WBUF_GZIP : WBUF_RAW;
	w->buf = mmap(NULL, w->buf_cap, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->buf == MAP_FAILED) {
		err = errno;
		w->buf = NULL;
		goto out_dead;
	}
	if ((flags & IMG_F_GZIP) && !open_pool(w, nthreads) &&
	    open_zlib(w) < 0) {
		err = errno;
		goto out_dead;
	}

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IMG_MAGIC, sizeof(h.magic));
	h.version = IMG_VERSION;
	h.header_size = sizeof(h);
	h.arch = IMG_ARCH_X86_64;
	h.page_size = IMG_PAGE_SIZE;
	h.flags = flags;
	h.ctime_sec = ctime_sec;
	memcpy(h.image_id, w->image_id, sizeof(h.image_id));
	h.hdr_crc = crc32_z(0, (const Bytef *)&h, sizeof(h));
	if (append(w, &h, sizeof(h)) < 0 ||
	    append_zeros(w, IMG_HEADER_SPACE - sizeof(h)) < 0)
		return -1;
	w->state = WS_PROC;
	return 0;

out_dead:
	return fail(w, err);
}

int img_write_rec(struct img_writer *w, uint32_t type, const void *payload,
		  size_t len)
{
	const struct img_proc *p = payload;

	if (check_alive(w) < 0)
		return -1;
	switch (type) {
	case IMG_REC_PROC:
		if (w->state != WS_PROC || len != sizeof(*p) ||
		    p->nthreads > IMG_MAX_THREADS)
			return fail(w, EINVAL);
		w->want_threads = p->nthreads;
		w->want_areas = p->nareas;
		w->state = WS_META;
		break;
	case IMG_REC_THREAD:
		if (w->state != WS_META || len != sizeof(struct img_thread) ||
		    w->nthreads >= w->want_threads)
			return fail(w, EINVAL);
		w->nthreads++;
		break;
	case IMG_REC_FDS:
	case IMG_REC_ENV:
	case IMG_REC_AUXV:
	case IMG_REC_CMDLINE:
		if (w->state != WS_META || (w->seen & (1u << type)) ||
		    len > IMG_META_MAX)
			return fail(w, EINVAL);
		if (type == IMG_REC_AUXV && len % 16)
			return fail(w, EINVAL);
		break;
	case IMG_REC_SNAP:
		if (w->state != WS_META || (w->seen & (1u << type)) ||
		    len != sizeof(struct img_snap))
			return fail(w, EINVAL);
		break;
	default:
		return fail(w, EINVAL);
	}
	return write_meta(w, type, payload, len, NULL, 0);
}

/* the PAGES after the current AREA must add up to its stored_bytes,
   the FILEDATA after the current FILE to its data_bytes */
static int close_area(struct img_writer *w)
{
	if (w->state == WS_AREAS && w->area.got != w->area.want)
		return fail(w, EINVAL);
	if (w->state == WS_FILES && w->file.got != w->file.want)
		return fail(w, EINVAL);
	return 0;
}

int img_write_file(struct img_writer *w, const struct img_file *f,
		   const char *path)
{
	struct img_file fr = *f;
	size_t plen = path ? strnlen(path, IMG_PATH_MAX + 1) : 0;

	if (check_alive(w) < 0 || close_area(w) < 0)
		return -1;
	if ((w->state != WS_META && w->state != WS_FILES) ||
	    plen > IMG_PATH_MAX || f->data_bytes > f->size)
		return fail(w, EINVAL);
	fr.path_len = plen;
	if (write_meta(w, IMG_REC_FILE, &fr, sizeof(fr), path, plen) < 0)
		return -1;
	w->state = WS_FILES;
	img_run_begin(&w->file, 0, f->size, f->data_bytes);
	return 0;
}

int img_write_area(struct img_writer *w, const struct img_area *a,
		   const char *path)
{
	struct img_area ar = *a;
	size_t plen = path ? strnlen(path, IMG_PATH_MAX + 1) : 0;
	uint64_t m = IMG_PAGE_SIZE - 1;

	if (check_alive(w) < 0 || close_area(w) < 0)
		return -1;
	if (w->state == WS_PROC || plen > IMG_PATH_MAX ||
	    w->nareas >= w->want_areas)
		return fail(w, EINVAL);
	if (a->start >= a->end || (a->start & m) || (a->end & m) ||
	    a->start < w->area.end || (a->stored_bytes & m) ||
	    a->stored_bytes > a->end - a->start)
		return fail(w, EINVAL);
	if ((a->flags & IMG_AF_DELTA) && !(w->flags & IMG_F_DELTA))
		return fail(w, EINVAL);
	w->area_flags = a->flags;
	ar.path_len = plen;
	if (write_meta(w, IMG_REC_AREA, &ar, sizeof(ar), path, plen) < 0)
		return -1;
	w->state = WS_AREAS;
	w->nareas++;
	img_run_begin(&w->area, a->start, a->end, a->stored_bytes);
	return 0;
}

/* patch a record header written at logical offset at */
static int patch_rec(struct img_writer *w, uint64_t at,
		     const struct img_rec *r)
{
	uint64_t base = w->off - w->buf_len;	/* offset of buf[0] */
	ssize_t k;

	if (at >= base) {
		memcpy(w->buf + (at - base), r, sizeof(*r));
		return 0;
	}
	do
		k = pwrite(w->fd, r, sizeof(*r), at);
	while (k < 0 && errno == EINTR);
	if (k != (ssize_t)sizeof(*r))
		return fail(w, k < 0 ? errno : EIO);
	return 0;
}

/* a PAGES or FILEDATA record of zlib chunks, compressed here */
static int write_data_gzip(struct img_writer *w, uint32_t type, uint64_t addr,
			   const unsigned char *data, size_t len,
			   uint32_t pflags)
{
	struct img_rec r = {
		.magic = IMG_REC_MAGIC, .type = type,
		.raw_size = len, .arg0 = addr, .arg1 = pflags,
		.flags = IMG_RF_ZCHUNKS,
	};
	uint64_t at = w->off, stored = 0;
	size_t done = 0;

	if (append_rec(w, type, 0, 0, 0, 0, 0, 0) < 0)
		return -1;
	while (done < len) {
		struct img_zchunk c = { 0 };
		size_t n = len - done;
		unsigned char *out, *snap;
		int err;

		if (n > IMG_ZCHUNK_MAX)
			n = IMG_ZCHUNK_MAX;
		/*
		 * Snapshot the input at the end of the buffer first: the
		 * memory being saved may change under us (the checkpoint
		 * thread's own stack and data), and the CRC and the
		 * compressed bytes must describe the same bytes.
		 */
		if (reserve(w, sizeof(c) + w->zbound + IMG_ZCHUNK_MAX) < 0)
			return -1;
		snap = w->buf + w->buf_cap - IMG_ZCHUNK_MAX;
		memcpy(snap, data + done, n);
		out = w->buf + w->buf_len + sizeof(c);
		/* random or already compressed data is stored (level 0,
		   about memcpy speed): see zchunk_compress() */
		err = zchunk_compress(w->zs, &w->cur_level, w->level, snap,
				      n, out, w->buf_cap - IMG_ZCHUNK_MAX -
				      w->buf_len - sizeof(c),
				      &c.comp_len, &c.crc);
		if (err)
			return fail(w, err);
		c.raw_len = n;
		w->nchunks++;
		memcpy(w->buf + w->buf_len, &c, sizeof(c));
		w->buf_len += sizeof(c) + c.comp_len;
		w->off += sizeof(c) + c.comp_len;
		stored += sizeof(c) + c.comp_len;
		done += n;
	}
	r.size = stored;
	return patch_rec(w, at, &r);
}

/* n bytes of compressed output: big pieces go out with the buffered
   bytes in one writev, without a copy */
static int emit(struct img_writer *w, const unsigned char *p, size_t n)
{
	struct iovec iov[2];

	if (n < EMIT_DIRECT)
		return append(w, p, n);
	iov[0].iov_base = w->buf;
	iov[0].iov_len = w->buf_len;
	iov[1].iov_base = (void *)p;
	iov[1].iov_len = n;
	if (full_writev(w->fd, iov, 2) < 0)
		return fail(w, errno);
	w->buf_len = 0;
	w->off += n;
	return 0;
}

/*
 * A job the workers compressed, in order: its chunks are back to back
 * in job->out; record headers go in front of the chunks that begin a
 * record, and are patched with the record's size after its last chunk
 * (in this job or a later one).
 */
static int retire_job(void *ctx, const struct zp_job *j)
{
	struct img_writer *w = ctx;
	size_t from = 0;

	if (w->dead)
		return fail(w, w->dead);
	if (j->err)
		return fail(w, j->err);
	for (uint32_t i = 0; i < j->nchunks; i++) {
		const struct zp_chunk *c = &j->chunk[i];

		if (c->mark & ZP_REC_BEGIN) {
			if (emit(w, j->out + from, c->out_off - from) < 0)
				return -1;
			from = c->out_off;
			w->zrec_at = w->off;
			w->zrec_stored = 0;
			w->nrecords++;
			if (append(w, &c->rec, sizeof(c->rec)) < 0)
				return -1;
		}
		w->zrec_stored += c->out_len;
		w->nchunks++;
		if (c->mark & ZP_REC_END) {
			struct img_rec r = c->rec;

			if (emit(w, j->out + from,
				 c->out_off + c->out_len - from) < 0)
				return -1;
			from = c->out_off + c->out_len;
			r.size = w->zrec_stored;
			if (patch_rec(w, w->zrec_at, &r) < 0)
				return -1;
		}
	}
	return emit(w, j->out + from, j->out_len - from);
}

/* every chunk handed to the workers written out */
static int drain(struct img_writer *w)
{
	if (!w->pool || !zpool_busy(w->pool))
		return 0;
	return zpool_drain(w->pool, retire_job, w);
}

/* a PAGES or FILEDATA record of zlib chunks, compressed by the workers:
   copied into their jobs here, written out as they come back */
static int write_data_pool(struct img_writer *w, uint32_t type,
			   uint64_t addr, const unsigned char *data,
			   size_t len, uint32_t pflags)
{
	struct img_rec r = {
		.magic = IMG_REC_MAGIC, .type = type,
		.raw_size = len, .arg0 = addr, .arg1 = pflags,
		.flags = IMG_RF_ZCHUNKS,
	};

	for (size_t done = 0, n; done < len; done += n) {
		uint32_t mark = done ? 0 : ZP_REC_BEGIN;

		n = len - done < IMG_ZCHUNK_MAX ? len - done : IMG_ZCHUNK_MAX;
		if (done + n == len)
			mark |= ZP_REC_END;
		if (zpool_add(w->pool, data + done, n, mark, &r, retire_job,
			      w) < 0)
			return -1;
	}
	return 0;
}

/*
 * A PAGES or FILEDATA record of raw data: a PAGES payload starts page
 * aligned (a PAD record first if needed) and has no CRC; a FILEDATA
 * payload has one.  The buffered headers and the data go out in one
 * system call.
 */
static int write_data_raw(struct img_writer *w, uint32_t type, uint64_t arg0,
			  const void *data, size_t len, uint32_t pflags)
{
	uint64_t pad = type == IMG_REC_PAGES && len >= IMG_RAW_ALIGN_MIN ?
		       img_pad_len(w->off) : UINT64_MAX;
	uint32_t crc = 0, rflags = 0;
	struct iovec iov[2];

	if (type == IMG_REC_PAGES && len < IMG_RAW_ALIGN_MIN) {
		/* small runs (between zero pages): packed into the buffer,
		   no PAD, no system call of their own */
		if (append_rec(w, type, len, len, arg0, pflags, 0, 0) < 0 ||
		    append(w, data, len) < 0)
			return -1;
		return 0;
	}

	if (pad != UINT64_MAX &&
	    (append_rec(w, IMG_REC_PAD, pad, pad, 0, 0, 0, 0) < 0 ||
	     append_zeros(w, pad) < 0))
		return -1;
	if (type == IMG_REC_FILEDATA) {
		crc = crc32_z(0, data, len);
		rflags = IMG_RF_CRC;
	}
	if (append_rec(w, type, len, len, arg0, pflags, crc, rflags) < 0)
		return -1;
	iov[0].iov_base = w->buf;
	iov[0].iov_len = w->buf_len;
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	if (full_writev(w->fd, iov, 2) < 0)
		return fail(w, errno);
	w->buf_len = 0;
	w->off += len;
	return 0;
}

/* a PAGES or FILEDATA record, raw or of zlib chunks as the image is */
static int write_data(struct img_writer *w, uint32_t type, uint64_t arg0,
		      const void *data, size_t len, uint32_t pflags)
{
	if (w->pool)
		return write_data_pool(w, type, arg0, data, len, pflags);
	if (w->flags & IMG_F_GZIP)
		return write_data_gzip(w, type, arg0, data, len, pflags);
	return write_data_raw(w, type, arg0, data, len, pflags);
}

int img_write_pages(struct img_writer *w, uint64_t addr, const void *data,
		    size_t len, uint32_t pflags)
{
	uint64_t m = IMG_PAGE_SIZE - 1;

	if (check_alive(w) < 0)
		return -1;
	if (w->state != WS_AREAS || !len || (addr & m) || (len & m) ||
	    (pflags & IMG_PF_ZERO) || img_run_check(&w->area, addr, len))
		return fail(w, EINVAL);
	if (write_data(w, IMG_REC_PAGES, addr, data, len, pflags) < 0)
		return -1;
	img_run_add(&w->area, addr, len);
	w->page_bytes += len;
	return 0;
}

int img_write_filedata(struct img_writer *w, uint64_t off, const void *data,
		       size_t len)
{
	if (check_alive(w) < 0)
		return -1;
	if (w->state != WS_FILES || !len ||
	    img_run_check(&w->file, off, len))
		return fail(w, EINVAL);
	if (write_data(w, IMG_REC_FILEDATA, off, data, len, 0) < 0)
		return -1;
	img_run_add(&w->file, off, len);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Incremental images (IMG_F_DELTA)                                   */

/* 16 random bytes for the header's image_id; getrandom(2) as a raw
 * call (no allocation), the clock and pid mixed in should it fail */
static void new_image_id(uint8_t id[16])
{
	struct timespec ts;
	uint64_t x[2];
	long k = syscall(SYS_getrandom, id, 16, 0);

	if (k == 16)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	x[0] = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
	x[1] = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)id ^
	       crc32(0, (const Bytef *)x, sizeof(x[0]));
	memcpy(id, x, 16);
}

const uint8_t *img_writer_id(const struct img_writer *w)
{
	return w->image_id;
}

int img_write_parent(struct img_writer *w, const uint8_t parent_id[16],
		     uint32_t parent_generation, uint32_t depth,
		     const char *name)
{
	struct img_parent p;
	size_t len = name ? strnlen(name, 256) : 0;

	if (check_alive(w) < 0)
		return -1;
	if (w->state != WS_META || !img_parent_name_ok(name, len) ||
	    depth < 1 || depth > IMG_MAX_CHAIN)
		return fail(w, EINVAL);
	memset(&p, 0, sizeof(p));
	memcpy(p.parent_id, parent_id, sizeof(p.parent_id));
	p.parent_generation = parent_generation;
	p.depth = depth;
	p.name_len = len;
	return write_meta(w, IMG_REC_PARENT, &p, sizeof(p), name, len);
}

int img_write_zero_pages(struct img_writer *w, uint64_t addr, size_t len)
{
	uint64_t m = IMG_PAGE_SIZE - 1;

	if (check_alive(w) < 0)
		return -1;
	if (w->state != WS_AREAS || !(w->area_flags & IMG_AF_DELTA) ||
	    !len || (addr & m) || (len & m) ||
	    img_run_check(&w->area, addr, len))
		return fail(w, EINVAL);
	if (append_rec(w, IMG_REC_PAGES, 0, len, addr, IMG_PF_ZERO, 0, 0) < 0)
		return -1;
	img_run_add(&w->area, addr, len);
	w->page_bytes += len;
	return 0;
}

int img_writer_finish(struct img_writer *w)
{
	struct img_end e = { 0 };

	if (check_alive(w) < 0 || close_area(w) < 0)
		return -1;
	if (w->state == WS_PROC || w->nthreads != w->want_threads ||
	    w->nareas != w->want_areas)
		return fail(w, EINVAL);
	if (drain(w) < 0)	/* the records' count is final after it */
		return -1;
	e.nrecords = w->nrecords;
	e.page_bytes = w->page_bytes;
	if (write_meta(w, IMG_REC_END, &e, sizeof(e), NULL, 0) < 0 ||
	    flush_buf(w) < 0)
		return -1;
	w->state = WS_DONE;
	return 0;
}

void img_writer_close(struct img_writer *w)
{
	int err = errno;

	if (w->pool)
		zpool_close(w->pool);	/* the threads, then the arena */
	else if (w->arena.base)
		munmap(w->arena.base, w->arena.cap);
	if (w->buf)
		munmap(w->buf, w->buf_cap);
	w->pool = NULL;
	w->buf = NULL;
	w->arena.base = NULL;
	w->zs = NULL;
	w->buf_len = 0;
	errno = err;
}

uint64_t img_writer_bytes(const struct img_writer *w)
{
	return w->off;
}
