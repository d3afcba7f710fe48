/*
 * test_image_chain.c - incremental images (IMG_F_DELTA) and their
 * chains: synthetic chains (chain_gen.c: a full image and two deltas
 * with changed pages, zero pages, an area that grew, one that went away,
 * a new one, one mapped again where only the grandparent had it), raw
 * and gzip, resolved and merged (img-chain.c) and checked page by page
 * against the model and byte for byte against the full image the merge
 * must equal; broken chains refused with a message naming both files
 * (missing parent, another image at its name, corrupt parent, depth,
 * loop, too long, bad names), the writer's and reader's new rules, and
 * random garbage in PARENT refused cleanly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "chain_gen.h"
#include "img-chain.h"
#include "test_image_util.h"

#define PG IMG_PAGE_SIZE
/* the PARENT record: right after PROC (at 4096, 48 + 9048 bytes) */
#define PARENT_OFF (IMG_HEADER_SPACE + sizeof(struct img_rec) + \
		    sizeof(struct img_proc))

struct cx {
	char *dir;
	char *p[CG_NGENS];
	struct cg_view view;
	char err[2048];
};

static struct cx *chain_new(uint32_t flags)
{
	struct cx *x = calloc(1, sizeof(*x));
	char *d = ti_tmpname("chain");

	assert_non_null(x);
	assert_int_equal(mkdir(d, 0700), 0);
	x->dir = d;
	assert_int_equal(cg_write_chain(d, "ckpt_x", flags, x->p, &x->view),
			 0);
	return x;
}

static void chain_free(struct cx *x)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	assert_int_equal(system(cmd), 0);
	for (int i = 0; i < CG_NGENS; i++)
		free(x->p[i]);
	cg_view_free(&x->view);
	free(x->dir);
	free(x);
}

static char *path_in(const struct cx *x, const char *name)
{
	char *p = malloc(strlen(x->dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", x->dir, name);
	return p;
}

/* Every page of the merged image at path against the model */
static void check_merged(const char *path, const struct cg_view *v,
			 uint32_t want_flags)
{
	struct img_reader r;
	struct img_rec rec;
	char err[512];
	unsigned char *page = malloc(PG);
	unsigned char (*seen)[CG_MAXPAGES] = calloc(CG_MAXAREAS,
						    CG_MAXPAGES);
	int ai = -1, k, npages = 0;

	assert_int_equal(img_validate(path, 1, err, sizeof(err)), 0);
	assert_int_equal(img_reader_open(&r, path, err, sizeof(err)), 0);
	assert_int_equal(r.hdr.flags, want_flags);
	while ((k = img_reader_next(&r, &rec)) > 0) {
		assert_int_not_equal(rec.type, IMG_REC_PARENT);
		if (rec.type == IMG_REC_AREA) {
			ai++;
			continue;
		}
		if (rec.type != IMG_REC_PAGES)
			continue;
		assert_true(ai >= 0 && (unsigned)ai < v->nareas);
		assert_int_equal(rec.arg1 & IMG_PF_ZERO, 0);
		for (uint64_t a = rec.arg0; a < rec.arg0 + rec.raw_size;
		     a += PG) {
			uint64_t pi = (a - v->a[ai].start) / PG;
			const struct cg_page *want = &v->a[ai].pages[pi];
			size_t got = 0;

			while (got < PG) {
				ssize_t n = img_reader_read(&r, page + got,
							    PG - got);

				assert_true(n > 0);
				got += (size_t)n;
			}
			assert_true(want->stored);
			assert_memory_equal(page, want->data, PG);
			seen[ai][pi] = 1;
			npages++;
		}
	}
	assert_int_equal(k, 0);
	img_reader_close(&r);
	/* every stored page of the model is there, no fresh one */
	for (unsigned i = 0; i < v->nareas; i++)
		for (unsigned p = 0; p < v->a[i].npages; p++)
			assert_int_equal(seen[i][p], v->a[i].pages[p].stored);
	assert_true(npages > 10);
	free(page);
	free(seen);
}

static int write_merged(const struct img_chain *c, const char *path,
			uint32_t flags, char *err, size_t errcap)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc;

	assert_true(fd >= 0);
	rc = img_chain_write(c, fd, flags, err, errcap);
	close(fd);
	return rc;
}

/* the merged file equals the expected one from the first record on */
static void check_same_records(const char *a, const char *b)
{
	size_t la, lb;
	unsigned char *x = ti_slurp(a, &la), *y = ti_slurp(b, &lb);

	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(la, lb);
	assert_memory_equal(x + IMG_HEADER_SPACE, y + IMG_HEADER_SPACE,
			    la - IMG_HEADER_SPACE);
	/* the header: the same but the (new, random) image id and CRC */
	assert_memory_equal(x, y, offsetof(struct img_file_header, hdr_crc));
	assert_memory_equal(x + 32, y + 32, 8);	/* ctime_sec */
	assert_memory_not_equal(x + 40, y + 40, 16);
	free(x);
	free(y);
}

static void resolve_and_merge(uint32_t flags)
{
	struct cx *x = chain_new(flags);
	struct img_chain *c = img_chain_open(x->p[2], x->err, sizeof(x->err));
	char *out = path_in(x, "merged.dmtcp"), *outz = path_in(x, "mz.dmtcp");
	char *exp = path_in(x, "expected.dmtcp");
	const struct img_chain_area *d;

	if (!c)
		fail_msg("%s", x->err);
	assert_int_equal(c->n, 3);
	assert_int_equal(c->nareas, 5);
	/* 0x40000000: a new delta area where only gen 1 had one: page 0
	   is the fresh mapping's, not gen 1's */
	d = &c->areas[3];
	assert_int_equal(d->nruns, 1);
	assert_int_equal(d->runs[0].start, 0x40000000 + PG);
	assert_int_equal(d->runs[0].image, 0);
	assert_int_equal(d->flags, 0);
	/* area A: p0-1 gen 1, p2 gen 2, p3 gen 3, p4 zero, p5 gen 1, p6 gen 3 */
	assert_int_equal(c->areas[0].bytes, 7 * PG);
	assert_int_equal(c->areas[0].runs[0].image, 2);
	assert_int_equal(c->areas[0].runs[1].image, 1);
	assert_int_equal(c->areas[0].runs[2].image, 0);
	assert_int_equal(c->areas[0].runs[3].kind, IMG_CHAIN_ZERO);
	assert_int_equal(c->areas[0].runs[3].image, 1);

	assert_int_equal(write_merged(c, out, 0, x->err, sizeof(x->err)), 0);
	check_merged(out, &x->view, 0);
	assert_int_equal(cg_write_expected(cg_scenario, 2, &x->view, exp, 0),
			 0);
	check_same_records(out, exp);

	assert_int_equal(write_merged(c, outz, IMG_F_GZIP, x->err,
				      sizeof(x->err)), 0);
	check_merged(outz, &x->view, IMG_F_GZIP);
	img_chain_close(c);

	/* a full image is a chain of one: merging it gives it back */
	c = img_chain_open(out, x->err, sizeof(x->err));
	assert_non_null(c);
	assert_int_equal(c->n, 1);
	unlink(exp);
	assert_int_equal(write_merged(c, exp, 0, x->err, sizeof(x->err)), 0);
	check_same_records(out, exp);
	img_chain_close(c);
	free(out);
	free(outz);
	free(exp);
	chain_free(x);
}

static void test_merge_raw(void **state)
{
	(void)state;
	resolve_and_merge(0);
}

static void test_merge_gzip(void **state)
{
	(void)state;
	resolve_and_merge(IMG_F_GZIP);
}

/* the metadata dmtcp_restart checks: flattened */
static void test_take_meta(void **state)
{
	struct cx *x = chain_new(IMG_F_GZIP);
	struct img_chain *c = img_chain_open(x->p[2], x->err, sizeof(x->err));
	struct img_meta *m;

	(void)state;
	assert_non_null(c);
	m = img_chain_take_meta(c);
	assert_non_null(m);
	assert_int_equal(m->hdr.flags, 0);
	assert_string_equal(m->path, x->p[2]);
	assert_int_equal(m->areas[0].area.stored_bytes, 7 * PG);
	assert_int_equal(m->areas[0].area.flags & IMG_AF_DELTA, 0);
	assert_int_equal(m->end.page_bytes, c->bytes);
	/* the header still checks (CRC recomputed) */
	assert_int_equal(img_check_restore(m, x->err, sizeof(x->err)) == 0 ||
			 !strstr(x->err, "hdr_crc"), 1);
	img_free_meta(m);
	/* the stream is still there without the metadata */
	{
		char *out = path_in(x, "m.dmtcp");

		assert_int_equal(write_merged(c, out, 0, x->err,
					      sizeof(x->err)), 0);
		check_merged(out, &x->view, 0);
		free(out);
	}
	img_chain_close(c);
	chain_free(x);
}

static void test_ident(void **state)
{
	struct cx *x = chain_new(0);
	struct img_ident a, b;
	struct img_meta *m;

	(void)state;
	assert_int_equal(img_read_ident(x->p[1], &a, x->err,
					sizeof(x->err)), 0);
	assert_int_equal(img_read_ident(x->p[2], &b, x->err,
					sizeof(x->err)), 0);
	assert_true(a.is_delta && b.is_delta);
	assert_int_equal(a.generation, 2);
	assert_int_equal(a.parent.depth, 1);
	assert_int_equal(b.parent.depth, 2);
	assert_int_equal(b.parent.parent_generation, 2);
	assert_memory_equal(b.parent.parent_id, a.image_id, 16);
	assert_string_equal(b.parent_name, "ckpt_x_00002.dmtcp");
	assert_int_equal(img_load_meta(x->p[2], &m, x->err, sizeof(x->err)),
			 0);
	assert_string_equal(m->parent_name, "ckpt_x_00002.dmtcp");
	assert_memory_equal(m->hdr.image_id, b.image_id, 16);
	img_free_meta(m);
	assert_int_equal(img_read_ident(x->p[0], &a, x->err,
					sizeof(x->err)), 0);
	assert_false(a.is_delta);
	assert_string_equal(a.parent_name, "");
	chain_free(x);
}

/* open must fail with a message holding both strings */
static void refused(struct cx *x, const char *path, const char *s1,
		    const char *s2)
{
	struct img_chain *c = img_chain_open(path, x->err, sizeof(x->err));

	if (c)
		fail_msg("%s: chain opened", path);
	if (!strstr(x->err, s1) || (s2 && !strstr(x->err, s2)))
		fail_msg("message '%s' lacks '%s' / '%s'", x->err, s1,
			 s2 ? s2 : "");
}

static void test_missing_parent(void **state)
{
	struct cx *x = chain_new(0);
	char want[4200];

	(void)state;
	unlink(x->p[1]);
	snprintf(want, sizeof(want), "%s: its parent %s is missing", x->p[2],
		 x->p[1]);
	refused(x, x->p[2], want, NULL);
	chain_free(x);
}

static void test_parent_overwritten(void **state)
{
	struct cx *x = chain_new(IMG_F_GZIP);
	struct cg_opts o = { .flags = IMG_F_GZIP };
	char want[4200];

	(void)state;
	/* gen 2 written again: the same name, another image id */
	assert_int_equal(cg_write_gen(cg_scenario, 1, x->p[1], x->p[0], &o,
				      NULL), 0);
	snprintf(want, sizeof(want), "%s: %s is not its parent (image id "
		 "differs: overwritten?)", x->p[2], x->p[1]);
	refused(x, x->p[2], want, NULL);
	/* and its own chain is still fine */
	struct img_chain *c = img_chain_open(x->p[1], x->err, sizeof(x->err));

	assert_non_null(c);
	img_chain_close(c);
	chain_free(x);
}

static void test_corrupt_parent(void **state)
{
	struct cx *x = chain_new(0);
	size_t len;
	unsigned char *b = ti_slurp(x->p[0], &len);

	(void)state;
	/* a flipped byte in the full image's PROC record (CRC'd) */
	b[IMG_HEADER_SPACE + sizeof(struct img_rec) + 100] ^= 0x20;
	assert_int_equal(ti_spit(x->p[0], b, len), 0);
	refused(x, x->p[2], x->p[1], "CRC mismatch");
	refused(x, x->p[1], "its parent", "CRC mismatch");
	assert_non_null(strstr(x->err, x->p[0]));
	free(b);
	chain_free(x);
}

static void test_depth_mismatch(void **state)
{
	struct cx *x = chain_new(0);
	struct cg_opts o = { .depth = 3 };

	(void)state;
	assert_int_equal(cg_write_gen(cg_scenario, 2, x->p[2], x->p[1], &o,
				      NULL), 0);
	refused(x, x->p[2], "depth 3, but its parent", x->p[1]);
	/* a delta claiming a full parent over a delta one */
	o.depth = 1;
	assert_int_equal(cg_write_gen(cg_scenario, 2, x->p[2], x->p[1], &o,
				      NULL), 0);
	refused(x, x->p[2], "depth 1, but its parent", "has depth 1");
	chain_free(x);
}

static void test_loop(void **state)
{
	struct cx *x = chain_new(0);
	struct cg_opts o = { .parent_name = "ckpt_x_00003.dmtcp" };
	struct img_ident id;

	(void)state;
	/* gen 3 naming itself as its parent, with its own id */
	assert_int_equal(img_read_ident(x->p[2], &id, x->err,
					sizeof(x->err)), 0);
	o.parent_id = id.image_id;
	assert_int_equal(cg_write_gen(cg_scenario, 2, x->p[2], x->p[1], &o,
				      NULL), 0);
	refused(x, x->p[2], "is itself (a loop in the chain", NULL);
	/* gen 2 naming gen 3, which names gen 2 */
	o.parent_name = "ckpt_x_00002.dmtcp";
	o.parent_id = NULL;
	assert_int_equal(cg_write_gen(cg_scenario, 2, x->p[2], x->p[1], &o,
				      NULL), 0);
	o.parent_name = "ckpt_x_00003.dmtcp";
	assert_int_equal(cg_write_gen(cg_scenario, 1, x->p[1], x->p[2], &o,
				      NULL), 0);
	refused(x, x->p[1], "already in its chain", NULL);
	chain_free(x);
}

/* rewrite the PARENT record of a gzip image (payload given whole) */
static void patch_parent(const char *path, const void *pay, size_t plen)
{
	size_t len;
	unsigned char *b = ti_slurp(path, &len), *nb;
	struct img_rec r;

	assert_non_null(b);
	memcpy(&r, b + PARENT_OFF, sizeof(r));
	assert_int_equal(r.type, IMG_REC_PARENT);
	nb = malloc(len + plen + 64);
	memcpy(nb, b, PARENT_OFF);
	size_t rest = PARENT_OFF + sizeof(r) + r.size;

	r.size = r.raw_size = plen;
	r.crc = (uint32_t)crc32_z(0, pay, plen);
	memcpy(nb + PARENT_OFF, &r, sizeof(r));
	memcpy(nb + PARENT_OFF + sizeof(r), pay, plen);
	memcpy(nb + PARENT_OFF + sizeof(r) + plen, b + rest, len - rest);
	assert_int_equal(ti_spit(path, nb, PARENT_OFF + sizeof(r) + plen +
				 len - rest), 0);
	free(b);
	free(nb);
}

static void set_parent(const char *path, const char *name, uint32_t depth)
{
	unsigned char pay[sizeof(struct img_parent) + 300];
	struct img_parent p = { .depth = depth };
	size_t n = strlen(name);

	p.name_len = n;
	memcpy(pay, &p, sizeof(p));
	memcpy(pay + sizeof(p), name, n);
	patch_parent(path, pay, sizeof(p) + n);
}

static void test_bad_names(void **state)
{
	static const char *bad[] = { "../x", "/etc/passwd", ".", "..",
				     "a/b", "" };
	struct cx *x = chain_new(IMG_F_GZIP);
	struct img_writer w;
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct img_meta *m;

		set_parent(x->p[2], bad[i], 2);
		assert_int_equal(img_load_meta(x->p[2], &m, x->err,
					       sizeof(x->err)), -1);
		assert_non_null(strstr(x->err, x->p[2]));
		if (!strstr(x->err, "not a plain file name"))
			fail_msg("'%s': %s", bad[i], x->err);
		refused(x, x->p[2], "not a plain file name", NULL);
	}
	/* a NUL inside the name */
	set_parent(x->p[2], "ckpt_x_00002.dmtcp", 2);
	{
		size_t len;
		unsigned char *b = ti_slurp(x->p[2], &len);
		struct img_rec r;

		memcpy(&r, b + PARENT_OFF, sizeof(r));
		b[PARENT_OFF + sizeof(r) + sizeof(struct img_parent) + 4] = 0;
		r.crc = (uint32_t)crc32_z(0, b + PARENT_OFF + sizeof(r),
					  r.size);
		memcpy(b + PARENT_OFF, &r, sizeof(r));
		assert_int_equal(ti_spit(x->p[2], b, len), 0);
		free(b);
		refused(x, x->p[2], "not a plain file name", NULL);
	}
	/* a 256-byte name */
	{
		char longname[257];

		memset(longname, 'a', 256);
		longname[256] = 0;
		set_parent(x->p[2], longname, 2);
		refused(x, x->p[2], "PARENT record of 304 bytes, at most 303",
			NULL);
	}
	/* the writer refuses them in the first place */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct img_proc p = { .nthreads = 0, .nareas = 0 };
		uint8_t id[16] = { 1 };
		char *t = path_in(x, "w.dmtcp");

		unlink(t);
		fd = open(t, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(img_writer_open(&w, fd, IMG_F_DELTA, 1), 0);
		assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p,
					       sizeof(p)), 0);
		assert_int_equal(img_write_parent(&w, id, 1, 1, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		img_writer_close(&w);
		close(fd);
		free(t);
	}
	chain_free(x);
}

/* 1 full image and 64 deltas: followed; depth 65 refused */
static void test_long_chain(void **state)
{
	struct cx *x = chain_new(IMG_F_GZIP);
	struct cg_gen *gens = calloc(IMG_MAX_CHAIN + 2, sizeof(*gens));
	struct cg_opts o = { .flags = IMG_F_GZIP };
	struct cg_view v = { 0 };
	char *paths[IMG_MAX_CHAIN + 2];
	struct img_chain *c;
	struct img_meta *m;

	(void)state;
	gens[0] = cg_scenario[0];
	for (int g = 1; g <= IMG_MAX_CHAIN + 1; g++) {
		gens[g] = cg_scenario[0];
		for (unsigned i = 0; i < gens[g].nareas; i++) {
			gens[g].a[i].delta = 1;
			gens[g].a[i].op = "........";
		}
		/* one changed page in the last one */
		if (g == IMG_MAX_CHAIN)
			gens[g].a[1].op = ".d..";
	}
	for (int g = 0; g <= IMG_MAX_CHAIN; g++) {
		char name[64];

		snprintf(name, sizeof(name), "long_%05d.dmtcp", g + 1);
		paths[g] = path_in(x, name);
		assert_int_equal(cg_write_gen(gens, g, paths[g],
					      g ? paths[g - 1] : NULL, &o,
					      &v), 0);
	}
	c = img_chain_open(paths[IMG_MAX_CHAIN], x->err, sizeof(x->err));
	if (!c)
		fail_msg("%s", x->err);
	assert_int_equal(c->n, IMG_MAX_CHAIN + 1);
	{
		char *out = path_in(x, "long-merged.dmtcp");

		assert_int_equal(write_merged(c, out, 0, x->err,
					      sizeof(x->err)), 0);
		check_merged(out, &v, 0);
		free(out);
	}
	img_chain_close(c);
	/* the writer will not go deeper */
	paths[IMG_MAX_CHAIN + 1] = path_in(x, "long_00066.dmtcp");
	assert_int_equal(cg_write_gen(gens, IMG_MAX_CHAIN + 1,
				      paths[IMG_MAX_CHAIN + 1],
				      paths[IMG_MAX_CHAIN], &o, NULL), -1);
	/* a crafted depth of 65: refused by the reader */
	set_parent(paths[IMG_MAX_CHAIN], "long_00064.dmtcp",
		   IMG_MAX_CHAIN + 1);
	assert_int_equal(img_load_meta(paths[IMG_MAX_CHAIN], &m, x->err,
				       sizeof(x->err)), -1);
	assert_non_null(strstr(x->err, "depth 65, 1..64 expected"));
	/* the same depth in a valid-looking chain: not followed past 64 */
	refused(x, paths[IMG_MAX_CHAIN], "depth 65", NULL);
	for (int g = 0; g <= IMG_MAX_CHAIN + 1; g++)
		free(paths[g]);
	free(gens);
	cg_view_free(&v);
	chain_free(x);
}

static const unsigned char zpage[PG];

static void write_simple(const char *path, uint32_t flags, int parent,
			 int delta_area, int zero_page)
{
	struct img_proc p = { .nthreads = 0, .nareas = 1 };
	struct img_area a = { .start = 0x10000, .end = 0x12000,
			      .kind = IMG_AREA_ANON, .stored_bytes = PG };
	struct img_writer w;
	uint8_t id[16] = { 7 };
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(img_writer_open(&w, fd, flags, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	if (parent)
		assert_int_equal(img_write_parent(&w, id, 1, 1, "p.dmtcp"), 0);
	a.flags = delta_area ? IMG_AF_DELTA : 0;
	assert_int_equal(img_write_area(&w, &a, NULL), 0);
	if (zero_page)
		assert_int_equal(img_write_zero_pages(&w, 0x11000, PG), 0);
	else
		assert_int_equal(img_write_pages(&w, 0x11000, zpage, PG, 0), 0);
	assert_int_equal(img_writer_finish(&w), 0);
	img_writer_close(&w);
	close(fd);
}

/* pages a parent's file area left out (--skip-file-pages) and no image
   stores: the merged area needs the file unchanged too */
static void test_omitted_file_pages(void **state)
{
	static const struct cg_gen g[2] = {
		{ 1, { { 0x30000000, 4, IMG_AREA_FILE, 0, "/lib/libfake.so",
			 "d...", IMG_AF_FILE_PAGES_OMITTED } } },
		{ 1, { { 0x30000000, 4, IMG_AREA_FILE, 1, "/lib/libfake.so",
			 ".d..", 0 } } },
	};
	struct cx *x = chain_new(0);
	char *a = path_in(x, "o_1.dmtcp"), *b = path_in(x, "o_2.dmtcp");
	struct img_chain *c;
	struct img_meta *m;

	(void)state;
	assert_int_equal(cg_write_gen(g, 0, a, NULL, NULL, NULL), 0);
	assert_int_equal(cg_write_gen(g, 1, b, a, NULL, NULL), 0);
	c = img_chain_open(b, x->err, sizeof(x->err));
	assert_non_null(c);
	assert_int_equal(c->areas[0].bytes, 2 * PG);
	m = img_chain_take_meta(c);
	assert_int_equal(m->areas[0].area.flags, IMG_AF_FILE_PAGES_OMITTED);
	img_free_meta(m);
	img_chain_close(c);
	/* every page stored somewhere: no need of the file */
	{
		static const struct cg_gen h[2] = {
			{ 1, { { 0x30000000, 2, IMG_AREA_FILE, 0, "/lib/x",
				 "d.", IMG_AF_FILE_PAGES_OMITTED } } },
			{ 1, { { 0x30000000, 2, IMG_AREA_FILE, 1, "/lib/x",
				 ".d", 0 } } },
		};

		assert_int_equal(cg_write_gen(h, 0, a, NULL, NULL, NULL), 0);
		assert_int_equal(cg_write_gen(h, 1, b, a, NULL, NULL), 0);
		c = img_chain_open(b, x->err, sizeof(x->err));
		assert_non_null(c);
		assert_int_equal(c->areas[0].flags, 0);
		img_chain_close(c);
	}
	free(a);
	free(b);
	chain_free(x);
}

/* the writer's and reader's rules for the new records and flags */
static void test_rules(void **state)
{
	char *t = ti_tmpname("rules");
	struct img_proc p = { .nthreads = 0, .nareas = 1 };
	struct img_area a = { .start = 0x10000, .end = 0x12000,
			      .kind = IMG_AREA_ANON, .stored_bytes = PG };
	uint8_t id[16] = { 7 };
	struct img_writer w;
	struct img_meta *m;
	char err[1024];
	unsigned char *b;
	size_t len;
	int fd;

	(void)state;
	/* every image gets an id, two images two ids */
	{
		uint8_t id1[16];

		fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_int_equal(img_writer_open(&w, fd, 0, 1), 0);
		memcpy(id1, img_writer_id(&w), 16);
		img_writer_close(&w);
		close(fd);
		unlink(t);
		fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_int_equal(img_writer_open(&w, fd, 0, 1), 0);
		assert_memory_not_equal(id1, img_writer_id(&w), 16);
		assert_memory_not_equal(id1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
					16);
		img_writer_close(&w);
		close(fd);
		unlink(t);
	}
	/* writer: PARENT in a full image, AF_DELTA in a full image, zero
	   pages in a full area, a delta image without PARENT */
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(img_writer_open(&w, fd, 0, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	assert_int_equal(img_write_parent(&w, id, 1, 1, "p.dmtcp"), -1);
	img_writer_close(&w);
	close(fd);
	unlink(t);
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(img_writer_open(&w, fd, 0, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	a.flags = IMG_AF_DELTA;
	assert_int_equal(img_write_area(&w, &a, NULL), -1);
	img_writer_close(&w);
	close(fd);
	unlink(t);
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(img_writer_open(&w, fd, IMG_F_DELTA, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	a.flags = 0;
	assert_int_equal(img_write_area(&w, &a, NULL), -1);	/* no PARENT */
	img_writer_close(&w);
	close(fd);
	unlink(t);
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(img_writer_open(&w, fd, IMG_F_DELTA, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	assert_int_equal(img_write_parent(&w, id, 1, 0, "p.dmtcp"), -1);
	img_writer_close(&w);
	close(fd);
	unlink(t);
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(img_writer_open(&w, fd, IMG_F_DELTA, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	assert_int_equal(img_write_parent(&w, id, 1, 1, "p.dmtcp"), 0);
	assert_int_equal(img_write_area(&w, &a, NULL), 0);	/* full area */
	assert_int_equal(img_write_zero_pages(&w, 0x11000, PG), -1);
	img_writer_close(&w);
	close(fd);
	unlink(t);

	/* a good delta image with a zero page, raw and gzip */
	write_simple(t, IMG_F_DELTA, 1, 1, 1);
	assert_int_equal(img_validate(t, 1, err, sizeof(err)), 0);
	write_simple(t, IMG_F_DELTA | IMG_F_GZIP, 1, 1, 1);
	assert_int_equal(img_validate(t, 1, err, sizeof(err)), 0);
	assert_int_equal(img_load_meta(t, &m, err, sizeof(err)), 0);
	assert_int_equal(m->areas[0].page_bytes, PG);
	assert_int_equal(m->areas[0].file_bytes, 0);
	assert_string_equal(m->parent_name, "p.dmtcp");
	/* mtcp_restart's checks refuse a delta image itself */
	assert_int_equal(img_check_restore(m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "an incremental image"));
	img_free_meta(m);

	/* reader: a full image flagged delta (header CRC fixed): no PARENT */
	write_simple(t, 0, 0, 0, 0);
	b = ti_slurp(t, &len);
	{
		struct img_file_header h;

		memcpy(&h, b, sizeof(h));
		h.flags |= IMG_F_DELTA;
		h.hdr_crc = 0;
		h.hdr_crc = (uint32_t)crc32_z(0, (void *)&h, sizeof(h));
		memcpy(b, &h, sizeof(h));
	}
	assert_int_equal(ti_spit(t, b, len), 0);
	assert_int_equal(img_validate(t, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PARENT record of an incremental image "
				    "must follow PROC"));
	free(b);
	/* a delta image's zero page moved into a full area: refused */
	write_simple(t, IMG_F_DELTA, 1, 1, 1);
	b = ti_slurp(t, &len);
	{
		/* the AREA record: after PROC and PARENT ("p.dmtcp") */
		size_t at = PARENT_OFF + sizeof(struct img_rec) +
			    sizeof(struct img_parent) + 7;
		struct img_rec r;
		struct img_area ar;

		memcpy(&r, b + at, sizeof(r));
		assert_int_equal(r.type, IMG_REC_AREA);
		memcpy(&ar, b + at + sizeof(r), sizeof(ar));
		ar.flags = 0;
		memcpy(b + at + sizeof(r), &ar, sizeof(ar));
		r.crc = (uint32_t)crc32_z(0, b + at + sizeof(r), r.size);
		memcpy(b + at, &r, sizeof(r));
	}
	assert_int_equal(ti_spit(t, b, len), 0);
	assert_int_equal(img_validate(t, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "which is not incremental"));
	free(b);
	unlink(t);
	free(t);
}

/* random bytes in a delta image's PARENT record (CRC right): refused,
   never a crash, never a chain */
static void test_parent_garbage(void **state)
{
	struct cx *x = chain_new(IMG_F_GZIP);
	uint64_t rng = 0x1234567887654321ull;
	unsigned char pay[600];

	(void)state;
	for (int i = 0; i < 300; i++) {
		size_t n = ti_xorshift(&rng) % sizeof(pay);
		struct img_chain *c;
		struct img_meta *m;

		for (size_t k = 0; k < n; k++)
			pay[k] = (unsigned char)ti_xorshift(&rng);
		if (i % 3 == 0 && n >= sizeof(struct img_parent)) {
			/* a plausible header: the name length right */
			struct img_parent *p = (void *)pay;

			p->name_len = n - sizeof(*p);
			p->depth = 1 + ti_xorshift(&rng) % 3;
		}
		patch_parent(x->p[2], pay, n);
		c = img_chain_open(x->p[2], x->err, sizeof(x->err));
		assert_null(c);
		assert_non_null(strstr(x->err, x->p[2]));
		if (img_load_meta(x->p[2], &m, x->err, sizeof(x->err)) == 0)
			img_free_meta(m);	/* only if the name was plain */
	}
	chain_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_raw),
		cmocka_unit_test(test_merge_gzip),
		cmocka_unit_test(test_take_meta),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_missing_parent),
		cmocka_unit_test(test_parent_overwritten),
		cmocka_unit_test(test_corrupt_parent),
		cmocka_unit_test(test_depth_mismatch),
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_omitted_file_pages),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_parent_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
