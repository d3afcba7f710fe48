/*
 * img-meta.c - load every record of an image but the page data into a
 * struct img_meta (what dmtcp_restart and dmtcp_inspect work from), and
 * copy the saved contents of a file out of it (img_copy_file_data).
 */
#include "config.h"
#include "img-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* grow *arr (of *n elements of size sz) by one zeroed element */
static void *grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
	char *p;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;

		p = realloc(*arr, nc * sz);
		if (!p)
			return NULL;
		*arr = p;
		*cap = nc;
	}
	p = (char *)*arr + *n * sz;
	memset(p, 0, sz);
	(*n)++;
	return p;
}

/* grow *arr by one element of esz bytes, starting with the first sz
   bytes of the walker's payload (the record's struct) */
static void *grow_copy(struct img_walk *w, void **arr, size_t *n,
		       size_t *cap, size_t esz, size_t sz)
{
	char *p = grow(arr, n, cap, esz);

	if (p)
		memcpy(p, w->payload, sz);
	return p;
}

/* an AREA or FILE record: the path after its struct of sz bytes in the
   payload (len bytes), and the record's offset */
static int take_path(const struct img_walk *w, size_t sz, uint32_t len,
		     char **path, uint64_t *rec_off)
{
	*rec_off = w->r.rec_off;
	*path = strndup((const char *)w->payload + sz, len);
	return *path ? 0 : -1;
}

/* NULL-terminated vector of the NUL-separated strings of buf */
static char **split(char *buf, size_t len)
{
	size_t n = 0, i, k = 0;
	char **v;

	for (i = 0; i < len; i++)
		if (!buf[i] || i == len - 1)
			n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < len; i += strlen(buf + i) + 1)
		v[k++] = buf + i;	/* buf[len] is a NUL (read_all) */
	return v;
}

static int take_fds(struct img_meta *m, struct img_walk *w)
{
	const char *p = w->payload;
	size_t left = w->payload_len, cap = 0;

	/* img_walk_next has checked the framing */
	while (left) {
		struct img_meta_fd *f = grow((void **)&m->fds, &m->nfds, &cap,
					     sizeof(*f));

		if (!f)
			return -1;
		memcpy(&f->fd, p, sizeof(f->fd));
		f->path = strndup(p + sizeof(f->fd), f->fd.path_len);
		if (!f->path)
			return -1;
		f->sk_addr = f->sk_peer = f->sk_data = NULL;
		if (IMG_FD_TAIL(&f->fd) > f->fd.path_len) {
			size_t x = IMG_FD_TAIL(&f->fd) - f->fd.path_len;

			f->sk_addr = malloc(x);
			if (!f->sk_addr)
				return -1;
			memcpy(f->sk_addr, p + sizeof(f->fd) + f->fd.path_len,
			       x);
			f->sk_peer = f->sk_addr + f->fd.sk_addr_len;
			f->sk_data = f->sk_peer + f->fd.sk_peer_len;
		}
		p += sizeof(f->fd) + IMG_FD_TAIL(&f->fd);
		left -= sizeof(f->fd) + IMG_FD_TAIL(&f->fd);
	}
	return 0;
}

/* move the walker's payload into *dst */
static void take(struct img_walk *w, char **dst, size_t *len)
{
	*dst = w->payload;
	*len = w->payload_len;
	w->payload = NULL;
}

/* what img_load_meta fills, and the capacities of its arrays */
struct load {
	struct img_meta *m;
	size_t tcap, acap, fcap;
};

static int take_one(struct img_meta *m, struct img_walk *w,
		    const struct img_rec *rec, size_t *tcap, size_t *acap,
		    size_t *fcap)
{
	struct img_meta_area *a;
	struct img_meta_file *f;
	struct img_thread *t;
	char *buf;
	size_t len;

	switch (rec->type) {
	case IMG_REC_PROC:		/* the first record */
		m->hdr = w->r.hdr;
		m->file_size = w->r.file_size;
		m->proc = w->proc;
		m->threads = calloc(m->proc.nthreads ? m->proc.nthreads : 1,
				    sizeof(*m->threads));
		*tcap = m->proc.nthreads;
		return m->threads ? 0 : -1;
	case IMG_REC_THREAD:
		t = grow_copy(w, (void **)&m->threads, &m->nthreads, tcap,
			      sizeof(*t), sizeof(*t));
		return t ? 0 : -1;
	case IMG_REC_FDS:
		return take_fds(m, w);
	case IMG_REC_ENV:
		take(w, &m->env, &m->env_len);
		m->envv = split(m->env, m->env_len);
		return m->envv ? 0 : -1;
	case IMG_REC_CMDLINE:
		take(w, &m->cmdline, &m->cmdline_len);
		m->argv = split(m->cmdline, m->cmdline_len);
		return m->argv ? 0 : -1;
	case IMG_REC_AUXV:
		take(w, &buf, &len);
		m->auxv = (uint64_t *)buf;
		m->auxv_len = len / sizeof(uint64_t);
		return 0;
	case IMG_REC_AREA:
		a = grow_copy(w, (void **)&m->areas, &m->nareas, acap,
			      sizeof(*a), sizeof(a->area));
		return a ? take_path(w, sizeof(a->area), a->area.path_len,
				     &a->path, &a->rec_off) : -1;
	case IMG_REC_PAGES:
		a = &m->areas[m->nareas - 1];
		a->npages++;
		a->page_bytes += rec->raw_size;
		a->file_bytes += rec->size;
		return 0;
	case IMG_REC_FILE:
		f = grow_copy(w, (void **)&m->files, &m->nfiles, fcap,
			      sizeof(*f), sizeof(f->file));
		return f ? take_path(w, sizeof(f->file), f->file.path_len,
				     &f->path, &f->rec_off) : -1;
	case IMG_REC_FILEDATA:
		m->files[m->nfiles - 1].nrecs++;
		return 0;
	case IMG_REC_END:
		m->end = w->end;
		return 0;
	case IMG_REC_SNAP:
		m->snap = w->snap;
		m->has_snap = 1;
		return 0;
	case IMG_REC_PARENT:
		m->parent = w->parent;
		m->parent_name = strdup(w->parent_name);
		return m->parent_name ? 0 : -1;
	}
	return 0;	/* PAD */
}

/* one record of the walk (take_one fails only for want of memory) */
static int take_rec(struct img_walk *w, const struct img_rec *rec,
		    char *buf, void *ctx)
{
	struct load *l = ctx;

	(void)buf;
	if (take_one(l->m, w, rec, &l->tcap, &l->acap, &l->fcap) < 0)
		return img_reader_nomem(&w->r);
	return 0;
}

int img_load_meta(const char *path, struct img_meta **out, char *err,
		  size_t errcap)
{
	struct load l = { 0 };

	*out = NULL;
	l.m = calloc(1, sizeof(*l.m));
	if (!l.m || !(l.m->path = strdup(path))) {
		snprintf(err, errcap, "%s: out of memory", path);
		free(l.m);
		errno = ENOMEM;
		return -1;
	}
	if (img_walk_each(path, 0, 0, take_rec, &l, err, errcap) < 0) {
		img_free_meta(l.m);	/* keeps errno */
		return -1;
	}
	*out = l.m;
	return 0;
}

/* the allocations of m that hold no pointer to another, m included */
static void free_blocks(struct img_meta *m)
{
	void *blocks[] = {
		m->files, m->areas, m->fds, m->threads, m->env, m->envv,
		m->cmdline, m->argv, m->auxv, m->parent_name, m->path, m,
	};

	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		free(blocks[i]);
}

void img_free_meta(struct img_meta *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nareas; i++)
		free(m->areas[i].path);
	for (i = 0; i < m->nfds; i++) {
		free(m->fds[i].path);
		free(m->fds[i].sk_addr);
	}
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i].path);
	free_blocks(m);
}

int img_read_ident(const char *path, struct img_ident *id, char *err,
		   size_t errcap)
{
	struct img_walk w;
	struct img_rec rec;
	int k, rc = -1;

	memset(id, 0, sizeof(*id));
	if (img_walk_open(&w, path, 0, err, errcap) < 0)
		goto out;
	memcpy(id->image_id, w.r.hdr.image_id, sizeof(id->image_id));
	id->is_delta = !!(w.r.hdr.flags & IMG_F_DELTA);
	/* PROC, then PARENT in a delta image (PAD records aside) */
	while ((k = img_walk_next(&w, &rec)) > 0) {
		if (rec.type == IMG_REC_PROC)
			id->generation = w.proc.generation;
		if (rec.type == IMG_REC_PARENT) {
			id->parent = w.parent;
			memcpy(id->parent_name, w.parent_name,
			       sizeof(id->parent_name));
		}
		if (rec.type != IMG_REC_PAD && rec.type != IMG_REC_PROC)
			break;
	}
	if (k < 0)
		goto out;
	if (id->is_delta && !id->parent_name[0]) {
		img_reader_error(&w.r, "no PARENT record (corrupt image)");
		goto out;
	}
	rc = 0;
out:
	img_walk_close(&w);
	return rc;
}

int img_copy_file_data(const struct img_meta *m, size_t k, int fd,
		       char *err, size_t errcap)
{
	const struct img_meta_file *mf = &m->files[k];
	struct img_reader r;
	struct img_rec rec;
	uint64_t got = 0;
	char *buf = NULL;
	int rc = -1, more, e;

	if (img_reader_open(&r, m->path, err, errcap) < 0)
		goto out;
	r.next_off = mf->rec_off;
	if (img_reader_next(&r, &rec) <= 0)
		goto out;
	if (rec.type != IMG_REC_FILE) {
		img_reader_error(&r, "not the FILE record of %s (the image "
				 "changed since it was loaded)", mf->path);
		goto out;
	}
	buf = malloc(IMG_ZCHUNK_MAX);
	if (!buf) {
		img_reader_nomem(&r);
		goto out;
	}
	while ((more = img_reader_next(&r, &rec)) > 0 &&
	       rec.type == IMG_REC_FILEDATA) {
		uint64_t at = rec.arg0;
		ssize_t n;

		while ((n = img_reader_read(&r, buf, IMG_ZCHUNK_MAX)) > 0) {
			for (ssize_t done = 0; done < n;) {
				ssize_t w = pwrite(fd, buf + done, n - done,
						   (off_t)at);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					e = w < 0 ? errno : EIO;
					snprintf(err, errcap, "cannot write the "
						 "saved contents of %s (%llu "
						 "bytes at offset %llu): %s",
						 mf->path,
						 (unsigned long long)(n - done),
						 (unsigned long long)at,
						 strerror(e));
					errno = e;
					goto out;
				}
				done += w;
				at += w;
			}
			got += n;
		}
		if (n < 0)
			goto out;
	}
	if (more < 0)
		goto out;
	if (got != mf->file.data_bytes) {
		img_reader_error(&r, "the contents of %s hold %llu bytes, its "
				 "FILE record says %llu (corrupt image)",
				 mf->path, (unsigned long long)got,
				 (unsigned long long)mf->file.data_bytes);
		goto out;
	}
	rc = 0;
out:
	free(buf);		/* free and img_reader_close keep errno */
	img_reader_close(&r);
	return rc;
}
