/*
 * img-read.c - the sequential image reader (libc world): file header
 * checks, record header checks, payload reads with metadata CRC
 * checks, and zlib chunk inflation with chunk CRC checks.  Every error
 * becomes one message naming the file, the record and the offset.
 */
#include "config.h"
#include "img-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

typedef unsigned long long ull;

static const char *const rec_names[] = {
	[IMG_REC_PROC] = "PROC",	[IMG_REC_THREAD] = "THREAD",
	[IMG_REC_FDS] = "FDS",		[IMG_REC_ENV] = "ENV",
	[IMG_REC_AUXV] = "AUXV",	[IMG_REC_CMDLINE] = "CMDLINE",
	[IMG_REC_AREA] = "AREA",	[IMG_REC_PAGES] = "PAGES",
	[IMG_REC_PAD] = "PAD",		[IMG_REC_END] = "END",
	[IMG_REC_FILE] = "FILE",	[IMG_REC_FILEDATA] = "FILEDATA",
	[IMG_REC_PARENT] = "PARENT",	[IMG_REC_SNAP] = "SNAP",
};

const char *img_rec_name(uint32_t type)
{
	static char buf[24];

	if (type < sizeof(rec_names) / sizeof(rec_names[0]) &&
	    rec_names[type])
		return rec_names[type];
	snprintf(buf, sizeof(buf), "type %u", type);
	return buf;
}

/* "path: [record N at offset O: ]message"; sets errno, returns -1 */
static int vfail(struct img_reader *r, int errnum, int in_rec,
		 const char *fmt, va_list ap)
{
	int n = 0;

	r->failed = 1;
	if (r->errcap) {
		if (in_rec)
			n = snprintf(r->err, r->errcap,
				     "%s: record %llu at offset %llu: ",
				     r->path ? r->path : "?", (ull)r->recno,
				     (ull)r->rec_off);
		else
			n = snprintf(r->err, r->errcap, "%s: ",
				     r->path ? r->path : "?");
		if (n >= 0 && (size_t)n < r->errcap)
			vsnprintf(r->err + n, r->errcap - n, fmt, ap);
	}
	errno = errnum;
	return -1;
}

static int __attribute__((format(printf, 2, 3)))
hdr_fail(struct img_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, EINVAL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static int __attribute__((format(printf, 3, 4)))
sys_fail(struct img_reader *r, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, errnum, r->have_rec, fmt, ap);
	va_end(ap);
	return -1;
}

int img_reader_error(struct img_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, EINVAL, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int img_reader_nomem(struct img_reader *r)
{
	img_reader_error(r, "out of memory");
	errno = ENOMEM;
	return -1;
}

static int truncated(struct img_reader *r, int in_rec, uint64_t at,
		     uint64_t more)
{
	if (in_rec)
		return img_reader_error(r,
			"truncated at offset %llu (expected %llu more bytes)",
			(ull)at, (ull)more);
	return hdr_fail(r, "truncated at offset %llu (expected %llu more "
			"bytes)", (ull)at, (ull)more);
}

/* read exactly len bytes at off; the file may have shrunk since fstat */
static int pread_full(struct img_reader *r, void *buf, size_t len,
		      uint64_t off, int in_rec)
{
	size_t got = 0;

	while (got < len) {
		ssize_t k = pread(r->fd, (char *)buf + got, len - got,
				  off + got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return sys_fail(r, errno, "read %zu bytes at offset "
					"%llu: %s", len - got,
					(ull)(off + got), strerror(errno));
		if (k == 0)
			return truncated(r, in_rec, off + got, len - got);
		got += k;
	}
	return 0;
}

int img_reader_open(struct img_reader *r, const char *path, char *err,
		    size_t errcap)
{
	struct img_file_header h;
	struct stat st;
	uint32_t crc;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->err = err;
	r->errcap = errcap;
	if (errcap)
		err[0] = 0;
	r->path = strdup(path);
	if (!r->path)
		return hdr_fail(r, "out of memory");
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return sys_fail(r, errno, "cannot open: %s", strerror(errno));
	if (fstat(r->fd, &st) < 0)
		return sys_fail(r, errno, "stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hdr_fail(r, "not a regular file");
	r->file_size = st.st_size;

	n = r->file_size < sizeof(h) ? r->file_size : sizeof(h);
	memset(&h, 0, sizeof(h));
	if (pread_full(r, &h, n, 0, 0) < 0)
		return -1;
	if (n < sizeof(h.magic) || memcmp(h.magic, IMG_MAGIC, 8))
		return hdr_fail(r, "not a checkpoint image (no %s magic at "
				"offset 0)", IMG_MAGIC);
	if (n < offsetof(struct img_file_header, header_size))
		return truncated(r, 0, n, sizeof(h) - n);
	if (h.version != IMG_VERSION)
		return hdr_fail(r, "image format v%u, this build reads v%u: "
				"restart it with the release that wrote it",
				h.version, IMG_VERSION);
	if (n < sizeof(h))
		return truncated(r, 0, n, sizeof(h) - n);
	if (h.header_size != sizeof(h))
		return hdr_fail(r, "header size %u, format v%d has %zu "
				"(corrupt image)", h.header_size, IMG_VERSION,
				sizeof(h));
	crc = h.hdr_crc;
	h.hdr_crc = 0;
	if (crc32_z(0, (const Bytef *)&h, sizeof(h)) != crc)
		return hdr_fail(r, "file header CRC mismatch (corrupt image)");
	h.hdr_crc = crc;
	if (h.arch != IMG_ARCH_X86_64)
		return hdr_fail(r, "image written for machine type %u, this "
				"build restores x86-64 (%u) images", h.arch,
				IMG_ARCH_X86_64);
	if (h.page_size != IMG_PAGE_SIZE)
		return hdr_fail(r, "page size %u, this build needs %u",
				h.page_size, IMG_PAGE_SIZE);
	if (h.flags & ~(uint32_t)(IMG_F_GZIP | IMG_F_DELTA))
		return hdr_fail(r, "unknown header flags %#x (corrupt image)",
				h.flags);
	if (r->file_size < IMG_HEADER_SPACE)
		return truncated(r, 0, r->file_size,
				 IMG_HEADER_SPACE - r->file_size);
	r->hdr = h;
	r->next_off = IMG_HEADER_SPACE;
	return 0;
}

/* shape rules of one record header; r->rec is filled */
static int check_rec(struct img_reader *r)
{
	const struct img_rec *h = &r->rec;
	uint64_t m = IMG_PAGE_SIZE - 1, max = IMG_META_MAX;
	uint64_t left = r->file_size - r->rec_off - sizeof(*h);
	int gzip = r->hdr.flags & IMG_F_GZIP;
	const char *name = img_rec_name(h->type);

	if (h->magic != IMG_REC_MAGIC)
		return img_reader_error(r, "bad record magic %#010x "
					"(corrupt image)", h->magic);
	if (h->type < IMG_REC_PROC || h->type > IMG_REC_LAST)
		return img_reader_error(r, "unknown record type %u "
					"(corrupt image)", h->type);
	if (h->flags & ~(uint32_t)(IMG_RF_CRC | IMG_RF_ZCHUNKS))
		return img_reader_error(r, "%s record: unknown flags %#x "
					"(corrupt image)", name, h->flags);
	if (h->size > left)
		return img_reader_error(r, "truncated at offset %llu (the "
			"record's size %llu runs %llu bytes past the end of "
			"the file)", (ull)r->file_size, (ull)h->size,
			(ull)(h->size - left));
	if (h->type == IMG_REC_PAGES &&
	    ((h->arg0 & m) || !h->raw_size || (h->raw_size & m) ||
	     h->arg0 + h->raw_size < h->arg0))
		return img_reader_error(r, "PAGES record for %#llx+%#llx is "
			"not page aligned (corrupt image)", (ull)h->arg0,
			(ull)h->raw_size);
	if (h->type == IMG_REC_PAGES && (h->arg1 & IMG_PF_ZERO)) {
		/* zero pages of a delta image: no payload, no flags (the
		   walker checks that their area is an IMG_AF_DELTA one) */
		if (!(r->hdr.flags & IMG_F_DELTA))
			return img_reader_error(r, "zero PAGES record in a "
				"full image (corrupt image)");
		if (h->size || h->flags)
			return img_reader_error(r, "zero PAGES record with a "
				"payload of %llu bytes or flags %#x (corrupt "
				"image)", (ull)h->size, h->flags);
		return 0;
	}
	if (h->type == IMG_REC_FILEDATA &&
	    (!h->raw_size || h->arg0 + h->raw_size < h->arg0))
		return img_reader_error(r, "FILEDATA record for %llu+%llu "
			"bytes (corrupt image)", (ull)h->arg0,
			(ull)h->raw_size);
	if (h->type == IMG_REC_PAGES || h->type == IMG_REC_FILEDATA) {
		/* page or file data: zlib chunks in a gzip image only */
		if (gzip && h->flags != IMG_RF_ZCHUNKS)
			return img_reader_error(r, "%s record of a gzip image "
				"without zlib chunks (corrupt image)", name);
		if (!gzip && (h->flags & IMG_RF_ZCHUNKS))
			return img_reader_error(r, "%s record with zlib chunks "
				"in a raw image (corrupt image)", name);
		if (h->type == IMG_REC_PAGES && !gzip &&
		    h->raw_size >= IMG_RAW_ALIGN_MIN &&
		    ((r->rec_off + sizeof(*h)) & m))
			return img_reader_error(r, "PAGES payload not page "
				"aligned in a raw image (corrupt image)");
		if (gzip && h->size < sizeof(struct img_zchunk))
			return img_reader_error(r, "%s record of %llu bytes "
				"holds no zlib chunk (corrupt image)", name,
				(ull)h->size);
	} else if (h->flags & IMG_RF_ZCHUNKS) {
		return img_reader_error(r, "%s record with zlib chunks "
					"(corrupt image)", name);
	}
	if (!(h->flags & IMG_RF_ZCHUNKS) && h->raw_size != h->size)
		return img_reader_error(r, "%s record: raw size %llu != size "
			"%llu (corrupt image)", name, (ull)h->raw_size,
			(ull)h->size);
	switch (h->type) {
	case IMG_REC_PAGES:
	case IMG_REC_FILEDATA:	/* CRC optional, as raw PAGES */
		return 0;
	case IMG_REC_PAD:
		if (h->flags)
			return img_reader_error(r, "PAD record with flags %#x "
						"(corrupt image)", h->flags);
		return 0;
	case IMG_REC_PROC:
		max = sizeof(struct img_proc);
		break;
	case IMG_REC_THREAD:
		max = sizeof(struct img_thread);
		break;
	case IMG_REC_END:
		max = sizeof(struct img_end);
		break;
	case IMG_REC_AREA:
		max = sizeof(struct img_area) + IMG_PATH_MAX;
		break;
	case IMG_REC_FILE:
		max = sizeof(struct img_file) + IMG_PATH_MAX;
		break;
	case IMG_REC_PARENT:
		max = sizeof(struct img_parent) + 255;
		break;
	}
	if (!(h->flags & IMG_RF_CRC))
		return img_reader_error(r, "%s record without CRC "
					"(corrupt image)", name);
	if (h->size > max)
		return img_reader_error(r, "%s record of %llu bytes, at most "
			"%llu expected (corrupt image)", name, (ull)h->size,
			(ull)max);
	return 0;
}

int img_reader_next(struct img_reader *r, struct img_rec *rec)
{
	uint64_t off = r->next_off;

	if (r->failed) {
		errno = EINVAL;
		return -1;
	}
	r->have_rec = 0;
	if (r->ended) {
		if (off != r->file_size)
			return hdr_fail(r, "%llu bytes of garbage after the END "
					"record at offset %llu (corrupt image)",
					(ull)(r->file_size - off), (ull)off);
		return 0;
	}
	if (off == r->file_size)
		return hdr_fail(r, "truncated at offset %llu (no END record: "
				"the checkpoint did not complete)", (ull)off);
	if (r->file_size - off < sizeof(r->rec))
		return truncated(r, 0, r->file_size,
				 sizeof(r->rec) - (r->file_size - off));
	if (r->rec_off)
		r->recno++;
	r->rec_off = off;
	if (pread_full(r, &r->rec, sizeof(r->rec), off, 0) < 0)
		return -1;
	if (check_rec(r) < 0)
		return -1;
	r->have_rec = 1;
	r->pay_pos = 0;
	r->raw_pos = 0;
	r->crc = crc32(0, Z_NULL, 0);
	r->zout_len = 0;
	r->zout_pos = 0;
	r->next_off = off + sizeof(r->rec) + r->rec.size;
	if (r->rec.type == IMG_REC_END)
		r->ended = 1;
	*rec = r->rec;
	return 1;
}

static int zlib_setup(struct img_reader *r)
{
	z_stream *zs;

	if (r->zs)
		return 0;
	r->zin_cap = IMG_ZCHUNK_COMP_MAX;
	r->zin = malloc(r->zin_cap);
	r->zout = malloc(IMG_ZCHUNK_MAX);
	zs = calloc(1, sizeof(*zs));
	if (!r->zin || !r->zout || !zs)
		goto out_free;
	if (inflateInit(zs) != Z_OK)
		goto out_free;
	r->zs = zs;
	return 0;

out_free:
	free(zs);
	return sys_fail(r, ENOMEM, "out of memory for zlib buffers");
}

/* the next chunk header at pay_pos, checked: 1 (*coff: its offset,
   pay_pos moved past its data), 0 at the end of the record, -1 */
static int chunk_header(struct img_reader *r, struct img_zchunk *c,
			uint64_t *coff)
{
	uint64_t left = r->rec.size - r->pay_pos;

	*coff = r->rec_off + sizeof(r->rec) + r->pay_pos;
	if (!left) {
		if (r->raw_pos != r->rec.raw_size)
			return img_reader_error(r, "zlib chunks hold %llu "
				"bytes, the record says %llu (corrupt image)",
				(ull)r->raw_pos, (ull)r->rec.raw_size);
		return 0;
	}
	if (left < sizeof(*c))
		return img_reader_error(r, "zlib chunk header at offset %llu "
			"runs past the end of the record (corrupt image)",
			(ull)*coff);
	if (pread_full(r, c, sizeof(*c), *coff, 1) < 0)
		return -1;
	if (!c->raw_len || c->raw_len > IMG_ZCHUNK_MAX ||
	    c->raw_len > r->rec.raw_size - r->raw_pos)
		return img_reader_error(r, "zlib chunk at offset %llu: bad "
			"raw length %u (corrupt image)", (ull)*coff,
			c->raw_len);
	if (c->comp_len > left - sizeof(*c) ||
	    c->comp_len > IMG_ZCHUNK_COMP_MAX)
		return img_reader_error(r, "zlib chunk at offset %llu: bad "
			"compressed length %u (corrupt image)", (ull)*coff,
			c->comp_len);
	r->pay_pos += sizeof(*c) + c->comp_len;
	return 1;
}

int img_reader_zchunk(struct img_reader *r, struct img_zchunk *c,
		      void *comp, uint64_t *coff)
{
	int rc;

	if (r->failed || !r->have_rec || !(r->rec.flags & IMG_RF_ZCHUNKS)) {
		errno = EINVAL;
		return -1;
	}
	rc = chunk_header(r, c, coff);
	if (rc <= 0)
		return rc;
	if (pread_full(r, comp, c->comp_len, *coff + sizeof(*c), 1) < 0)
		return -1;
	r->raw_pos += c->raw_len;
	return 1;
}

/* read (and with inflate, decode) the next chunk header at pay_pos */
static int next_chunk(struct img_reader *r, int inflate_it)
{
	struct img_zchunk c;
	uint64_t coff;
	z_stream *zs;
	int rc;

	rc = chunk_header(r, &c, &coff);
	if (rc <= 0)
		return rc;
	if (!inflate_it) {
		r->raw_pos += c.raw_len;
		return 1;
	}
	if (zlib_setup(r) < 0 ||
	    pread_full(r, r->zin, c.comp_len, coff + sizeof(c), 1) < 0)
		return -1;
	zs = r->zs;
	if (inflateReset(zs) != Z_OK)
		return sys_fail(r, EIO, "inflateReset failed");
	zs->next_in = r->zin;
	zs->avail_in = c.comp_len;
	zs->next_out = r->zout;
	zs->avail_out = c.raw_len;
	rc = inflate(zs, Z_FINISH);
	if (rc != Z_STREAM_END || zs->avail_out || zs->avail_in)
		return img_reader_error(r, "zlib chunk at offset %llu: "
			"%s (corrupt image)", (ull)coff,
			rc == Z_STREAM_END ? "wrong length" :
			zs->msg ? zs->msg : "bad zlib data");
	if (crc32_z(0, r->zout, c.raw_len) != c.crc)
		return img_reader_error(r, "zlib chunk at offset %llu: CRC "
					"mismatch (corrupt image)", (ull)coff);
	r->zout_len = c.raw_len;
	r->zout_pos = 0;
	return 1;
}

ssize_t img_reader_read(struct img_reader *r, void *buf, size_t len)
{
	const struct img_rec *h = &r->rec;
	uint64_t n;

	if (r->failed || !r->have_rec) {
		errno = EINVAL;
		return -1;
	}
	if (h->flags & IMG_RF_ZCHUNKS) {
		if (r->zout_pos == r->zout_len) {
			int rc = next_chunk(r, 1);

			if (rc <= 0)
				return rc;
		}
		n = r->zout_len - r->zout_pos;
		if (n > len)
			n = len;
		memcpy(buf, r->zout + r->zout_pos, n);
		r->zout_pos += n;
		r->raw_pos += n;
		return n;
	}
	n = h->size - r->pay_pos;
	if (n > len)
		n = len;
	if (!n)
		return 0;
	if (pread_full(r, buf, n, r->rec_off + sizeof(*h) + r->pay_pos,
		       1) < 0)
		return -1;
	r->pay_pos += n;
	r->raw_pos += n;
	if (h->flags & IMG_RF_CRC) {
		r->crc = crc32_z(r->crc, buf, n);
		if (r->pay_pos == h->size && r->crc != h->crc)
			return img_reader_error(r, "CRC mismatch "
						"(corrupt image)");
	}
	return n;
}

int img_reader_read_all(struct img_reader *r, size_t max, void **out,
			size_t *len)
{
	uint64_t want = r->rec.raw_size;
	char *buf;
	size_t got = 0;

	*out = NULL;
	*len = 0;
	if (want > max)
		return img_reader_error(r, "%s record of %llu bytes is too "
			"big (corrupt image)", img_rec_name(r->rec.type),
			(ull)want);
	buf = malloc(want + 1);
	if (!buf)
		return sys_fail(r, ENOMEM, "out of memory (%llu bytes)",
				(ull)want + 1);
	for (;;) {
		ssize_t k = img_reader_read(r, buf + got, want - got);

		if (k < 0)
			goto out_free;
		if (k == 0)
			break;
		got += k;
	}
	buf[got] = 0;
	*out = buf;
	*len = got;
	return 0;

out_free:
	free(buf);
	return -1;
}

int img_reader_skip(struct img_reader *r, int check)
{
	if (r->failed || !r->have_rec) {
		errno = EINVAL;
		return -1;
	}
	if (check && (r->rec.flags & IMG_RF_ZCHUNKS)) {
		int rc;

		/* the rest of a chunk already inflated */
		r->raw_pos += r->zout_len - r->zout_pos;
		r->zout_pos = r->zout_len;
		while ((rc = next_chunk(r, 0)) > 0)
			;
		return rc;
	}
	r->pay_pos = r->rec.size;
	r->raw_pos = r->rec.raw_size;
	r->zout_pos = r->zout_len;
	return 0;
}

void img_reader_close(struct img_reader *r)
{
	int e = errno;

	if (r->zs) {
		inflateEnd(r->zs);
		free(r->zs);
	}
	free(r->zin);
	free(r->zout);
	free(r->path);
	if (r->fd >= 0)
		close(r->fd);
	r->zs = NULL;
	r->zin = NULL;
	r->zout = NULL;
	r->path = NULL;
	r->fd = -1;
	errno = e;
}
