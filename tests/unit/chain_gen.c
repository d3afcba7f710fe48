/*
 * chain_gen.c - writes the synthetic chains of chain_gen.h with the
 * image writer and keeps the model of what the newest image restores.
 */
#include "config.h"
#include "chain_gen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PG IMG_PAGE_SIZE

const struct cg_gen cg_scenario[CG_NGENS] = {
	{ 4, {
		{ 0x10000000, 8, IMG_AREA_ANON, 0, "", "dddddd..", 0 },
		{ 0x20000000, 4, IMG_AREA_ANON, 0, "[heap]", "dddd", 0 },
		{ 0x30000000, 4, IMG_AREA_FILE, 0, "/lib/libfake.so", "dd..", 0 },
		{ 0x40000000, 2, IMG_AREA_ANON, 0, "", "dd", 0 },
	} },
	{ 4, {
		{ 0x10000000, 8, IMG_AREA_ANON, 1, "", "..ddz...", 0 },
		{ 0x20000000, 6, IMG_AREA_ANON, 1, "[heap]", "d...dd", 0 },
		{ 0x30000000, 4, IMG_AREA_FILE, 1, "/lib/libfake.so", "....", 0 },
		{ 0x50000000, 3, IMG_AREA_ANON, 0, "", "ddd", 0 },
	} },
	{ 5, {
		{ 0x10000000, 8, IMG_AREA_ANON, 1, "", "...d..d.", 0 },
		{ 0x20000000, 6, IMG_AREA_ANON, 1, "[heap]", ".....z", 0 },
		{ 0x30000000, 4, IMG_AREA_FILE, 1, "/lib/libfake.so", "..d.", 0 },
		{ 0x40000000, 2, IMG_AREA_ANON, 1, "", ".d", 0 },
		{ 0x50000000, 3, IMG_AREA_ANON, 1, "", ".d.", 0 },
	} },
};

static void fill(unsigned g, uint64_t addr, unsigned char *p)
{
	for (size_t i = 0; i < PG; i += 8) {
		uint64_t v = (g + 1) * 0x0101010101010101ull ^ (addr + i) ^
			     (i * 0x9e3779b97f4a7c15ull);

		memcpy(p + i, &v, 8);
	}
}

static uint32_t page_pflags(const struct cg_area *a)
{
	return a->kind == IMG_AREA_FILE ? IMG_PF_FILE_CLEAN : 0;
}

static void fill_meta(unsigned g, unsigned nareas, struct img_proc *p,
		      struct img_thread *t)
{
	memset(p, 0, sizeof(*p));
	memset(t, 0, sizeof(*t));
	p->pid = 777;
	p->ppid = 1;
	p->nthreads = 1;
	p->nareas = nareas;
	p->generation = g + 1;
	strcpy(p->comp_id, "chain-comp");
	strcpy(p->unique_id, "chain-777");
	strcpy(p->progname, "chainprog");
	t->tid = 777;
	strcpy(t->name, "chainprog");
	t->regs.rip = 0x10000000 + 16;
}

static int write_head(struct img_writer *w, unsigned g, unsigned nareas)
{
	struct img_proc p;
	struct img_thread t;

	fill_meta(g, nareas, &p, &t);
	return img_write_rec(w, IMG_REC_PROC, &p, sizeof(p));
}

static int write_tail_meta(struct img_writer *w, unsigned g)
{
	static const char env[] = "A=1\0CHAIN=yes";
	static const char cmd[] = "chainprog\0--gen";
	struct img_proc p;
	struct img_thread t;

	fill_meta(g, 0, &p, &t);
	if (img_write_rec(w, IMG_REC_THREAD, &t, sizeof(t)) < 0 ||
	    img_write_rec(w, IMG_REC_ENV, env, sizeof(env)) < 0 ||
	    img_write_rec(w, IMG_REC_CMDLINE, cmd, sizeof(cmd)) < 0)
		return -1;
	return 0;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* the view of generation g from the previous one (prev may be empty) */
static int update_view(const struct cg_gen *gen, unsigned g,
		       struct cg_view *v)
{
	struct cg_view nv = { .nareas = gen->nareas };

	for (unsigned i = 0; i < gen->nareas; i++) {
		const struct cg_area *a = &gen->a[i];

		nv.a[i].start = a->start;
		nv.a[i].npages = a->npages;
		nv.a[i].pages = calloc(a->npages, sizeof(struct cg_page));
		if (!nv.a[i].pages)
			return -1;
		for (unsigned p = 0; p < a->npages; p++) {
			struct cg_page *pg = &nv.a[i].pages[p];
			uint64_t addr = a->start + (uint64_t)p * PG;

			if (a->op[p] == 'd') {
				pg->stored = 1;
				fill(g, addr, pg->data);
			} else if (a->op[p] == 'z') {
				pg->stored = 1;
			} else if (a->delta) {
				for (unsigned j = 0; j < v->nareas; j++) {
					uint64_t s = v->a[j].start;

					if (addr >= s && addr < s +
					    (uint64_t)v->a[j].npages * PG) {
						*pg = v->a[j].pages[(addr - s) /
								    PG];
						break;
					}
				}
			}
		}
	}
	cg_view_free(v);
	*v = nv;
	return 0;
}

static int write_areas(struct img_writer *w, const struct cg_gen *gen,
		       unsigned g)
{
	unsigned char *buf = malloc((size_t)CG_MAXPAGES * PG);

	if (!buf)
		return -1;
	for (unsigned i = 0; i < gen->nareas; i++) {
		const struct cg_area *a = &gen->a[i];
		struct img_area ar = { 0 };
		unsigned p = 0;

		ar.start = a->start;
		ar.end = a->start + (uint64_t)a->npages * PG;
		ar.kind = a->kind;
		ar.prot = IMG_PROT_READ | IMG_PROT_WRITE;
		ar.flags = (a->delta ? IMG_AF_DELTA : 0) | a->flags;
		for (unsigned k = 0; k < a->npages; k++)
			if (a->op[k] != '.')
				ar.stored_bytes += PG;
		if (img_write_area(w, &ar, a->path) < 0)
			goto fail;
		while (p < a->npages) {
			unsigned q = p;
			char op = a->op[p];

			while (q < a->npages && a->op[q] == op)
				q++;
			if (op == 'd') {
				for (unsigned k = p; k < q; k++)
					fill(g, a->start + (uint64_t)k * PG,
					     buf + (size_t)(k - p) * PG);
				if (img_write_pages(w, a->start + (uint64_t)p *
						    PG, buf, (size_t)(q - p) *
						    PG, page_pflags(a)) < 0)
					goto fail;
			} else if (op == 'z' &&
				   img_write_zero_pages(w, a->start +
					(uint64_t)p * PG, (size_t)(q - p) *
					PG) < 0) {
				goto fail;
			}
			p = q;
		}
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

static int open_out(const char *path)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		fprintf(stderr, "chain_gen: %s: %s\n", path, strerror(errno));
	return fd;
}

int cg_write_gen(const struct cg_gen *gens, unsigned g, const char *path,
		 const char *parent_path, const struct cg_opts *o,
		 struct cg_view *view)
{
	static const struct cg_opts none;
	const struct cg_gen *gen = &gens[g];
	struct img_writer w;
	struct img_ident id;
	char err[512];
	int fd, rc = -1;

	if (!o)
		o = &none;
	if (parent_path && img_read_ident(parent_path, &id, err,
					  sizeof(err)) < 0) {
		fprintf(stderr, "chain_gen: %s\n", err);
		return -1;
	}
	fd = open_out(path);
	if (fd < 0)
		return -1;
	if (img_writer_open(&w, fd, o->flags | (parent_path ? IMG_F_DELTA : 0),
			    1700000000 + g) < 0 ||
	    write_head(&w, g, gen->nareas) < 0)
		goto out;
	if (parent_path &&
	    img_write_parent(&w, o->parent_id ? o->parent_id : id.image_id,
			     id.generation, o->depth ? o->depth :
			     (id.is_delta ? id.parent.depth + 1 : 1),
			     o->parent_name ? o->parent_name :
			     base(parent_path)) < 0)
		goto out;
	if (write_tail_meta(&w, g) < 0 || write_areas(&w, gen, g) < 0 ||
	    img_writer_finish(&w) < 0)
		goto out;
	if (view && update_view(gen, g, view) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "chain_gen: writing %s: %s\n", path,
			strerror(errno));
	img_writer_close(&w);
	close(fd);
	return rc;
}

int cg_write_chain(const char *dir, const char *prefix, uint32_t flags,
		   char *paths[CG_NGENS], struct cg_view *view)
{
	struct cg_opts o = { .flags = flags };

	memset(view, 0, sizeof(*view));
	for (unsigned g = 0; g < CG_NGENS; g++) {
		size_t n = strlen(dir) + strlen(prefix) + 32;

		paths[g] = malloc(n);
		if (!paths[g])
			return -1;
		snprintf(paths[g], n, "%s/%s_%05u.dmtcp", dir, prefix, g + 1);
		if (cg_write_gen(cg_scenario, g, paths[g],
				 g ? paths[g - 1] : NULL, &o, view) < 0)
			return -1;
	}
	return 0;
}

int cg_write_expected(const struct cg_gen *gens, unsigned g,
		      const struct cg_view *view, const char *path,
		      uint32_t flags)
{
	const struct cg_gen *gen = &gens[g];
	unsigned char *buf = malloc((size_t)CG_MAXPAGES * PG);
	struct img_writer w;
	int fd = open_out(path), rc = -1;

	if (fd < 0 || !buf)
		goto out_free;
	if (img_writer_open(&w, fd, flags, 1700000000 + g) < 0 ||
	    write_head(&w, g, gen->nareas) < 0 ||
	    write_tail_meta(&w, g) < 0)
		goto out;
	for (unsigned i = 0; i < gen->nareas; i++) {
		const struct cg_area *a = &gen->a[i];
		const struct cg_page *pg = view->a[i].pages;
		struct img_area ar = { 0 };
		unsigned p = 0;

		ar.start = a->start;
		ar.end = a->start + (uint64_t)a->npages * PG;
		ar.kind = a->kind;
		ar.prot = IMG_PROT_READ | IMG_PROT_WRITE;
		for (unsigned k = 0; k < a->npages; k++)
			ar.stored_bytes += pg[k].stored ? PG : 0;
		if (img_write_area(&w, &ar, a->path) < 0)
			goto out;
		while (p < a->npages) {
			unsigned q = p;

			if (!pg[p].stored) {
				p++;
				continue;
			}
			while (q < a->npages && pg[q].stored) {
				memcpy(buf + (size_t)(q - p) * PG, pg[q].data,
				       PG);
				q++;
			}
			/* the merge keeps FILE_CLEAN of data, not of zeros:
			   only data pages here in file areas */
			if (img_write_pages(&w, a->start + (uint64_t)p * PG,
					    buf, (size_t)(q - p) * PG,
					    page_pflags(a)) < 0)
				goto out;
			p = q;
		}
	}
	if (img_writer_finish(&w) < 0)
		goto out;
	rc = 0;
out:
	img_writer_close(&w);
out_free:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (rc < 0)
		fprintf(stderr, "chain_gen: writing %s: %s\n", path,
			strerror(errno));
	return rc;
}

void cg_view_free(struct cg_view *view)
{
	for (unsigned i = 0; i < view->nareas; i++)
		free(view->a[i].pages);
	view->nareas = 0;
}
