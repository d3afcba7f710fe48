/*
 * restore-check.c - the checks an image must pass before anything is
 * restored from it (include/dmtcp/restore-check.h).
 *
 * Freestanding: compiled into mtcp_restart (no libc) and into the image
 * library.  It includes nothing but the contracts and calls no function
 * it does not define (but img_data_inside of img-range.h, static
 * inline), so the compiler builtins are the only thing the two worlds
 * have to agree on (mtcp-util.c provides memcpy/memset for struct
 * copies).  Its number formatting and exact reads serve mtcp_restart
 * as well.
 */
#include <stddef.h>
#include <stdint.h>

#include "dmtcp/image.h"
#include "dmtcp/restore.h"
#include "dmtcp/restore-check.h"
#include "img-range.h"

#define RCHK_EINTR	4	/* EINTR: no errno.h in the freestanding world */
#define PAGE		((uint64_t)IMG_PAGE_SIZE)
#define PMASK		(PAGE - 1)
#define AT_SYSINFO_EHDR	33

enum { ST_HDR, ST_PROC, ST_META, ST_FILES, ST_AREAS, ST_END };

/*
 * FILE and FILEDATA records (files the process had open, which
 * dmtcp_restart recreates; mtcp_restart skips them): numbered here so
 * that this file does not depend on their declarations.  Only their
 * framing matters to the restorer.
 */
#define REC_FILE	11
#define REC_FILEDATA	12
#define REC_SNAP	14	/* the snapshot's metadata: skipped */
#define REC_LAST	REC_SNAP
#define SNAP_REC_SIZE	344	/* sizeof(struct img_snap) */
#define FILE_REC_MIN	88	/* sizeof(struct img_file) */

/* probe kinds */
enum {
	P_ENTRY = 1,	/* restore_entry: executable, restored */
	P_STACK,	/* restore_stack - 1 and - RCHK_STACK_NEED: writable */
	P_RSP,		/* a thread's stack pointer: writable */
	P_RIP,		/* a thread's instruction pointer: executable */
	P_FS,		/* a thread's TLS base: mapped */
};

/* ------------------------------------------------------------------ */
/* Messages                                                           */

static void m_s(struct rchk *c, const char *s)
{
	while (*s && c->msg_len + 1 < sizeof(c->msg))
		c->msg[c->msg_len++] = *s++;
	c->msg[c->msg_len] = 0;
}

char *rchk_hex(char b[RCHK_NUM_CAP], uint64_t v)
{
	char *p = b + RCHK_NUM_CAP - 1;

	*p = 0;
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	return p;
}

char *rchk_dec(char b[RCHK_NUM_CAP], uint64_t v)
{
	char *p = b + RCHK_NUM_CAP - 1;

	*p = 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

static void m_x(struct rchk *c, uint64_t v)
{
	char b[RCHK_NUM_CAP];

	m_s(c, rchk_hex(b, v));
}

static void m_d(struct rchk *c, uint64_t v)
{
	char b[RCHK_NUM_CAP];

	m_s(c, rchk_dec(b, v));
}

/* "<pre><v><post>", v in hex when hex, else in decimal */
static void m_n(struct rchk *c, const char *pre, uint64_t v, int hex,
		const char *post)
{
	m_s(c, pre);
	if (hex)
		m_x(c, v);
	else
		m_d(c, v);
	m_s(c, post);
}

/* "<start>-<end>" */
static void m_span(struct rchk *c, uint64_t start, uint64_t end)
{
	m_n(c, "", start, 1, "-");
	m_x(c, end);
}

/* Starts the message of a failure about field. */
static void m_begin(struct rchk *c, const char *field)
{
	c->failed = 1;
	c->field = field;
	c->msg_len = 0;
	c->msg[0] = 0;
}

/* "<field> = <v>: <why>", v in hex when hex, else in decimal */
static int bad_num(struct rchk *c, const char *field, uint64_t v, int hex,
		   const char *why)
{
	m_begin(c, field);
	m_s(c, field);
	m_n(c, " = ", v, hex, ": ");
	m_s(c, why);
	return -1;
}

static int bad_x(struct rchk *c, const char *field, uint64_t v,
		 const char *why)
{
	return bad_num(c, field, v, 1, why);
}

static int bad_d(struct rchk *c, const char *field, uint64_t v,
		 const char *why)
{
	return bad_num(c, field, v, 0, why);
}

/* lo <= v <= hi, else "<field> = <v>: <why>" (v in hex when hex) */
static int in_range(struct rchk *c, const char *field, uint64_t v,
		    uint64_t lo, uint64_t hi, int hex, const char *why)
{
	if (v >= lo && v <= hi)
		return 0;
	return bad_num(c, field, v, hex, why);
}

/* "record N at offset O: " prefix (the message continues) */
static void m_rec(struct rchk *c, const char *field)
{
	m_begin(c, field);
	m_n(c, "record ", c->recno, 0, " at offset ");
	m_n(c, "", c->rec_off, 0, ": ");
}

static int bad_rec(struct rchk *c, const char *field, const char *why)
{
	m_rec(c, field);
	m_s(c, why);
	return -1;
}

/* "area N (start-end): " prefix */
static void m_area(struct rchk *c, const char *field,
		   const struct img_area *a)
{
	m_begin(c, field);
	m_n(c, "area ", c->nareas, 0, " (");
	m_span(c, a->start, a->end);
	m_s(c, ") ");
	m_s(c, field);
	m_s(c, ": ");
}

/* "area N (start-end) start: <why> (<lo>-<hi>)": a clash with a range */
static int bad_area_span(struct rchk *c, const struct img_area *a,
			 const char *why, uint64_t lo, uint64_t hi)
{
	m_area(c, "start", a);
	m_s(c, why);
	m_s(c, " (");
	m_span(c, lo, hi);
	m_s(c, ")");
	return -1;
}

static int failed(struct rchk *c)
{
	if (!c->failed)
		return 0;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

uint32_t rchk_crc32(uint32_t crc, const void *buf, uint64_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static int has_nul(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			return 1;
	return 0;
}

static int bytes_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* [a, a + alen) and [b, b + blen) overlap */
static int overlaps(uint64_t a, uint64_t aend, uint64_t b, uint64_t bend)
{
	return a < bend && b < aend;
}

static int crc_ok(struct rchk *c, const void *p, uint64_t n,
		  const void *p2, uint64_t n2)
{
	uint32_t crc;

	if ((c->flags & RCHK_META) || !(c->rec.flags & IMG_RF_CRC))
		return 0;
	crc = rchk_crc32(0, p, n);
	if (n2)
		crc = rchk_crc32(crc, p2, n2);
	if (crc != c->rec.crc)
		return bad_rec(c, "crc", "CRC mismatch");
	return 0;
}

/* The payload call matching the last record header (records only). */
static int expect(struct rchk *c, int type, const char *name)
{
	if (failed(c))
		return -1;
	if (c->flags & RCHK_META)
		return 0;
	if (c->pending != type) {
		m_begin(c, "type");
		m_s(c, name);
		m_s(c, " payload without its record header");
		return -1;
	}
	c->pending = 0;
	return 0;
}

void rchk_init(struct rchk *c, uint64_t file_size, uint32_t flags)
{
	/* everything but the (large) probe array and buffers */
	unsigned char *p = (unsigned char *)c;

	for (size_t i = 0; i < offsetof(struct rchk, probes); i++)
		p[i] = 0;
	c->flags = flags;
	c->field = "";
	c->file_size = file_size;
	c->state = (flags & RCHK_META) ? ST_PROC : ST_HDR;
	c->nprobes = c->next_probe = 0;
	c->sorted = 0;
	c->auxv_vdso = 0;
	c->pending = 0;
}

/* ------------------------------------------------------------------ */
/* File header                                                        */

int rchk_header(struct rchk *c, const struct img_file_header *h)
{
	struct img_file_header t = *h;

	if (failed(c))
		return -1;
	if (!bytes_eq(h->magic, IMG_MAGIC, 8)) {
		m_begin(c, "magic");
		m_s(c, "not a checkpoint image (no DMTCPIMG magic at offset 0)");
		return -1;
	}
	if (h->version != IMG_VERSION)
		return bad_d(c, "header.version", h->version,
			     "this build restores format v3 images");
	if (h->header_size != sizeof(*h))
		return bad_d(c, "header.header_size", h->header_size,
			     "must be 72");
	t.hdr_crc = 0;
	if (rchk_crc32(0, &t, sizeof(t)) != h->hdr_crc)
		return bad_x(c, "header.hdr_crc", h->hdr_crc,
			     "file header CRC mismatch");
	if (h->arch != IMG_ARCH_X86_64)
		return bad_d(c, "header.arch", h->arch,
			     "not an x86-64 (62) image");
	if (h->page_size != IMG_PAGE_SIZE)
		return bad_d(c, "header.page_size", h->page_size,
			     "this build needs 4096");
	if (h->flags & IMG_F_DELTA)
		return bad_x(c, "header.flags", h->flags, "an incremental "
			     "image: its memory is in the chain of its parents "
			     "(dmtcp_restart follows the chain)");
	if (h->flags & ~(uint32_t)IMG_F_GZIP)
		return bad_x(c, "header.flags", h->flags, "unknown flags");
	if ((h->flags & IMG_F_GZIP) && (c->flags & RCHK_RAW_ONLY))
		return bad_x(c, "header.flags", h->flags,
			     "a compressed image: mtcp_restart reads raw "
			     "images (run dmtcp_restart, which decodes it)");
	if (c->file_size && c->file_size < IMG_HEADER_SPACE)
		return bad_d(c, "file size", c->file_size,
			     "truncated in the file header space");
	c->gzip = h->flags & IMG_F_GZIP;
	c->have_header = 1;
	if (!(c->flags & RCHK_META))
		c->state = ST_PROC;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Record headers                                                     */

static int close_area(struct rchk *c)
{
	if ((c->flags & RCHK_META) || !c->in_area)
		return 0;
	c->in_area = 0;
	if (c->area_got != c->area.stored_bytes) {
		m_area(c, "stored_bytes", &c->area);
		m_n(c, "the PAGES records hold ", c->area_got, 0,
		    " bytes, the AREA record says ");
		m_d(c, c->area.stored_bytes);
		return -1;
	}
	return 0;
}

static int rec_pages(struct rchk *c, uint64_t off, const struct img_rec *r)
{
	if (c->state != ST_AREAS)
		return bad_rec(c, "type", "PAGES record before any AREA "
			       "record");
	if (!c->gzip && (r->flags & IMG_RF_ZCHUNKS))
		return bad_rec(c, "flags", "PAGES record with zlib chunks in "
			       "a raw image");
	if (c->gzip && r->flags != IMG_RF_ZCHUNKS)
		return bad_rec(c, "flags", "PAGES record of a gzip image "
			       "without zlib chunks");
	if (!c->gzip && r->raw_size >= IMG_RAW_ALIGN_MIN &&
	    ((off + sizeof(*r)) & PMASK))
		return bad_rec(c, "offset", "PAGES payload not page aligned "
			       "in a raw image");
	if ((r->arg0 & PMASK) || !r->raw_size || (r->raw_size & PMASK) ||
	    r->arg0 + r->raw_size < r->arg0) {
		m_rec(c, "arg0");
		m_n(c, "PAGES arg0 ", r->arg0, 1, " raw_size ");
		m_n(c, "", r->raw_size, 1, ": not a page aligned, non-empty "
		    "range");
		return -1;
	}
	if (!img_data_inside(r->arg0, r->raw_size, c->area_next,
			     c->area.end)) {
		m_rec(c, "arg0");
		m_s(c, "PAGES ");
		m_span(c, r->arg0, r->arg0 + r->raw_size);
		m_s(c, " outside of area ");
		m_span(c, c->area.start, c->area.end);
		m_s(c, " or out of order");
		return -1;
	}
	if (r->raw_size > c->area.stored_bytes - c->area_got) {
		m_rec(c, "raw_size");
		m_n(c, "PAGES raw_size ", r->raw_size, 0, ": more than the ");
		m_n(c, "", c->area.stored_bytes, 0, " stored bytes of its area");
		return -1;
	}
	c->area_next = r->arg0 + r->raw_size;
	c->area_got += r->raw_size;
	c->page_bytes += r->raw_size;
	return 0;
}

int rchk_rec(struct rchk *c, uint64_t off, const struct img_rec *r)
{
	uint64_t max = RCHK_META_MAX, min = 0;
	uint32_t t = r->type;

	if (failed(c))
		return -1;
	if (c->flags & RCHK_META)
		return 0;
	if (c->rec_off)
		c->recno++;
	c->rec_off = off;
	c->rec = *r;
	if (!c->have_header) {
		m_begin(c, "header");
		m_s(c, "record before the file header");
		return -1;
	}
	if (c->pending)
		return bad_rec(c, "type", "the previous record's payload was "
			       "not checked");
	if (c->state == ST_END)
		return bad_rec(c, "type", "record after the END record");
	if (r->magic != IMG_REC_MAGIC) {
		m_rec(c, "magic");
		m_n(c, "bad record magic ", r->magic, 1, "");
		return -1;
	}
	if (t < IMG_REC_PROC || t > REC_LAST) {
		m_rec(c, "type");
		m_n(c, "unknown record type ", t, 0, "");
		return -1;
	}
	if (r->flags & ~(uint32_t)(IMG_RF_CRC | IMG_RF_ZCHUNKS)) {
		m_rec(c, "flags");
		m_n(c, "unknown record flags ", r->flags, 1, "");
		return -1;
	}
	if (c->file_size &&
	    (off > c->file_size || c->file_size - off < sizeof(*r) ||
	     r->size > c->file_size - off - sizeof(*r))) {
		m_rec(c, "size");
		m_n(c, "record size ", r->size, 0, " runs past the end of the "
		    "file (");
		m_n(c, "", c->file_size, 0, " bytes): truncated or corrupt");
		return -1;
	}
	if (!(r->flags & IMG_RF_ZCHUNKS) && r->raw_size != r->size) {
		m_rec(c, "raw_size");
		m_n(c, "raw_size ", r->raw_size, 0, " != size ");
		m_d(c, r->size);
		return -1;
	}
	if (t == IMG_REC_PAD) {
		if (r->flags)
			return bad_rec(c, "flags", "PAD record with flags");
		return 0;
	}
	if (t == IMG_REC_PAGES || t == REC_FILEDATA) {
		/* a CRC is optional (raw PAGES, the decoder's FILEDATA) */
		if (c->gzip && r->flags != IMG_RF_ZCHUNKS)
			return bad_rec(c, "flags", "page or file data of a gzip "
				       "image without zlib chunks");
		if (!c->gzip && (r->flags & IMG_RF_ZCHUNKS))
			return bad_rec(c, "flags", "page or file data with zlib "
				       "chunks in a raw image");
	} else if (r->flags != IMG_RF_CRC) {
		return bad_rec(c, "flags", "metadata record without CRC or "
			       "with zlib chunks");
	}
	/* order */
	if (c->state == ST_PROC && t != IMG_REC_PROC)
		return bad_rec(c, "type", "the PROC record must come first");
	if (t == IMG_REC_PROC && c->state != ST_PROC)
		return bad_rec(c, "type", "second PROC record");
	if (c->state == ST_AREAS && t != IMG_REC_AREA &&
	    t != IMG_REC_PAGES && t != IMG_REC_END)
		return bad_rec(c, "type", "metadata record after the first "
			       "AREA record");
	if (c->state == ST_FILES && t != REC_FILE && t != REC_FILEDATA &&
	    t != IMG_REC_AREA && t != IMG_REC_END)
		return bad_rec(c, "type", "metadata record after a FILE "
			       "record");
	if (t == REC_FILEDATA && c->state != ST_FILES)
		return bad_rec(c, "type", "FILEDATA record without a FILE "
			       "record");
	if (t == REC_FILE && c->state != ST_META && c->state != ST_FILES)
		return bad_rec(c, "type", "FILE record out of order");
	switch (t) {
	case IMG_REC_PROC:
		min = max = sizeof(struct img_proc);
		break;
	case IMG_REC_THREAD:
		min = max = sizeof(struct img_thread);
		break;
	case IMG_REC_END:
		min = max = sizeof(struct img_end);
		break;
	case IMG_REC_AREA:
		min = sizeof(struct img_area);
		max = sizeof(struct img_area) + IMG_PATH_MAX;
		break;
	case IMG_REC_AUXV:
		max = RCHK_AUXV_MAX;
		if (r->size % 16)
			return bad_rec(c, "size", "AUXV record not made of "
				       "pairs of 64-bit words");
		/* fall through */
	case IMG_REC_FDS:
	case IMG_REC_ENV:
	case IMG_REC_CMDLINE:
		if (c->seen & (1u << t))
			return bad_rec(c, "type", "second FDS, ENV, AUXV or "
				       "CMDLINE record");
		c->seen |= 1u << t;
		break;
	case REC_SNAP:		/* the snapshot's metadata: skipped */
		min = max = SNAP_REC_SIZE;
		if (c->state != ST_META)
			return bad_rec(c, "type", "SNAP record outside of the "
				       "metadata after PROC");
		if (c->seen & (1u << t))
			return bad_rec(c, "type", "second SNAP record");
		c->seen |= 1u << t;
		break;
	case REC_FILE:		/* a file (doc/files.md): skipped */
		min = FILE_REC_MIN;
		max = FILE_REC_MIN + IMG_PATH_MAX;
		c->state = ST_FILES;
		break;
	case REC_FILEDATA:	/* its contents: skipped */
		if (!r->raw_size || r->arg0 + r->raw_size < r->arg0)
			return bad_rec(c, "raw_size", "FILEDATA record for an "
				       "empty or overflowing range");
		/* fall through */
	case IMG_REC_PAGES:
		min = 0;
		max = UINT64_MAX;
		break;
	}
	if (r->size < min || r->size > max) {
		m_rec(c, "size");
		m_n(c, "record of type ", t, 0, " with ");
		m_n(c, "", r->size, 0, " bytes (");
		m_n(c, "", min, 0, "..");
		m_n(c, "", max, 0, " expected)");
		return -1;
	}
	if (t == IMG_REC_PAGES) {
		if (rec_pages(c, off, r) < 0)
			return -1;
	} else if (t == IMG_REC_AREA || t == IMG_REC_END) {
		if (close_area(c) < 0)
			return -1;
	}
	if (t != IMG_REC_END)
		c->nrecords++;
	if (t == IMG_REC_PROC || t == IMG_REC_THREAD || t == IMG_REC_AUXV ||
	    t == IMG_REC_AREA || t == IMG_REC_END)
		c->pending = (int)t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* PROC                                                               */

static void add_probe(struct rchk *c, uint64_t addr, uint64_t value,
		      int what, uint32_t idx, uint32_t tid)
{
	struct rchk_probe *p;

	if (c->nprobes >= RCHK_MAX_PROBES)
		return;		/* cannot happen: nthreads is bounded */
	p = &c->probes[c->nprobes++];
	p->addr = addr;
	p->value = value;
	p->what = (uint16_t)what;
	p->idx = (uint16_t)idx;
	p->tid = tid;
}

#define STR_FIELD(c, p, f) \
	(has_nul((p)->f, sizeof((p)->f)) ? 0 : \
	 bad_d(c, "proc." #f, sizeof((p)->f), "string field of this many " \
	       "bytes is not NUL-terminated"))

int rchk_proc(struct rchk *c, const struct img_proc *p)
{
	const struct img_mm *mm = &p->mm;
	uint64_t rs = DMTCP_RESERVE_ADDR, re = rs + DMTCP_RESERVE_LEN;

	if (expect(c, IMG_REC_PROC, "PROC") < 0)
		return -1;
	if (c->state != ST_PROC)
		return bad_rec(c, "type", "second PROC record");
	if (crc_ok(c, p, sizeof(*p), 0, 0) < 0)
		return -1;
	if (in_range(c, "proc.nthreads", p->nthreads, 1, IMG_MAX_THREADS, 0,
		     "between 1 and 4096 threads are supported") ||
	    in_range(c, "proc.nareas", p->nareas, 1, RCHK_MAX_AREAS, 0,
		     "between 1 and 16777216 memory areas are supported") ||
	    in_range(c, "proc.pid", p->pid, 1, RCHK_PID_MAX, 0,
		     "not a valid pid") ||
	    in_range(c, "proc.ppid", p->ppid, 0, RCHK_PID_MAX, 0,
		     "not a valid pid") ||
	    in_range(c, "proc.pgid", p->pgid, 0, RCHK_PID_MAX, 0,
		     "not a valid pid") ||
	    in_range(c, "proc.sid", p->sid, 0, RCHK_PID_MAX, 0,
		     "not a valid pid"))
		return -1;
	if (STR_FIELD(c, p, comp_id) || STR_FIELD(c, p, unique_id) ||
	    STR_FIELD(c, p, progname) || STR_FIELD(c, p, hostname) ||
	    STR_FIELD(c, p, kernel) || STR_FIELD(c, p, exe) ||
	    STR_FIELD(c, p, cwd) || STR_FIELD(c, p, coord_host))
		return -1;
	/* the hand-off */
	if (in_range(c, "proc.restore_entry", p->restore_entry, 1,
		     RCHK_USER_TOP - 1, 1, "not a user-space address") ||
	    in_range(c, "proc.restore_stack", p->restore_stack,
		     PAGE + RCHK_STACK_NEED, RCHK_USER_TOP, 1,
		     "not a user-space address"))
		return -1;
	if (p->restore_stack & 15)
		return bad_x(c, "proc.restore_stack", p->restore_stack,
			     "not 16-byte aligned");
	if (p->reserve_addr != DMTCP_RESERVE_ADDR)
		return bad_x(c, "proc.reserve_addr", p->reserve_addr,
			     "this build keeps 0x3d0000000000 free for "
			     "mtcp_restart");
	if (p->reserve_len != DMTCP_RESERVE_LEN)
		return bad_x(c, "proc.reserve_len", p->reserve_len,
			     "this build keeps 0x4000000 bytes free for "
			     "mtcp_restart");
	/* the kernel's vvar/vdso: none at all, or a consistent block */
	if (!p->vspecial_start && !p->vspecial_end) {
		if (p->vdso_start || p->vdso_end)
			return bad_x(c, "proc.vdso_start", p->vdso_start,
				     "a vDSO outside of the vvar/vdso span "
				     "proc.vspecial_start..end (0)");
	} else {
		if ((p->vspecial_start & PMASK) ||
		    p->vspecial_start >= RCHK_USER_TOP)
			return bad_x(c, "proc.vspecial_start",
				     p->vspecial_start,
				     "not a page aligned user-space address");
		if ((p->vspecial_end & PMASK) ||
		    p->vspecial_end <= p->vspecial_start ||
		    p->vspecial_end > RCHK_USER_TOP ||
		    p->vspecial_end - p->vspecial_start > RCHK_VSPECIAL_MAX)
			return bad_x(c, "proc.vspecial_end", p->vspecial_end,
				     "not the page aligned end of a vvar/vdso "
				     "span of at most 1 MiB");
		if (!p->vdso_start || (p->vdso_start & PMASK) ||
		    p->vdso_start < p->vspecial_start ||
		    p->vdso_start >= p->vspecial_end)
			return bad_x(c, "proc.vdso_start", p->vdso_start,
				     "not a page aligned address inside the "
				     "vvar/vdso span proc.vspecial_start..end");
		if ((p->vdso_end & PMASK) || p->vdso_end <= p->vdso_start ||
		    p->vdso_end > p->vspecial_end)
			return bad_x(c, "proc.vdso_end", p->vdso_end,
				     "not a page aligned end of the vDSO "
				     "inside proc.vspecial_start..end");
		if (overlaps(p->vspecial_start, p->vspecial_end, rs, re))
			return bad_x(c, "proc.vspecial_start",
				     p->vspecial_start, "the vvar/vdso span "
				     "overlaps the range reserved for "
				     "mtcp_restart");
	}
	/* what PR_SET_MM_MAP gets: each end after its start */
	if (in_range(c, "proc.mm.end_code", mm->end_code, mm->start_code,
		     RCHK_USER_TOP, 1,
		     "not a user-space address after start_code") ||
	    in_range(c, "proc.mm.end_data", mm->end_data, mm->start_data,
		     RCHK_USER_TOP, 1,
		     "not a user-space address after start_data") ||
	    in_range(c, "proc.mm.brk", mm->brk, mm->start_brk, RCHK_USER_TOP,
		     1, "not a user-space address after start_brk") ||
	    in_range(c, "proc.mm.arg_end", mm->arg_end, mm->arg_start,
		     RCHK_USER_TOP, 1,
		     "not a user-space address after arg_start") ||
	    in_range(c, "proc.mm.env_end", mm->env_end, mm->env_start,
		     RCHK_USER_TOP, 1,
		     "not a user-space address after env_start") ||
	    in_range(c, "proc.mm.start_stack", mm->start_stack, 0,
		     RCHK_USER_TOP, 1, "not a user-space address"))
		return -1;
	c->proc = *p;
	c->have_proc = 1;
	c->state = ST_META;
	add_probe(c, p->restore_entry, p->restore_entry, P_ENTRY, 0, 0);
	add_probe(c, p->restore_stack - 1, p->restore_stack, P_STACK, 0, 0);
	add_probe(c, p->restore_stack - RCHK_STACK_NEED, p->restore_stack,
		  P_STACK, 0, 0);
	return 0;
}

/* ------------------------------------------------------------------ */
/* THREAD, AUXV                                                       */

static int bad_thread(struct rchk *c, const char *field, uint64_t v,
		      uint32_t idx, uint32_t tid, const char *why)
{
	m_begin(c, field);
	m_n(c, "thread ", idx, 0, " (tid ");
	m_n(c, "", tid, 0, ") ");
	m_s(c, field);
	m_n(c, " = ", v, 1, ": ");
	m_s(c, why);
	return -1;
}

int rchk_thread(struct rchk *c, const struct img_thread *t)
{
	uint32_t i = c->nthreads;

	if (expect(c, IMG_REC_THREAD, "THREAD") < 0)
		return -1;
	if (c->state != ST_META || !c->have_proc)
		return bad_rec(c, "type", "THREAD record outside of the "
			       "metadata after PROC");
	if (crc_ok(c, t, sizeof(*t), 0, 0) < 0)
		return -1;
	if (i >= c->proc.nthreads)
		return bad_d(c, "proc.nthreads", c->proc.nthreads,
			     "more THREAD records follow");
	if (t->tid < 1 || t->tid > RCHK_PID_MAX)
		return bad_thread(c, "tid", t->tid, i, t->tid,
				  "not a valid thread id");
	if (t->state != IMG_THREAD_USER && t->state != IMG_THREAD_CKPT)
		return bad_thread(c, "state", t->state, i, t->tid,
				  "unknown thread state");
	if (!has_nul(t->name, sizeof(t->name)))
		return bad_thread(c, "name", sizeof(t->name), i, t->tid,
				  "name is not NUL-terminated");
	if (!t->regs.rsp || t->regs.rsp > RCHK_USER_TOP)
		return bad_thread(c, "regs.rsp", t->regs.rsp, i, t->tid,
				  "not a user-space stack pointer");
	if (t->regs.rip >= RCHK_USER_TOP &&
	    (t->regs.rip & ~0xfffULL) != 0xffffffffff600000ULL)
		return bad_thread(c, "regs.rip", t->regs.rip, i, t->tid,
				  "not a user-space address");
	add_probe(c, t->regs.rsp - 1, t->regs.rsp, P_RSP, i, t->tid);
	if ((t->regs.rip & ~0xfffULL) != 0xffffffffff600000ULL)
		add_probe(c, t->regs.rip, t->regs.rip, P_RIP, i, t->tid);
	if (t->regs.fs_base)
		add_probe(c, t->regs.fs_base, t->regs.fs_base, P_FS, i,
			  t->tid);
	c->nthreads++;
	return 0;
}

int rchk_auxv(struct rchk *c, const void *auxv, uint64_t len)
{
	const uint64_t *v = auxv;

	if (expect(c, IMG_REC_AUXV, "AUXV") < 0)
		return -1;
	if (c->state != ST_META)
		return bad_rec(c, "type", "AUXV record outside of the "
			       "metadata after PROC");
	if (!(c->flags & RCHK_META) && len != c->rec.size)
		return bad_rec(c, "size", "AUXV payload of another size");
	if (len % 16 || len > RCHK_AUXV_MAX)
		return bad_d(c, "auxv size", len, "at most 4096 bytes of "
			     "pairs of 64-bit words");
	if (crc_ok(c, auxv, len, 0, 0) < 0)
		return -1;
	for (uint64_t i = 0; i + 1 < len / 8; i += 2)
		if (v[i] == AT_SYSINFO_EHDR)
			c->auxv_vdso = v[i + 1];
	if (c->auxv_vdso && !c->proc.vdso_start)
		return bad_x(c, "proc.vdso_start", 0, "the process had a vDSO "
			     "(AT_SYSINFO_EHDR in its auxiliary vector) but "
			     "the image does not say where");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Areas and the addresses that must be in them                       */

static void sift(struct rchk_probe *p, uint32_t i, uint32_t n)
{
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		struct rchk_probe t;

		if (l < n && p[l].addr > p[m].addr)
			m = l;
		if (l + 1 < n && p[l + 1].addr > p[m].addr)
			m = l + 1;
		if (m == i)
			return;
		t = p[i];
		p[i] = p[m];
		p[m] = t;
		i = m;
	}
}

static void sort_probes(struct rchk *c)
{
	struct rchk_probe *p = c->probes, t;
	uint32_t n = c->nprobes;

	for (uint32_t i = n / 2; i-- > 0;)
		sift(p, i, n);
	for (uint32_t k = n; k > 1; k--) {
		t = p[0];
		p[0] = p[k - 1];
		p[k - 1] = t;
		sift(p, 0, k - 1);
	}
	c->sorted = 1;
	c->next_probe = 0;
}

static int bad_probe(struct rchk *c, const struct rchk_probe *p,
		     const char *why)
{
	switch (p->what) {
	case P_ENTRY:
		return bad_x(c, "proc.restore_entry", p->value, why);
	case P_STACK:
		return bad_x(c, "proc.restore_stack", p->value, why);
	case P_RSP:
		return bad_thread(c, "regs.rsp", p->value, p->idx, p->tid,
				  why);
	case P_RIP:
		return bad_thread(c, "regs.rip", p->value, p->idx, p->tid,
				  why);
	default:
		return bad_thread(c, "regs.fs_base", p->value, p->idx, p->tid,
				  why);
	}
}

static const char *probe_need(const struct rchk_probe *p)
{
	switch (p->what) {
	case P_ENTRY:
		return "not inside an executable memory area of the image";
	case P_STACK:
		return "the 4096 bytes below it are not writable memory of "
		       "the image";
	case P_RSP:
		return "not inside a writable memory area of the image";
	case P_RIP:
		return "not inside an executable memory area of the image";
	default:
		return "not inside a memory area of the image";
	}
}

/* the probes before a->end: in a (and satisfied by it) or in a gap */
static int sweep(struct rchk *c, const struct img_area *a, int restored)
{
	int w = (a->prot & IMG_PROT_WRITE) != 0;
	int x = (a->prot & IMG_PROT_EXEC) != 0;

	while (c->next_probe < c->nprobes) {
		const struct rchk_probe *p = &c->probes[c->next_probe];
		int ok;

		if (p->addr >= a->end)
			break;
		if (p->addr < a->start)
			return bad_probe(c, p, probe_need(p));
		switch (p->what) {
		case P_ENTRY:
			ok = restored && x;
			break;
		case P_STACK:
		case P_RSP:
			ok = restored && w;
			break;
		case P_RIP:
			ok = x;
			break;
		default:
			ok = restored;
			break;
		}
		if (!ok)
			return bad_probe(c, p, probe_need(p));
		c->next_probe++;
	}
	return 0;
}

/* path (len bytes, no NUL) is s, or starts with it when prefix */
static int path_is(const char *path, uint32_t len, const char *s,
		   int prefix)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return len >= n && bytes_eq(path, s, n) && (prefix || len == n);
}

int rchk_area(struct rchk *c, const struct img_area *a, const char *path)
{
	const struct img_proc *p = &c->proc;
	uint64_t rs = DMTCP_RESERVE_ADDR, re = rs + DMTCP_RESERVE_LEN;
	int special;

	if (expect(c, IMG_REC_AREA, "AREA") < 0)
		return -1;
	if (!c->have_proc)
		return bad_rec(c, "type", "AREA record before PROC");
	if (c->state == ST_META || c->state == ST_FILES) {
		/* the first area: the metadata is complete */
		if (c->nthreads != p->nthreads)
			return bad_d(c, "proc.nthreads", p->nthreads,
				     "not the number of THREAD records "
				     "before the first AREA record");
		c->state = ST_AREAS;
	}
	if (c->state != ST_AREAS)
		return bad_rec(c, "type", "AREA record out of order");
	if (!c->sorted)
		sort_probes(c);
	if (!(c->flags & RCHK_META) &&
	    c->rec.size != sizeof(*a) + (uint64_t)a->path_len)
		return bad_d(c, "area.path_len", a->path_len, "does not "
			     "match the size of its AREA record");
	if (crc_ok(c, a, sizeof(*a), path, a->path_len) < 0)
		return -1;
	if (c->nareas >= p->nareas)
		return bad_d(c, "proc.nareas", p->nareas,
			     "more AREA records follow");
	if (a->start >= a->end || (a->start & PMASK) || (a->end & PMASK)) {
		m_area(c, "start", a);
		m_s(c, "not a page aligned, non-empty range");
		return -1;
	}
	if (a->start < c->prev_end) {
		m_area(c, "start", a);
		m_n(c, "overlaps or precedes the previous area (ending at ",
		    c->prev_end, 1, ")");
		return -1;
	}
	if (a->kind < IMG_AREA_ANON || a->kind > IMG_AREA_SPECIAL) {
		m_area(c, "kind", a);
		m_n(c, "unknown kind ", a->kind, 0, "");
		return -1;
	}
	if (a->prot & ~(uint32_t)(IMG_PROT_READ | IMG_PROT_WRITE |
				  IMG_PROT_EXEC)) {
		m_area(c, "prot", a);
		m_n(c, "unknown protection bits ", a->prot, 1, "");
		return -1;
	}
	if ((a->stored_bytes & PMASK) ||
	    a->stored_bytes > a->end - a->start) {
		m_area(c, "stored_bytes", a);
		m_n(c, "", a->stored_bytes, 0, " is not a multiple of 4096 at "
		    "most the area's size");
		return -1;
	}
	if (a->path_len > IMG_PATH_MAX || has_nul(path, a->path_len)) {
		m_area(c, "path_len", a);
		m_n(c, "a path of ", a->path_len, 0, " bytes holding a NUL byte "
		    "or longer than 4096");
		return -1;
	}
	special = a->kind == IMG_AREA_SPECIAL;
	if (!special) {
		if (a->end > RCHK_USER_TOP) {
			m_area(c, "end", a);
			m_n(c, "beyond the user address space (", RCHK_USER_TOP,
			    1, ")");
			return -1;
		}
		if (overlaps(a->start, a->end, rs, re))
			return bad_area_span(c, a, "overlaps the range reserved "
					     "for mtcp_restart", rs, re);
		if (p->vspecial_start &&
		    overlaps(a->start, a->end, p->vspecial_start,
			     p->vspecial_end))
			return bad_area_span(c, a, "overlaps the vvar/vdso span "
					     "proc.vspecial_start..end",
					     p->vspecial_start, p->vspecial_end);
		if ((a->kind == IMG_AREA_FILE ||
		     a->kind == IMG_AREA_SHARED_FILE ||
		     a->kind == IMG_AREA_SHARED_ANON ||
		     a->kind == IMG_AREA_DELETED) &&
		    ((a->offset & PMASK) ||
		     a->offset + (a->end - a->start) < a->offset)) {
			m_area(c, "offset", a);
			m_n(c, "", a->offset, 1, " is not a page aligned file "
			    "offset");
			return -1;
		}
		if (a->kind == IMG_AREA_SHARED_FILE &&
		    (a->path_len == 0 || path[0] != '/')) {
			m_area(c, "path_len", a);
			m_s(c, "a file mapped shared without an absolute path");
			return -1;
		}
	} else if (path_is(path, a->path_len, "[vdso]", 0)) {
		if (a->start != p->vdso_start || a->end != p->vdso_end) {
			m_begin(c, "proc.vdso_start");
			m_s(c, "proc.vdso_start..end = ");
			m_span(c, p->vdso_start, p->vdso_end);
			m_s(c, ": the image's [vdso] area is ");
			m_span(c, a->start, a->end);
			return -1;
		}
	} else if (path_is(path, a->path_len, "[vvar", 1)) {
		if (a->start < p->vspecial_start || a->end > p->vspecial_end)
			return bad_area_span(c, a, "a [vvar] area outside of "
					     "proc.vspecial_start..end",
					     p->vspecial_start, p->vspecial_end);
	}
	if (sweep(c, a, !special) < 0)
		return -1;
	c->area = *a;
	c->area_next = a->start;
	c->area_got = 0;
	c->prev_end = a->end;
	c->in_area = 1;
	c->nareas++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* END                                                                */

int rchk_end(struct rchk *c, const struct img_end *e)
{
	if (c->flags & RCHK_META) {
		if (failed(c))
			return -1;
		if (!c->have_proc) {
			m_begin(c, "proc");
			m_s(c, "no PROC record");
			return -1;
		}
	} else {
		if (expect(c, IMG_REC_END, "END") < 0)
			return -1;
		if (!e)
			return bad_rec(c, "type", "no END record");
		if (crc_ok(c, e, sizeof(*e), 0, 0) < 0)
			return -1;
		if (!c->have_proc)
			return bad_rec(c, "type", "END record before PROC");
		if (e->nrecords != c->nrecords)
			return bad_d(c, "end.nrecords", e->nrecords,
				     "not the number of records in the image");
		if (e->page_bytes != c->page_bytes)
			return bad_d(c, "end.page_bytes", e->page_bytes,
				     "not the number of page bytes in the "
				     "image");
	}
	if (c->nthreads != c->proc.nthreads)
		return bad_d(c, "proc.nthreads", c->proc.nthreads,
			     "not the number of THREAD records");
	if (c->nareas != c->proc.nareas)
		return bad_d(c, "proc.nareas", c->proc.nareas,
			     "not the number of AREA records");
	if (!c->sorted)
		sort_probes(c);
	if (c->next_probe < c->nprobes) {
		const struct rchk_probe *p = &c->probes[c->next_probe];

		return bad_probe(c, p, probe_need(p));
	}
	c->state = ST_END;
	return 0;
}

/* ------------------------------------------------------------------ */
/* A whole raw image                                                  */

long rchk_read_all(long (*read1)(void *ctx, void *buf, uint64_t len),
		   void *ctx, void *buf, uint64_t n)
{
	char *p = buf;

	while (n > 0) {
		long r = read1(ctx, p, n > (1ul << 30) ? 1ul << 30 : n);

		if (r == -RCHK_EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? r : 1;
		p += r;
		n -= (uint64_t)r;
	}
	return 0;
}

static int trunc_at(struct rchk *c, uint64_t off, const char *what)
{
	m_begin(c, "size");
	m_n(c, "truncated at offset ", off, 0, " (");
	m_s(c, what);
	m_s(c, ")");
	return -1;
}

int rchk_walk(struct rchk *c, int (*rd)(void *ctx, void *buf, uint64_t n),
	      int (*skip)(void *ctx, uint64_t n), void *ctx)
{
	struct img_file_header h;
	struct img_rec r;
	uint64_t off = IMG_HEADER_SPACE;
	int rc;

	if (failed(c))
		return -1;
	if (rd(ctx, &h, sizeof(h)) < 0) {
		m_begin(c, "magic");
		m_s(c, "not a checkpoint image (shorter than its header)");
		return -1;
	}
	if (rchk_header(c, &h) < 0)
		return -1;
	if (skip(ctx, IMG_HEADER_SPACE - sizeof(h)) < 0)
		return trunc_at(c, sizeof(h), "in the file header space");
	for (;;) {
		if (c->file_size && off == c->file_size)
			return trunc_at(c, off, "no END record: the checkpoint "
					"did not complete");
		if (rd(ctx, &r, sizeof(r)) < 0)
			return trunc_at(c, off, "in a record header");
		if (rchk_rec(c, off, &r) < 0)
			return -1;
		rc = 0;
		switch (r.type) {
		case IMG_REC_PROC:
			if (rd(ctx, &c->buf.proc, r.size) < 0)
				return trunc_at(c, off, "in the PROC record");
			rc = rchk_proc(c, &c->buf.proc);
			break;
		case IMG_REC_THREAD:
			if (rd(ctx, &c->buf.thread, r.size) < 0)
				return trunc_at(c, off, "in a THREAD record");
			rc = rchk_thread(c, &c->buf.thread);
			break;
		case IMG_REC_AUXV:
			if (rd(ctx, c->buf.auxv, r.size) < 0)
				return trunc_at(c, off, "in the AUXV record");
			rc = rchk_auxv(c, c->buf.auxv, r.size);
			break;
		case IMG_REC_AREA:
			if (rd(ctx, &c->buf.area, r.size) < 0)
				return trunc_at(c, off, "in an AREA record");
			rc = rchk_area(c, &c->buf.area.a, c->buf.area.path);
			break;
		case IMG_REC_END:
			if (rd(ctx, &c->buf.end, r.size) < 0)
				return trunc_at(c, off, "in the END record");
			if (rchk_end(c, &c->buf.end) < 0)
				return -1;
			off += sizeof(r) + r.size;
			if (c->file_size && off != c->file_size) {
				m_begin(c, "size");
				m_n(c, "", c->file_size - off, 0, " bytes of "
				    "garbage after the END record at offset ");
				m_d(c, off);
				return -1;
			}
			return 0;
		default:
			if (skip(ctx, r.size) < 0)
				return trunc_at(c, off, "in a record payload");
			break;
		}
		if (rc < 0)
			return -1;
		off += sizeof(r) + r.size;
	}
}
