/*
 * img-chain-write.c - write the full image equivalent to a chain of
 * incremental images (img_chain_write, img-chain.h): the newest image's
 * records through the image writer, every area with the pages its chain
 * resolves to, read from the image that holds each (raw payloads with
 * pread, zlib chunks inflated and CRC checked by the reader).  Used by
 * `dmtcp_inspect merge` (to a file) and by dmtcp_restart (raw, into the
 * pipe mtcp_restart reads).
 */
#include "config.h"
#include "img-chain.h"
#include "img-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CBUF_SIZE	(4u << 20)	/* largest PAGES record written */

typedef unsigned long long ull;

struct cw {
	const struct img_chain *c;
	struct img_writer wr;
	struct img_reader *rd;	/* per image, opened when first needed */
	unsigned char *buf;	/* pages of the PAGES record being built */
	uint64_t addr, len;	/* what buf holds */
	uint32_t pflags;
	char *err;
	size_t errcap;
};

static int wfail(struct cw *x, const char *what)
{
	snprintf(x->err, x->errcap, "%s: writing the merged image (%s): %s",
		 x->c->path[0], what, strerror(errno));
	return -1;
}

static int flush_pages(struct cw *x)
{
	if (!x->len)
		return 0;
	if (img_write_pages(&x->wr, x->addr, x->buf, x->len, x->pflags) < 0)
		return wfail(x, "pages");
	x->len = 0;
	return 0;
}

/* len bytes at raw offset off of the PAGES record of run r into dst */
static int read_data(struct cw *x, const struct img_chain_run *r,
		     uint64_t off, unsigned char *dst, size_t len)
{
	struct img_reader *rd = &x->rd[r->image];
	struct img_rec rec;
	unsigned char skip[4096];

	if (rd->fd < 0 && img_reader_open(rd, x->c->path[r->image], x->err,
					  x->errcap) < 0)
		return -1;
	if (!rd->have_rec || rd->rec_off != r->rec_off ||
	    rd->raw_pos > off) {
		rd->rec_off = 0;	/* no recno++: it is set here */
		rd->recno = r->recno;
		rd->next_off = r->rec_off;
		rd->ended = 0;
		if (img_reader_next(rd, &rec) <= 0)
			return -1;
		if (rec.type != IMG_REC_PAGES || rec.arg0 != r->rec_addr)
			return img_reader_error(rd, "not the PAGES record of "
				"%#llx (the image changed since it was "
				"loaded)", (ull)r->rec_addr);
	}
	if (!(rd->rec.flags & IMG_RF_ZCHUNKS)) {
		/* raw: straight at the offset (no CRC to run over) */
		rd->pay_pos = off;
		rd->raw_pos = off;
		rd->rec.flags &= ~(uint32_t)IMG_RF_CRC;
	}
	while (rd->raw_pos < off) {
		uint64_t n = off - rd->raw_pos;
		ssize_t k = img_reader_read(rd, skip, n < sizeof(skip) ?
					    n : sizeof(skip));

		if (k <= 0)
			return k < 0 ? -1 : img_reader_error(rd, "PAGES "
				"record shorter than it says (corrupt image)");
	}
	while (len) {
		ssize_t k = img_reader_read(rd, dst, len);

		if (k <= 0)
			return k < 0 ? -1 : img_reader_error(rd, "PAGES "
				"record shorter than it says (corrupt image)");
		dst += k;
		len -= (size_t)k;
	}
	return 0;
}

/* the pages of one resolved run, gathered into PAGES records */
static int put_run(struct cw *x, const struct img_chain_run *r)
{
	uint32_t pf = r->kind == IMG_CHAIN_DATA ?
		      r->pflags & ~(uint32_t)IMG_PF_ZERO : 0;
	uint64_t at = r->start;

	while (at < r->end) {
		uint64_t n = r->end - at;

		if (x->len && (x->addr + x->len != at || x->pflags != pf ||
			       x->len == CBUF_SIZE) && flush_pages(x) < 0)
			return -1;
		if (!x->len) {
			x->addr = at;
			x->pflags = pf;
		}
		if (n > CBUF_SIZE - x->len)
			n = CBUF_SIZE - x->len;
		if (r->kind == IMG_CHAIN_ZERO)
			memset(x->buf + x->len, 0, n);
		else if (read_data(x, r, at - r->rec_addr, x->buf + x->len,
				   n) < 0)
			return -1;
		x->len += n;
		at += n;
	}
	return 0;
}

static int put_area(struct cw *x, struct img_walk *w, size_t i)
{
	const struct img_chain_area *ca = &x->c->areas[i];
	struct img_area a;

	memcpy(&a, w->payload, sizeof(a));
	a.flags = ca->flags;
	a.stored_bytes = ca->bytes;
	if (img_write_area(&x->wr, &a, (char *)w->payload + sizeof(a)) < 0)
		return wfail(x, "area");
	for (size_t k = 0; k < ca->nruns; k++)
		if (put_run(x, &ca->runs[k]) < 0)
			return -1;
	return flush_pages(x);
}

/* a FILEDATA record of the newest image, copied in pieces */
static int put_filedata(struct cw *x, struct img_walk *w,
			const struct img_rec *rec)
{
	uint64_t at = rec->arg0;
	ssize_t k;

	while ((k = img_reader_read(&w->r, x->buf, CBUF_SIZE)) > 0) {
		if (img_write_filedata(&x->wr, at, x->buf, (size_t)k) < 0)
			return wfail(x, "file data");
		at += (uint64_t)k;
	}
	return k < 0 ? -1 : 0;
}

static int put_rec(struct cw *x, struct img_walk *w,
		   const struct img_rec *rec, size_t *ai)
{
	switch (rec->type) {
	case IMG_REC_PAD:
	case IMG_REC_PARENT:
	case IMG_REC_PAGES:	/* the resolved runs replace them */
		return 0;
	case IMG_REC_FILE:
		if (img_write_file(&x->wr, w->payload, (char *)w->payload +
				   sizeof(struct img_file)) < 0)
			return wfail(x, "file");
		return 0;
	case IMG_REC_FILEDATA:
		return put_filedata(x, w, rec);
	case IMG_REC_AREA:
		if (*ai >= x->c->nareas)
			return img_reader_error(&w->r, "more areas than when "
				"the chain was opened (the image changed)");
		return put_area(x, w, (*ai)++);
	case IMG_REC_END:
		if (img_writer_finish(&x->wr) < 0)
			return wfail(x, "end");
		return 0;
	}
	if (img_write_rec(&x->wr, rec->type, w->payload, w->payload_len) < 0)
		return wfail(x, img_rec_name(rec->type));
	return 0;
}

int img_chain_write(const struct img_chain *c, int fd, uint32_t flags,
		    char *err, size_t errcap)
{
	struct cw x = { .c = c, .err = err, .errcap = errcap };
	struct img_walk w;
	struct img_rec rec;
	size_t ai = 0;
	int k, rc = -1, opened = 0;

	x.rd = calloc(c->n, sizeof(*x.rd));
	x.buf = malloc(CBUF_SIZE);
	if (!x.rd || !x.buf) {
		snprintf(err, errcap, "%s: out of memory", c->path[0]);
		goto out;
	}
	for (int i = 0; i < c->n; i++)
		x.rd[i].fd = -1;
	if (img_walk_open(&w, c->path[0], 0, err, errcap) < 0)
		goto out_walk;
	if (img_writer_open(&x.wr, fd, flags & IMG_F_GZIP,
			    w.r.hdr.ctime_sec) < 0) {
		wfail(&x, "header");
		goto out_walk;
	}
	opened = 1;
	while ((k = img_walk_next(&w, &rec)) > 0)
		if (put_rec(&x, &w, &rec, &ai) < 0)
			goto out_walk;
	if (k == 0)
		rc = 0;
out_walk:
	img_walk_close(&w);
out:
	if (opened)
		img_writer_close(&x.wr);
	for (int i = 0; x.rd && i < c->n; i++)
		if (x.rd[i].fd >= 0 || x.rd[i].path)
			img_reader_close(&x.rd[i]);
	free(x.rd);
	free(x.buf);
	return rc;
}
