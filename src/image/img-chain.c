/*
 * img-chain.c - open the chain of an incremental image (its parents by
 * name in its directory, each checked against the child's PARENT
 * record) and resolve every page of the newest image's areas to the
 * image and PAGES record that hold it (see img-chain.h; the merged image
 * is written by img-chain-write.c).
 */
#include "config.h"
#include "img-chain.h"
#include "img-int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

typedef unsigned long long ull;

/* one PAGES record of an image */
struct pg {
	uint64_t start, end, rec_off, recno;
	uint32_t pflags;
};

/* the PAGES records of one image, in address order */
struct pgs {
	struct pg *v;
	size_t n, cap;
};

static int chain_err(char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int chain_err(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

const char *img_id_hex(const uint8_t id[16], char buf[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", id[i]);
	return buf;
}

static int collect_pg(struct img_walk *w, const struct img_rec *rec,
		      char *buf, void *ctx)
{
	struct pgs *p = ctx;

	(void)buf;
	if (rec->type != IMG_REC_PAGES)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 64;
		struct pg *v = realloc(p->v, nc * sizeof(*v));

		if (!v)
			return img_reader_nomem(&w->r);
		p->v = v;
		p->cap = nc;
	}
	p->v[p->n++] = (struct pg){
		.start = rec->arg0, .end = rec->arg0 + rec->raw_size,
		.rec_off = w->r.rec_off, .recno = w->r.recno,
		.pflags = (uint32_t)rec->arg1,
	};
	return 0;
}

/* the parent's path: name in the directory of the child's path */
static char *parent_path(const char *child, const char *name)
{
	const char *slash = strrchr(child, '/');
	size_t dl = slash ? (size_t)(slash - child) + 1 : 0;
	char *p = malloc(dl + strlen(name) + 1);

	if (p) {
		memcpy(p, child, dl);
		strcpy(p + dl, name);
	}
	return p;
}

/* image k + 1, the parent of image k: found, loaded and checked */
static int open_parent(struct img_chain *c, int k, struct stat *ids,
		       char *err, size_t errcap)
{
	const struct img_meta *child = c->m[k];
	const struct img_parent *pr = &child->parent;
	const char *cp = c->path[k];
	char sub[1536], a[33], b[33];
	struct img_meta *pm;
	char *pp;

	if (k + 1 > IMG_MAX_CHAIN)
		return chain_err(err, errcap, "%s: chain longer than %d "
				 "images (corrupt chain)", c->path[0],
				 IMG_MAX_CHAIN);
	pp = parent_path(cp, child->parent_name);
	if (!pp)
		return chain_err(err, errcap, "%s: out of memory", cp);
	c->path[k + 1] = pp;
	if (stat(pp, &ids[k + 1]) < 0)
		return chain_err(err, errcap, "%s: its parent %s is %s", cp, pp,
				 errno == ENOENT ? "missing" :
				 strerror(errno));
	for (int j = 0; j <= k; j++)
		if (ids[j].st_dev == ids[k + 1].st_dev &&
		    ids[j].st_ino == ids[k + 1].st_ino)
			return chain_err(err, errcap, "%s: its parent %s is %s "
				"(a loop in the chain: corrupt or crafted "
				"image)", cp, pp, j == k ? "itself" :
				"already in its chain");
	if (img_load_meta(pp, &c->m[k + 1], sub, sizeof(sub)) < 0)
		return chain_err(err, errcap, "%s: its parent %s cannot be "
				 "used: %s", cp, pp, sub);
	c->n = k + 2;
	pm = c->m[k + 1];
	if (memcmp(pm->hdr.image_id, pr->parent_id, 16))
		return chain_err(err, errcap, "%s: %s is not its parent (image "
			"id differs: overwritten?): image id %s, the PARENT "
			"record names %s", cp, pp,
			img_id_hex(pm->hdr.image_id, a),
			img_id_hex(pr->parent_id, b));
	if (pm->proc.generation != pr->parent_generation)
		return chain_err(err, errcap, "%s: its parent %s is generation "
			"%u, the PARENT record says %u (corrupt chain)", cp, pp,
			pm->proc.generation, pr->parent_generation);
	if ((pm->hdr.flags & IMG_F_DELTA) ?
	    pm->parent.depth + 1 != pr->depth : pr->depth != 1)
		return chain_err(err, errcap, "%s: depth %u, but its parent %s "
			"has depth %u (corrupt chain)", cp, pr->depth, pp,
			(pm->hdr.flags & IMG_F_DELTA) ? pm->parent.depth : 0);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Resolution                                                         */

struct resolve {
	struct img_chain *c;
	struct pgs *pg;			/* per image */
	struct img_chain_area *out;	/* the area being resolved */
	size_t cap;
};

static int add_run(struct resolve *rs, const struct img_chain_run *r)
{
	struct img_chain_area *o = rs->out;

	if (o->nruns == rs->cap) {
		size_t nc = rs->cap ? 2 * rs->cap : 8;
		struct img_chain_run *v = realloc(o->runs, nc * sizeof(*v));

		if (!v)
			return -1;
		o->runs = v;
		rs->cap = nc;
	}
	o->runs[o->nruns++] = *r;
	o->bytes += r->end - r->start;
	return 0;
}

static int resolve_image(struct resolve *rs, int k, uint64_t s, uint64_t e);

/* pages the area a of image k does not store in [s, e): its parent's
   (an incremental area) or the fresh mapping's */
static int resolve_gap(struct resolve *rs, int k, const struct img_area *a,
		       uint64_t s, uint64_t e)
{
	if ((a->flags & IMG_AF_DELTA) && k + 1 < rs->c->n)
		return resolve_image(rs, k + 1, s, e);
	if (a->kind == IMG_AREA_FILE)	/* the file's bytes: needed as is */
		rs->out->flags |= a->flags & IMG_AF_FILE_PAGES_OMITTED;
	return 0;
}

/* [s, e) inside area a of image k */
static int resolve_area(struct resolve *rs, int k, const struct img_area *a,
			uint64_t s, uint64_t e)
{
	const struct pgs *p = &rs->pg[k];
	size_t lo = 0, hi = p->n;
	uint64_t pos = s;

	while (lo < hi) {	/* first record ending after s */
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].end <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t j = lo; pos < e && j < p->n && p->v[j].start < e; j++) {
		const struct pg *g = &p->v[j];
		uint64_t ps = g->start > pos ? g->start : pos;
		struct img_chain_run r = {
			.start = ps, .end = g->end < e ? g->end : e,
			.image = (uint32_t)k,
		};

		if (ps > pos && resolve_gap(rs, k, a, pos, ps) < 0)
			return -1;
		if (g->pflags & IMG_PF_ZERO) {
			r.kind = IMG_CHAIN_ZERO;
		} else {
			r.kind = IMG_CHAIN_DATA;
			r.rec_off = g->rec_off;
			r.rec_addr = g->start;
			r.recno = g->recno;
			r.pflags = g->pflags;
		}
		if (add_run(rs, &r) < 0)
			return -1;
		pos = r.end;
	}
	return pos < e ? resolve_gap(rs, k, a, pos, e) : 0;
}

/* [s, e) in image k: inside its areas, fresh where it had none */
static int resolve_image(struct resolve *rs, int k, uint64_t s, uint64_t e)
{
	const struct img_meta *m = rs->c->m[k];
	size_t lo = 0, hi = m->nareas;

	while (lo < hi) {	/* first area ending after s */
		size_t mid = lo + (hi - lo) / 2;

		if (m->areas[mid].area.end <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->nareas && m->areas[i].area.start < e;
	     i++) {
		const struct img_area *a = &m->areas[i].area;
		uint64_t as = a->start > s ? a->start : s;
		uint64_t ae = a->end < e ? a->end : e;

		if (resolve_area(rs, k, a, as, ae) < 0)
			return -1;
	}
	return 0;
}

static int resolve_all(struct img_chain *c, char *err, size_t errcap)
{
	struct resolve rs = { .c = c };
	const struct img_meta *m = c->m[0];
	int rc = -1;

	rs.pg = calloc(c->n, sizeof(*rs.pg));
	c->areas = calloc(m->nareas ? m->nareas : 1, sizeof(*c->areas));
	if (!rs.pg || !c->areas)
		goto nomem;
	c->nareas = m->nareas;
	for (int k = 0; k < c->n; k++)
		if (img_walk_each(c->path[k], 0, 0, collect_pg, &rs.pg[k], err,
				  errcap) < 0)
			goto out;
	for (size_t i = 0; i < m->nareas; i++) {
		const struct img_area *a = &m->areas[i].area;

		rs.out = &c->areas[i];
		rs.cap = 0;
		rs.out->flags = a->flags & ~(uint32_t)IMG_AF_DELTA;
		if (resolve_area(&rs, 0, a, a->start, a->end) < 0)
			goto nomem;
		c->bytes += rs.out->bytes;
	}
	rc = 0;
	goto out;
nomem:
	chain_err(err, errcap, "%s: out of memory resolving its chain",
		  c->path[0]);
out:
	for (int k = 0; rs.pg && k < c->n; k++)
		free(rs.pg[k].v);
	free(rs.pg);
	return rc;
}

struct img_chain *img_chain_open(const char *path, char *err, size_t errcap)
{
	struct img_chain *c = calloc(1, sizeof(*c));
	struct stat *ids = calloc(IMG_MAX_CHAIN + 2, sizeof(*ids));

	if (!c || !ids || !(c->path[0] = strdup(path))) {
		chain_err(err, errcap, "%s: out of memory", path);
		goto fail;
	}
	if (img_load_meta(path, &c->m[0], err, errcap) < 0)
		goto fail;
	c->n = 1;
	if (stat(path, &ids[0]) < 0) {
		chain_err(err, errcap, "%s: %s", path, strerror(errno));
		goto fail;
	}
	for (int k = 0; c->m[k]->hdr.flags & IMG_F_DELTA; k++)
		if (open_parent(c, k, ids, err, errcap) < 0)
			goto fail;
	if (resolve_all(c, err, errcap) < 0)
		goto fail;
	free(ids);
	return c;
fail:
	free(ids);
	img_chain_close(c);
	return NULL;
}

void img_chain_close(struct img_chain *c)
{
	int e = errno;

	if (!c)
		return;
	for (int k = 0; k <= IMG_MAX_CHAIN; k++) {
		img_free_meta(c->m[k]);
		free(c->path[k]);
	}
	for (size_t i = 0; c->areas && i < c->nareas; i++)
		free(c->areas[i].runs);
	free(c->areas);
	free(c);
	errno = e;
}

struct img_meta *img_chain_take_meta(struct img_chain *c)
{
	struct img_meta *m = c->m[0];

	if (!m)
		return NULL;
	c->m[0] = NULL;
	m->hdr.flags &= ~(uint32_t)(IMG_F_DELTA | IMG_F_GZIP);
	m->hdr.hdr_crc = 0;
	m->hdr.hdr_crc = crc32_z(0, (const Bytef *)&m->hdr, sizeof(m->hdr));
	m->end.page_bytes = c->bytes;
	for (size_t i = 0; i < m->nareas; i++) {
		struct img_meta_area *a = &m->areas[i];

		a->area.flags = c->areas[i].flags;
		a->area.stored_bytes = c->areas[i].bytes;
		a->page_bytes = c->areas[i].bytes;
	}
	return m;
}
