/*
 * mem.c - random access to the memory an image holds (see mem.h).
 *
 * insp_mem_open() walks the records once with the image library's
 * reader and keeps, per area, the PAGES runs: their address, length and
 * payload offset in the file, and for gzip images the offset and size of
 * every zlib chunk (headers are checked here, since this reader seeks
 * into the middle of payloads).  Raw payloads are read with pread; a
 * gzip chunk is inflated and CRC-checked when first touched and kept in
 * a small LRU cache, so sequential scans (core, diff) inflate each chunk
 * once.  An incremental image's pages are read through its chain
 * (img-chain.h): the chain says which image holds each page, and that
 * image's PAGES are indexed the first time one of its pages is read, so
 * a few values cost a few pages, not the whole chain.
 */
#include "mem.h"
#include "img-chain.h"
#include "inspect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MEM_CACHE_SLOTS	4
#define MEM_PAGE	((uint64_t)IMG_PAGE_SIZE)

struct mem_chunk {
	uint64_t raw_off;	/* offset of its bytes within the run */
	uint64_t file_off;	/* offset of the zlib data in the image */
	uint32_t raw_len, comp_len, crc;
};

struct mem_run {
	uint64_t addr, len;
	int zero;		/* an IMG_PF_ZERO record: zeros, no payload */
	uint64_t file_off;	/* payload offset (raw images) */
	struct mem_chunk *chunks;	/* gzip images */
	size_t nchunks;
};

struct mem_area {
	struct mem_run *runs;
	size_t nruns, cap;
	int file_fd;		/* backing file, -1 if none/not open */
	int file_state;		/* enum insp_file_state, -1 = unchecked */
};

struct mem_slot {
	const struct mem_chunk *chunk;	/* NULL: empty */
	unsigned char *buf;
	uint64_t used;		/* LRU stamp */
};

struct insp_mem {
	const struct img_meta *m;
	const char *data_path;	/* where the PAGES are: m->path */
	int fd;
	int gzip;
	struct mem_area *areas;
	struct mem_slot slots[MEM_CACHE_SLOTS];
	uint64_t clock;
	unsigned char *zin;
	size_t zin_cap;
	char err[512];
	/* an incremental image: its chain, every page resolved to the
	   image holding it, and a reader of each image of the chain,
	   opened when one of its pages is first read (sub[0] unused: this
	   reader's own index is image 0's) */
	struct img_chain *chain;
	struct insp_mem **sub;
};

static int mem_fail(struct insp_mem *mem, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int mem_fail(struct insp_mem *mem, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(mem->err, sizeof(mem->err), "%s: ", mem->m->path);
	if (n < 0 || (size_t)n >= sizeof(mem->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(mem->err + n, sizeof(mem->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

const char *insp_mem_error(const struct insp_mem *mem)
{
	return mem->err;
}

static int mem_pread(struct insp_mem *mem, void *buf, size_t len,
		     uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(mem->fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mem_fail(mem, "read at offset %llu: %s",
					(unsigned long long)(off + done),
					strerror(errno));
		if (n == 0)
			return mem_fail(mem, "truncated at offset %llu "
					"(corrupt image)",
					(unsigned long long)(off + done));
		done += (size_t)n;
	}
	return 0;
}

/* Reads the chunk headers of a gzip PAGES payload into run->chunks. */
static int mem_index_chunks(struct insp_mem *mem, struct mem_run *run,
			    uint64_t pay_off, uint64_t size)
{
	uint64_t pos = 0, raw = 0;
	size_t cap = 0;

	while (pos < size) {
		struct img_zchunk z;
		struct mem_chunk *c;

		if (size - pos < sizeof(z))
			return mem_fail(mem, "PAGES at offset %llu: zlib "
					"chunk header cut short (corrupt "
					"image)", (unsigned long long)pay_off);
		if (mem_pread(mem, &z, sizeof(z), pay_off + pos) < 0)
			return -1;
		if (!z.raw_len || z.raw_len > IMG_ZCHUNK_MAX ||
		    z.comp_len > size - pos - sizeof(z) ||
		    z.raw_len > run->len - raw)
			return mem_fail(mem, "zlib chunk at offset %llu: bad "
					"header (raw %u, compressed %u) "
					"(corrupt image)",
					(unsigned long long)(pay_off + pos),
					z.raw_len, z.comp_len);
		if (run->nchunks == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			void *p = realloc(run->chunks,
					  ncap * sizeof(*run->chunks));

			if (!p)
				return mem_fail(mem, "out of memory");
			run->chunks = p;
			cap = ncap;
		}
		c = &run->chunks[run->nchunks++];
		c->raw_off = raw;
		c->file_off = pay_off + pos + sizeof(z);
		c->raw_len = z.raw_len;
		c->comp_len = z.comp_len;
		c->crc = z.crc;
		raw += z.raw_len;
		pos += sizeof(z) + z.comp_len;
	}
	if (raw != run->len)
		return mem_fail(mem, "PAGES at offset %llu: chunks hold %llu "
				"bytes, the record says %llu (corrupt image)",
				(unsigned long long)pay_off,
				(unsigned long long)raw,
				(unsigned long long)run->len);
	return 0;
}

static int mem_add_run(struct insp_mem *mem, long ai,
		       const struct img_reader *r, const struct img_rec *rec)
{
	const struct img_area *a;
	struct mem_area *ma;
	struct mem_run *run;
	uint64_t pay_off = r->rec_off + sizeof(*rec);

	if (ai < 0 || (size_t)ai >= mem->m->nareas)
		return mem_fail(mem, "PAGES record at offset %llu outside "
				"any area (corrupt image)",
				(unsigned long long)r->rec_off);
	a = &mem->m->areas[ai].area;
	ma = &mem->areas[ai];
	if (rec->arg0 < a->start || rec->raw_size > a->end - rec->arg0 ||
	    (rec->arg0 | rec->raw_size) % MEM_PAGE || !rec->raw_size ||
	    (ma->nruns &&
	     rec->arg0 < ma->runs[ma->nruns - 1].addr +
			 ma->runs[ma->nruns - 1].len))
		return mem_fail(mem, "PAGES record at offset %llu: bad "
				"range %#llx+%#llx (corrupt image)",
				(unsigned long long)r->rec_off,
				(unsigned long long)rec->arg0,
				(unsigned long long)rec->raw_size);
	if (ma->nruns == ma->cap) {
		size_t ncap = ma->cap ? 2 * ma->cap : 4;
		void *p = realloc(ma->runs, ncap * sizeof(*ma->runs));

		if (!p)
			return mem_fail(mem, "out of memory");
		ma->runs = p;
		ma->cap = ncap;
	}
	run = &ma->runs[ma->nruns++];
	memset(run, 0, sizeof(*run));
	run->addr = rec->arg0;
	run->len = rec->raw_size;
	run->file_off = pay_off;
	if ((rec->arg1 & IMG_PF_ZERO) && rec->size == 0 &&
	    (a->flags & IMG_AF_DELTA)) {
		run->zero = 1;
		return 0;
	}
	if (rec->flags & IMG_RF_ZCHUNKS)
		return mem_index_chunks(mem, run, pay_off, rec->size);
	if (rec->size != rec->raw_size)
		return mem_fail(mem, "PAGES record at offset %llu: %llu "
				"bytes stored for %llu (corrupt image)",
				(unsigned long long)r->rec_off,
				(unsigned long long)rec->size,
				(unsigned long long)rec->raw_size);
	return 0;
}

static int mem_index(struct insp_mem *mem)
{
	struct img_reader r;
	struct img_rec rec;
	long ai = -1;
	int rc;

	if (img_reader_open(&r, mem->data_path, mem->err,
			    sizeof(mem->err)) < 0)
		return -1;
	mem->gzip = !!(r.hdr.flags & IMG_F_GZIP);
	while ((rc = img_reader_next(&r, &rec)) > 0) {
		if (rec.type == IMG_REC_AREA) {
			ai++;
		} else if (rec.type == IMG_REC_PAGES) {
			if (mem_add_run(mem, ai, &r, &rec) < 0) {
				rc = -1;
				break;
			}
		}
	}
	img_reader_close(&r);
	if (rc == 0 && (size_t)(ai + 1) != mem->m->nareas)
		rc = mem_fail(mem, "%ld AREA records, PROC says %zu (corrupt "
			      "image)", ai + 1, mem->m->nareas);
	return rc;
}

/* with_chain: an incremental image's pages through its chain */
static struct insp_mem *mem_open(const struct img_meta *m,
				 const char *data_path, int with_chain,
				 char *err, size_t errcap)
{
	struct insp_mem *mem;
	size_t i;

	mem = calloc(1, sizeof(*mem));
	if (!mem) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	mem->m = m;
	mem->data_path = data_path;
	mem->fd = -1;
	mem->areas = calloc(m->nareas ? m->nareas : 1, sizeof(*mem->areas));
	if (!mem->areas) {
		snprintf(err, errcap, "out of memory");
		goto out_free;
	}
	for (i = 0; i < m->nareas; i++) {
		mem->areas[i].file_fd = -1;
		mem->areas[i].file_state = -1;
	}
	mem->fd = open(data_path, O_RDONLY | O_CLOEXEC);
	if (mem->fd < 0) {
		snprintf(err, errcap, "%s: %s", m->path, strerror(errno));
		goto out_free;
	}
	if (mem_index(mem) < 0) {
		snprintf(err, errcap, "%s", mem->err);
		goto out_free;
	}
	if ((m->hdr.flags & IMG_F_DELTA) && with_chain) {
		mem->chain = img_chain_open(m->path, err, errcap);
		if (!mem->chain)
			goto out_free;
		if (mem->chain->nareas != m->nareas) {
			snprintf(err, errcap, "%s: its chain has %zu areas, the "
				 "image %zu (corrupt chain)", m->path,
				 mem->chain->nareas, m->nareas);
			goto out_free;
		}
		mem->sub = calloc((size_t)mem->chain->n, sizeof(*mem->sub));
		if (!mem->sub) {
			snprintf(err, errcap, "out of memory");
			goto out_free;
		}
	}
	return mem;

out_free:
	insp_mem_close(mem);
	return NULL;
}

struct insp_mem *insp_mem_open(const struct img_meta *m, char *err,
			       size_t errcap)
{
	return mem_open(m, m->path, 1, err, errcap);
}

void insp_mem_close(struct insp_mem *mem)
{
	size_t i, j;

	if (!mem)
		return;
	for (i = 0; mem->areas && i < mem->m->nareas; i++) {
		for (j = 0; j < mem->areas[i].nruns; j++)
			free(mem->areas[i].runs[j].chunks);
		free(mem->areas[i].runs);
		if (mem->areas[i].file_fd >= 0)
			close(mem->areas[i].file_fd);
	}
	free(mem->areas);
	for (i = 0; mem->sub && i < (size_t)mem->chain->n; i++)
		insp_mem_close(mem->sub[i]);
	free(mem->sub);
	img_chain_close(mem->chain);
	for (i = 0; i < MEM_CACHE_SLOTS; i++)
		free(mem->slots[i].buf);
	free(mem->zin);
	if (mem->fd >= 0)
		close(mem->fd);
	free(mem);
}

/* The inflated bytes of chunk c, from the cache or inflated now. */
static const unsigned char *mem_chunk_data(struct insp_mem *mem,
					   const struct mem_chunk *c)
{
	struct mem_slot *s = NULL;
	uLongf out_len;
	size_t i;
	int zr;

	for (i = 0; i < MEM_CACHE_SLOTS; i++) {
		if (mem->slots[i].chunk == c) {
			mem->slots[i].used = ++mem->clock;
			return mem->slots[i].buf;
		}
		if (!s || mem->slots[i].used < s->used)
			s = &mem->slots[i];
	}
	if (!s->buf) {
		s->buf = malloc(IMG_ZCHUNK_MAX);
		if (!s->buf) {
			mem_fail(mem, "out of memory");
			return NULL;
		}
	}
	if (mem->zin_cap < c->comp_len) {
		free(mem->zin);
		mem->zin = malloc(c->comp_len);
		mem->zin_cap = mem->zin ? c->comp_len : 0;
		if (!mem->zin) {
			mem_fail(mem, "out of memory");
			return NULL;
		}
	}
	s->chunk = NULL;
	if (mem_pread(mem, mem->zin, c->comp_len, c->file_off) < 0)
		return NULL;
	out_len = c->raw_len;
	zr = uncompress(s->buf, &out_len, mem->zin, c->comp_len);
	if (zr != Z_OK || out_len != c->raw_len) {
		mem_fail(mem, "zlib chunk at offset %llu: %s (corrupt image)",
			 (unsigned long long)(c->file_off -
					      sizeof(struct img_zchunk)),
			 zr != Z_OK ? zError(zr) : "wrong inflated size");
		return NULL;
	}
	if (crc32(0, s->buf, c->raw_len) != c->crc) {
		mem_fail(mem, "zlib chunk at offset %llu: CRC mismatch "
			 "(corrupt image)",
			 (unsigned long long)(c->file_off -
					      sizeof(struct img_zchunk)));
		return NULL;
	}
	s->chunk = c;
	s->used = ++mem->clock;
	return s->buf;
}

/* Copies [addr, addr + len) of a run (within one chunk or not). */
static int mem_read_run(struct insp_mem *mem, const struct mem_run *run,
			uint64_t addr, void *buf, size_t len)
{
	uint64_t off = addr - run->addr;
	size_t lo, hi;

	if (run->zero) {
		memset(buf, 0, len);
		return 0;
	}
	if (!mem->gzip && !run->chunks)
		return mem_pread(mem, buf, len, run->file_off + off);
	while (len) {
		const struct mem_chunk *c;
		const unsigned char *d;
		size_t n;

		/* binary search: last chunk with raw_off <= off */
		lo = 0;
		hi = run->nchunks;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (run->chunks[mid].raw_off <= off)
				lo = mid;
			else
				hi = mid;
		}
		if (!run->nchunks)
			return mem_fail(mem, "PAGES at %#llx: no data "
					"(corrupt image)",
					(unsigned long long)run->addr);
		c = &run->chunks[lo];
		d = mem_chunk_data(mem, c);
		if (!d)
			return -1;
		n = c->raw_len - (size_t)(off - c->raw_off);
		if (n > len)
			n = len;
		memcpy(buf, d + (off - c->raw_off), n);
		buf = (char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

static const struct mem_run *mem_find_run(const struct mem_area *ma,
					  uint64_t addr)
{
	size_t lo = 0, hi = ma->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mem_run *r = &ma->runs[mid];

		if (addr < r->addr)
			hi = mid;
		else if (addr >= r->addr + r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

const char *insp_file_state_name(enum insp_file_state s)
{
	switch (s) {
	case INSP_FILE_SAME:
		return "same";
	case INSP_FILE_CHANGED:
		return "changed";
	case INSP_FILE_MISSING:
		return "missing";
	default:
		return "none";
	}
}

enum insp_file_state insp_mem_file_state(struct insp_mem *mem, size_t ai)
{
	const struct img_meta_area *ma = &mem->m->areas[ai];
	const struct img_area *a = &ma->area;
	struct mem_area *x = &mem->areas[ai];
	struct stat st;

	if (x->file_state >= 0)
		return x->file_state;
	if ((a->kind != IMG_AREA_FILE && a->kind != IMG_AREA_SHARED_FILE) ||
	    !ma->path || ma->path[0] != '/') {
		x->file_state = INSP_FILE_NONE;
		return x->file_state;
	}
	x->file_fd = open(ma->path, O_RDONLY | O_CLOEXEC);
	if (x->file_fd < 0 || fstat(x->file_fd, &st) < 0) {
		x->file_state = INSP_FILE_MISSING;
	} else if ((uint64_t)st.st_ino == a->inode &&
		   (uint64_t)st.st_size == a->file_size &&
		   st.st_mtim.tv_sec == a->mtime_sec &&
		   st.st_mtim.tv_nsec == a->mtime_nsec) {
		x->file_state = INSP_FILE_SAME;
	} else if (insp_area_build_id_matches(a, ma->path)) {
		/* reinstalled or copied, but the same ELF object */
		x->file_state = INSP_FILE_SAME;
	} else {
		x->file_state = INSP_FILE_CHANGED;
	}
	if (x->file_state != INSP_FILE_SAME && x->file_fd >= 0) {
		close(x->file_fd);
		x->file_fd = -1;
	}
	return x->file_state;
}

/* Bytes of an unstored page of a file mapping, zeros past the end. */
static int mem_read_file(struct insp_mem *mem, size_t ai, uint64_t addr,
			 void *buf, size_t len)
{
	const struct img_area *a = &mem->m->areas[ai].area;
	int fd = mem->areas[ai].file_fd;
	uint64_t off = a->offset + (addr - a->start);
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	memset((char *)buf + done, 0, len - done);
	return 0;
}

/* The resolved run of the chain holding addr in area ai, or NULL */
static const struct img_chain_run *chain_find(const struct img_chain *c,
					      size_t ai, uint64_t addr)
{
	const struct img_chain_area *ca = &c->areas[ai];
	size_t lo = 0, hi = ca->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct img_chain_run *r = &ca->runs[mid];

		if (addr < r->start)
			hi = mid;
		else if (addr >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* A page of an incremental image, read from the image of its chain
 * that holds it: 1 with the bytes, 0 if no image holds it (the fresh
 * mapping's), -1 on error */
static int chain_read(struct insp_mem *mem, size_t ai, uint64_t addr,
		      void *buf, size_t len)
{
	const struct img_chain_run *cr = chain_find(mem->chain, ai, addr);
	const struct img_meta *pm;
	const struct mem_run *run;
	struct insp_mem *sub;
	long pai;

	if (!cr)
		return 0;
	if (cr->kind == IMG_CHAIN_ZERO) {
		memset(buf, 0, len);
		return 1;
	}
	if (cr->image == 0) {
		run = mem_find_run(&mem->areas[ai], addr);
		if (!run || run->zero)
			return mem_fail(mem, "page %#llx: not in its PAGES "
					"records (corrupt chain)",
					(unsigned long long)addr);
		return mem_read_run(mem, run, addr, buf, len) < 0 ? -1 : 1;
	}
	if (cr->image >= (uint32_t)mem->chain->n)
		return mem_fail(mem, "page %#llx: bad chain image %u",
				(unsigned long long)addr, cr->image);
	pm = mem->chain->m[cr->image];
	sub = mem->sub[cr->image];
	if (!sub) {
		char err[512];

		/* that image's own PAGES only: no chain of its own */
		sub = mem_open(pm, pm->path, 0, err, sizeof(err));
		if (!sub)
			return mem_fail(mem, "%s", err);
		mem->sub[cr->image] = sub;
	}
	pai = insp_find_area(pm, addr);
	run = pai < 0 ? NULL : mem_find_run(&sub->areas[pai], addr);
	if (!run || run->zero)
		return mem_fail(mem, "page %#llx: not stored in %s, where its "
				"chain says it is (corrupt chain)",
				(unsigned long long)addr, pm->path);
	if (mem_read_run(sub, run, addr, buf, len) < 0)
		return mem_fail(mem, "%s", sub->err);
	return 1;
}

int insp_mem_read_page(struct insp_mem *mem, size_t ai, uint64_t addr,
		       void *buf, size_t len)
{
	const struct img_area *a = &mem->m->areas[ai].area;
	const struct mem_run *run;

	if (mem->chain) {
		int rc = chain_read(mem, ai, addr, buf, len);

		if (rc)
			return rc < 0 ? -1 : INSP_SRC_STORED;
		goto fresh;
	}
	run = mem_find_run(&mem->areas[ai], addr);
	if (run)
		return mem_read_run(mem, run, addr, buf, len) < 0 ?
		       -1 : INSP_SRC_STORED;
fresh:
	switch (a->kind) {
	case IMG_AREA_ANON:
	case IMG_AREA_SHARED_ANON:
		memset(buf, 0, len);
		return INSP_SRC_ZERO;
	case IMG_AREA_FILE:
	case IMG_AREA_SHARED_FILE:
		if (insp_mem_file_state(mem, ai) == INSP_FILE_SAME) {
			mem_read_file(mem, ai, addr, buf, len);
			return INSP_SRC_FILE;
		}
		break;
	default:
		break;
	}
	memset(buf, 0, len);
	return INSP_SRC_NONE;
}

int insp_mem_page_stored(struct insp_mem *mem, size_t ai, uint64_t addr)
{
	if (mem->chain)
		return chain_find(mem->chain, ai, addr) != NULL;
	return mem_find_run(&mem->areas[ai], addr) != NULL;
}

int insp_mem_read(struct insp_mem *mem, uint64_t addr, void *buf,
		  size_t len)
{
	while (len) {
		long ai = insp_find_area(mem->m, addr);
		uint64_t page_end = (addr | (MEM_PAGE - 1)) + 1;
		size_t n = len;
		int src;

		if (ai < 0)
			return -1;
		if (page_end - addr < n)
			n = (size_t)(page_end - addr);
		src = insp_mem_read_page(mem, (size_t)ai, addr, buf, n);
		if (src <= INSP_SRC_NONE)
			return -1;
		addr += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}
