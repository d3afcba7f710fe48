/*
 * img-walk.c - record walker: the reader plus the rules that span
 * records (order, PROC counts, AREA/PAGES consistency, END totals),
 * so that img_load_meta, img_validate and img_decode_to_fd accept
 * exactly the same images and word their errors the same way.
 */
#include "config.h"
#include "img-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long ull;

enum { ST_PROC, ST_PARENT, ST_META, ST_FILES, ST_AREAS, ST_END };

int img_walk_open(struct img_walk *w, const char *path, int check_chunks,
		  char *err, size_t errcap)
{
	memset(w, 0, sizeof(*w));
	w->check_chunks = check_chunks;
	return img_reader_open(&w->r, path, err, errcap);
}

void img_walk_close(struct img_walk *w)
{
	free(w->payload);
	w->payload = NULL;
	img_reader_close(&w->r);
}

int img_walk_each(const char *path, int check_chunks, size_t bufsize,
		  img_walk_fn *each, void *ctx, char *err, size_t errcap)
{
	struct img_walk w;
	struct img_rec rec;
	char *buf = NULL;
	int rc = -1, k;

	if (img_walk_open(&w, path, check_chunks, err, errcap) < 0)
		goto out;
	if (bufsize && !(buf = malloc(bufsize))) {
		img_reader_nomem(&w.r);
		goto out;
	}
	while ((k = img_walk_next(&w, &rec)) > 0)
		if (each(&w, &rec, buf, ctx) < 0)
			goto out;
	if (k == 0)
		rc = 0;
out:
	free(buf);		/* free and img_walk_close keep errno */
	img_walk_close(&w);
	return rc;
}

static int check_str(struct img_walk *w, const char *rec, const char *field,
		     const char *s, size_t n)
{
	if (!memchr(s, 0, n))
		return img_reader_error(&w->r, "%s record: %s is not "
			"NUL-terminated (corrupt image)", rec, field);
	return 0;
}

#define CHECK_STR(w, rec, p, f) check_str(w, rec, #f, (p)->f, sizeof((p)->f))

static int walk_proc(struct img_walk *w)
{
	const struct img_proc *p = w->payload;

	if (w->payload_len != sizeof(*p))
		return img_reader_error(&w->r, "PROC record of %zu bytes, "
			"expected %zu (corrupt image)", w->payload_len,
			sizeof(*p));
	if (p->nthreads > IMG_MAX_THREADS)
		return img_reader_error(&w->r, "PROC record: nthreads = %u, "
			"at most %u threads supported (corrupt image)",
			p->nthreads, IMG_MAX_THREADS);
	if (CHECK_STR(w, "PROC", p, comp_id) ||
	    CHECK_STR(w, "PROC", p, unique_id) ||
	    CHECK_STR(w, "PROC", p, progname) ||
	    CHECK_STR(w, "PROC", p, hostname) ||
	    CHECK_STR(w, "PROC", p, kernel) || CHECK_STR(w, "PROC", p, exe) ||
	    CHECK_STR(w, "PROC", p, cwd) ||
	    CHECK_STR(w, "PROC", p, coord_host))
		return -1;
	w->proc = *p;
	w->state = (w->r.hdr.flags & IMG_F_DELTA) ? ST_PARENT : ST_META;
	return 0;
}

/* the PARENT record of a delta image, right after PROC */
static int walk_parent(struct img_walk *w)
{
	const struct img_parent *p = w->payload;
	const char *name = (const char *)(p + 1);

	if (!(w->r.hdr.flags & IMG_F_DELTA))
		return img_reader_error(&w->r, "PARENT record in a full image "
					"(corrupt image)");
	if (w->state != ST_PARENT)
		return img_reader_error(&w->r, "PARENT record not right after "
					"the PROC record (corrupt image)");
	if (w->payload_len < sizeof(*p) ||
	    w->payload_len - sizeof(*p) != p->name_len)
		return img_reader_error(&w->r, "PARENT record of %zu bytes "
			"does not match its name length (corrupt image)",
			w->payload_len);
	if (!img_parent_name_ok(name, p->name_len))
		return img_reader_error(&w->r, "PARENT record: the parent's "
			"name is not a plain file name (a '/', a NUL, \".\", "
			"\"..\" or empty; corrupt or crafted image)");
	if (p->depth < 1 || p->depth > IMG_MAX_CHAIN)
		return img_reader_error(&w->r, "PARENT record: depth %u, "
			"1..%u expected (corrupt image)", p->depth,
			IMG_MAX_CHAIN);
	w->parent = *p;
	memcpy(w->parent_name, name, p->name_len);
	w->parent_name[p->name_len] = 0;
	w->state = ST_META;
	return 0;
}

static int walk_thread(struct img_walk *w)
{
	const struct img_thread *t = w->payload;

	if (w->payload_len != sizeof(*t))
		return img_reader_error(&w->r, "THREAD record of %zu bytes, "
			"expected %zu (corrupt image)", w->payload_len,
			sizeof(*t));
	if (w->nthreads >= w->proc.nthreads)
		return img_reader_error(&w->r, "more THREAD records than the "
			"%u of the PROC record (corrupt image)",
			w->proc.nthreads);
	if (CHECK_STR(w, "THREAD", t, name))
		return -1;
	w->nthreads++;
	return 0;
}

static int walk_fds(struct img_walk *w)
{
	const char *p = w->payload;
	size_t left = w->payload_len;

	while (left) {
		struct img_fd f;

		if (left < sizeof(f))
			return img_reader_error(&w->r, "FDS record: %zu bytes "
				"left, too short for an fd (corrupt image)",
				left);
		memcpy(&f, p, sizeof(f));
		if (f.path_len > IMG_PATH_MAX ||
		    f.path_len > left - sizeof(f))
			return img_reader_error(&w->r, "FDS record: fd %d has a "
				"path of %u bytes (corrupt image)", f.fd,
				f.path_len);
		if (memchr(p + sizeof(f), 0, f.path_len))
			return img_reader_error(&w->r, "FDS record: path of fd "
				"%d holds a NUL byte (corrupt image)", f.fd);
		if (f.sk_addr_len > 128 || f.sk_peer_len > 128 ||
		    IMG_FD_TAIL(&f) > left - sizeof(f))
			return img_reader_error(&w->r, "FDS record: fd %d has "
				"socket addresses of %u and %u bytes and %llu "
				"bytes of data, more than the record holds "
				"(corrupt image)", f.fd, f.sk_addr_len,
				f.sk_peer_len,
				(unsigned long long)f.sk_data_len);
		p += sizeof(f) + IMG_FD_TAIL(&f);
		left -= sizeof(f) + IMG_FD_TAIL(&f);
	}
	return 0;
}

/* after the FILEDATA of a FILE: they must add up to its data_bytes */
static int close_file(struct img_walk *w)
{
	if (w->state == ST_FILES && w->file_run.got != w->file_run.want)
		return img_reader_error(&w->r, "file %.200s: FILEDATA records "
			"hold %llu bytes, its FILE record says %llu "
			"(corrupt image)", (const char *)w->payload_file,
			(ull)w->file_run.got, (ull)w->file_run.want);
	return 0;
}

static int walk_file(struct img_walk *w)
{
	const struct img_file *f = w->payload;

	if (close_file(w) < 0)
		return -1;
	if (w->state != ST_META && w->state != ST_FILES)
		return img_reader_error(&w->r, "FILE record after the first "
					"AREA record (corrupt image)");
	if (w->payload_len < sizeof(*f) ||
	    w->payload_len - sizeof(*f) != f->path_len)
		return img_reader_error(&w->r, "FILE record of %zu bytes does "
			"not match its path length (corrupt image)",
			w->payload_len);
	if (memchr(f + 1, 0, f->path_len))
		return img_reader_error(&w->r, "FILE record: path holds a NUL "
					"byte (corrupt image)");
	if (f->data_bytes > f->size ||
	    (!(f->flags & IMG_FILE_CONTENTS) && f->data_bytes))
		return img_reader_error(&w->r, "FILE record: %llu bytes of "
			"data for a file of %llu bytes (corrupt image)",
			(ull)f->data_bytes, (ull)f->size);
	w->file = *f;
	img_run_begin(&w->file_run, 0, f->size, f->data_bytes);
	snprintf(w->payload_file, sizeof(w->payload_file), "%.*s",
		 (int)f->path_len, (const char *)(f + 1));
	w->state = ST_FILES;
	return 0;
}

static int walk_filedata(struct img_walk *w, const struct img_rec *rec)
{
	if (w->state != ST_FILES)
		return img_reader_error(&w->r, "FILEDATA record without a "
					"FILE record (corrupt image)");
	if (img_run_check(&w->file_run, rec->arg0, rec->raw_size))
		return img_reader_error(&w->r, "FILEDATA %llu+%llu of file "
			"%.200s (%llu bytes, %llu of data): out of order or "
			"out of range (corrupt image)", (ull)rec->arg0,
			(ull)rec->raw_size, w->payload_file,
			(ull)w->file.size, (ull)w->file.data_bytes);
	img_run_add(&w->file_run, rec->arg0, rec->raw_size);
	return 0;
}

/* after the PAGES of an AREA: they must add up to its stored_bytes */
static int close_area(struct img_walk *w)
{
	if (close_file(w) < 0)
		return -1;
	if (w->state == ST_AREAS && w->area_run.got != w->area_run.want)
		return img_reader_error(&w->r, "area %#llx-%#llx: PAGES "
			"records hold %llu bytes, its AREA record says %llu "
			"(corrupt image)", (ull)w->area.start,
			(ull)w->area.end, (ull)w->area_run.got,
			(ull)w->area_run.want);
	return 0;
}

static int walk_area(struct img_walk *w)
{
	const struct img_area *a = w->payload;
	uint64_t m = IMG_PAGE_SIZE - 1;

	if (close_area(w) < 0)
		return -1;
	if (w->payload_len < sizeof(*a) ||
	    w->payload_len - sizeof(*a) != a->path_len)
		return img_reader_error(&w->r, "AREA record of %zu bytes does "
			"not match its path length (corrupt image)",
			w->payload_len);
	if (a->start >= a->end || (a->start & m) || (a->end & m) ||
	    (a->stored_bytes & m) || a->stored_bytes > a->end - a->start)
		return img_reader_error(&w->r, "AREA %#llx-%#llx with %llu "
			"stored bytes is not a valid page range "
			"(corrupt image)", (ull)a->start, (ull)a->end,
			(ull)a->stored_bytes);
	if (a->start < w->area_run.end)	/* the previous area's end */
		return img_reader_error(&w->r, "AREA %#llx-%#llx overlaps or "
			"precedes the previous area (corrupt image)",
			(ull)a->start, (ull)a->end);
	if (a->kind < IMG_AREA_ANON || a->kind > IMG_AREA_SPECIAL)
		return img_reader_error(&w->r, "AREA %#llx-%#llx of unknown "
			"kind %u (corrupt image)", (ull)a->start,
			(ull)a->end, a->kind);
	if (memchr(a + 1, 0, a->path_len))
		return img_reader_error(&w->r, "AREA %#llx-%#llx: path holds "
			"a NUL byte (corrupt image)", (ull)a->start,
			(ull)a->end);
	if (w->nareas >= w->proc.nareas)
		return img_reader_error(&w->r, "more AREA records than the %u "
			"of the PROC record (corrupt image)",
			w->proc.nareas);
	if ((a->flags & IMG_AF_DELTA) && !(w->r.hdr.flags & IMG_F_DELTA))
		return img_reader_error(&w->r, "AREA %#llx-%#llx: an "
			"incremental area in a full image (corrupt image)",
			(ull)a->start, (ull)a->end);
	w->nareas++;
	w->area = *a;
	img_run_begin(&w->area_run, a->start, a->end, a->stored_bytes);
	w->state = ST_AREAS;
	return 0;
}

static int walk_pages(struct img_walk *w, const struct img_rec *rec)
{
	if (w->state != ST_AREAS)
		return img_reader_error(&w->r, "PAGES record before any AREA "
					"record (corrupt image)");
	if ((rec->arg1 & IMG_PF_ZERO) && !(w->area.flags & IMG_AF_DELTA))
		return img_reader_error(&w->r, "zero PAGES %#llx-%#llx in area "
			"%#llx-%#llx, which is not incremental "
			"(corrupt image)", (ull)rec->arg0,
			(ull)(rec->arg0 + rec->raw_size), (ull)w->area.start,
			(ull)w->area.end);
	switch (img_run_check(&w->area_run, rec->arg0, rec->raw_size)) {
	case IMG_RUN_OUTSIDE:
		return img_reader_error(&w->r, "PAGES %#llx-%#llx outside of "
			"area %#llx-%#llx or out of order (corrupt image)",
			(ull)rec->arg0, (ull)(rec->arg0 + rec->raw_size),
			(ull)w->area.start, (ull)w->area.end);
	case IMG_RUN_TOO_MUCH:
		return img_reader_error(&w->r, "PAGES %#llx-%#llx: more bytes "
			"than the %llu stored bytes of the area "
			"(corrupt image)", (ull)rec->arg0,
			(ull)(rec->arg0 + rec->raw_size),
			(ull)w->area.stored_bytes);
	}
	img_run_add(&w->area_run, rec->arg0, rec->raw_size);
	w->page_bytes += rec->raw_size;
	return 0;
}

static int walk_end(struct img_walk *w)
{
	const struct img_end *e = w->payload;

	if (close_area(w) < 0)
		return -1;
	if (w->payload_len != sizeof(*e))
		return img_reader_error(&w->r, "END record of %zu bytes, "
			"expected %zu (corrupt image)", w->payload_len,
			sizeof(*e));
	if (w->nthreads != w->proc.nthreads ||
	    w->nareas != w->proc.nareas)
		return img_reader_error(&w->r, "image holds %u threads and "
			"%u areas, its PROC record (nthreads, nareas) says %u "
			"and %u (corrupt image)", w->nthreads, w->nareas,
			w->proc.nthreads, w->proc.nareas);
	if (e->nrecords != w->nrecords || e->page_bytes != w->page_bytes)
		return img_reader_error(&w->r, "END record counts %llu records"
			" and %llu page bytes, the image holds %llu and %llu "
			"(corrupt image)", (ull)e->nrecords,
			(ull)e->page_bytes, (ull)w->nrecords,
			(ull)w->page_bytes);
	w->end = *e;
	w->state = ST_END;
	return 0;
}

/* the snapshot's metadata: fixed size, a NUL-terminated tag */
static int walk_snap(struct img_walk *w)
{
	const struct img_snap *s = w->payload;

	if (w->payload_len != sizeof(*s))
		return img_reader_error(&w->r, "SNAP record of %zu bytes, "
			"%zu expected (corrupt image)", w->payload_len,
			sizeof(*s));
	if (!memchr(s->tag, 0, sizeof(s->tag)))
		return img_reader_error(&w->r, "SNAP record: the tag is not "
			"NUL-terminated (corrupt image)");
	if (s->trigger > IMG_SNAP_TRIGGER_MAX)
		return img_reader_error(&w->r, "SNAP record: unknown trigger "
			"%u (corrupt image)", s->trigger);
	w->snap = *s;
	return 0;
}

static int walk_meta(struct img_walk *w, uint32_t type)
{
	const char *name = img_rec_name(type);
	uint32_t bit = 1u << type;

	if (w->state == ST_AREAS)
		return img_reader_error(&w->r, "%s record after the first "
					"AREA record (corrupt image)", name);
	if (w->state == ST_FILES)
		return img_reader_error(&w->r, "%s record after a FILE record "
					"(corrupt image)", name);
	switch (type) {
	case IMG_REC_THREAD:
		return walk_thread(w);
	case IMG_REC_FDS:
	case IMG_REC_ENV:
	case IMG_REC_AUXV:
	case IMG_REC_CMDLINE:
	case IMG_REC_SNAP:
		if (w->seen & bit)
			return img_reader_error(&w->r, "second %s record "
						"(corrupt image)", name);
		w->seen |= bit;
		if (type == IMG_REC_AUXV && w->payload_len % 16)
			return img_reader_error(&w->r, "AUXV record of %zu "
				"bytes, not pairs of 64-bit words "
				"(corrupt image)", w->payload_len);
		if (type == IMG_REC_FDS)
			return walk_fds(w);
		if (type == IMG_REC_SNAP)
			return walk_snap(w);
		return 0;
	}
	return img_reader_error(&w->r, "unexpected %s record "
				"(corrupt image)", name);
}

int img_walk_next(struct img_walk *w, struct img_rec *rec)
{
	int rc;

	free(w->payload);
	w->payload = NULL;
	w->payload_len = 0;
	if (w->r.have_rec && (w->r.rec.type == IMG_REC_PAGES ||
			      w->r.rec.type == IMG_REC_FILEDATA) &&
	    img_reader_skip(&w->r, w->check_chunks) < 0)
		return -1;
	rc = img_reader_next(&w->r, rec);
	if (rc <= 0)
		return rc;
	if (rec->type == IMG_REC_PAD)
		return 1;
	if (w->state == ST_PROC && rec->type != IMG_REC_PROC)
		return img_reader_error(&w->r, "%s record where the PROC "
			"record must come first (corrupt image)",
			img_rec_name(rec->type));
	if (w->state == ST_PARENT && rec->type != IMG_REC_PARENT)
		return img_reader_error(&w->r, "%s record where the PARENT "
			"record of an incremental image must follow PROC "
			"(corrupt image)", img_rec_name(rec->type));
	if (rec->type == IMG_REC_PAGES) {
		rc = close_file(w) < 0 ? -1 : walk_pages(w, rec);
		w->nrecords++;
		return rc < 0 ? -1 : 1;
	}
	if (rec->type == IMG_REC_FILEDATA) {
		rc = walk_filedata(w, rec);
		w->nrecords++;
		return rc < 0 ? -1 : 1;
	}
	if (img_reader_read_all(&w->r, IMG_META_MAX, &w->payload,
				&w->payload_len) < 0)
		return -1;
	switch (rec->type) {
	case IMG_REC_PROC:
		rc = w->state == ST_PROC ? walk_proc(w) :
			img_reader_error(&w->r, "second PROC record "
					 "(corrupt image)");
		break;
	case IMG_REC_AREA:
		rc = walk_area(w);
		break;
	case IMG_REC_FILE:
		rc = walk_file(w);
		break;
	case IMG_REC_PARENT:
		rc = walk_parent(w);
		break;
	case IMG_REC_END:
		rc = walk_end(w);
		break;
	default:
		rc = walk_meta(w, rec->type);
		break;
	}
	w->nrecords++;
	return rc < 0 ? -1 : 1;
}
