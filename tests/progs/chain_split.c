/*
 * chain_split.c - turns a real checkpoint image into a chain of two for
 * the restart test (tests/e2e/test-restart-chain.sh):
 *   chain_split IN BASE DELTA
 * BASE is IN with every third page of memory (by address) overwritten
 * with garbage; DELTA is an incremental image whose parent is BASE: the
 * same metadata, every area IMG_AF_DELTA, storing exactly those pages
 * again (all-zero ones as IMG_PF_ZERO records).  Restarting DELTA must
 * give IN's memory; restarting BASE alone would not.  BASE and DELTA
 * are in one directory (the PARENT record names BASE's base name), and
 * are compressed when IN is.
 */
#include "config.h"
#include "img.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PG IMG_PAGE_SIZE
#define CHUNK (1u << 20)

static char err[2048];

static int fail(const char *what)
{
	fprintf(stderr, "chain_split: %s: %s\n", what,
		err[0] ? err : strerror(errno));
	return 1;
}

static int mine(uint64_t addr)
{
	return (addr / PG) % 3 == 0;
}

/* pass 1: per area, the bytes of its stored pages DELTA stores */
static uint64_t *delta_bytes(const char *in, size_t *n)
{
	struct img_reader r;
	struct img_rec rec;
	uint64_t *v = NULL;
	size_t cap = 0;
	int k;

	*n = 0;
	if (img_reader_open(&r, in, err, sizeof(err)) < 0)
		return NULL;
	while ((k = img_reader_next(&r, &rec)) > 0) {
		if (rec.type == IMG_REC_AREA) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				v = realloc(v, cap * sizeof(*v));
				if (!v)
					return NULL;
			}
			v[(*n)++] = 0;
		} else if (rec.type == IMG_REC_PAGES) {
			for (uint64_t a = rec.arg0; a < rec.arg0 + rec.raw_size;
			     a += PG)
				if (mine(a))
					v[*n - 1] += PG;
		}
	}
	img_reader_close(&r);
	return k < 0 ? NULL : v;
}

static int open_out(const char *path)
{
	unlink(path);
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

static int is_zero(const unsigned char *p)
{
	for (size_t i = 0; i < PG; i++)
		if (p[i])
			return 0;
	return 1;
}

/* a PAGES record of IN, into both */
static int split_pages(struct img_reader *r, const struct img_rec *rec,
		       struct img_writer *wb, struct img_writer *wd,
		       unsigned char *buf)
{
	uint64_t at = rec->arg0;
	ssize_t k;

	while (at < rec->arg0 + rec->raw_size) {
		size_t got = 0, want = rec->arg0 + rec->raw_size - at;

		if (want > CHUNK)
			want = CHUNK;
		while (got < want) {
			k = img_reader_read(r, buf + got, want - got);
			if (k <= 0)
				return -1;
			got += (size_t)k;
		}
		for (size_t o = 0; o < want; o += PG) {
			if (!mine(at + o))
				continue;
			if (is_zero(buf + o) ?
			    img_write_zero_pages(wd, at + o, PG) < 0 :
			    img_write_pages(wd, at + o, buf + o, PG,
					    (uint32_t)rec->arg1) < 0)
				return -1;
			memset(buf + o, 0x5a, PG);	/* BASE: garbage */
		}
		if (img_write_pages(wb, at, buf, want, (uint32_t)rec->arg1 &
				    ~(uint32_t)IMG_PF_FILE_CLEAN) < 0)
			return -1;
		at += want;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct img_writer wb, wd;
	struct img_reader r;
	struct img_rec rec;
	unsigned char *buf = malloc(CHUNK);
	const char *bname;
	uint64_t *dbytes;
	size_t nareas, ai = 0;
	int fb, fdd, k;

	if (argc != 4 || !buf) {
		fprintf(stderr, "usage: chain_split IN BASE DELTA\n");
		return 2;
	}
	bname = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
	dbytes = delta_bytes(argv[1], &nareas);
	if (!dbytes)
		return fail(argv[1]);
	if (img_reader_open(&r, argv[1], err, sizeof(err)) < 0)
		return fail(argv[1]);
	fb = open_out(argv[2]);
	fdd = open_out(argv[3]);
	if (fb < 0 || fdd < 0)
		return fail("output");
	if (img_writer_open(&wb, fb, r.hdr.flags, r.hdr.ctime_sec) < 0 ||
	    img_writer_open(&wd, fdd, r.hdr.flags | IMG_F_DELTA,
			    r.hdr.ctime_sec) < 0)
		return fail("writer");
	while ((k = img_reader_next(&r, &rec)) > 0) {
		void *p = NULL;
		size_t len = 0;
		int rc = 0;

		if (rec.type == IMG_REC_PAD)
			continue;
		if (rec.type == IMG_REC_PAGES) {
			if (split_pages(&r, &rec, &wb, &wd, buf) < 0)
				return fail("pages");
			continue;
		}
		if (rec.type == IMG_REC_FILEDATA) {
			ssize_t n;
			uint64_t at = rec.arg0;

			while ((n = img_reader_read(&r, buf, CHUNK)) > 0) {
				if (img_write_filedata(&wb, at, buf, n) < 0 ||
				    img_write_filedata(&wd, at, buf, n) < 0)
					return fail("filedata");
				at += (uint64_t)n;
			}
			if (n < 0)
				return fail("filedata");
			continue;
		}
		if (img_reader_read_all(&r, 1u << 26, &p, &len) < 0)
			return fail(argv[1]);
		if (rec.type == IMG_REC_PROC) {
			const struct img_proc *pr = p;

			rc = img_write_rec(&wb, rec.type, p, len) < 0 ||
			     img_write_rec(&wd, rec.type, p, len) < 0 ||
			     img_write_parent(&wd, img_writer_id(&wb),
					      pr->generation, 1, bname) < 0;
		} else if (rec.type == IMG_REC_FILE) {
			const char *path = (char *)p + sizeof(struct img_file);

			rc = img_write_file(&wb, p, path) < 0 ||
			     img_write_file(&wd, p, path) < 0;
		} else if (rec.type == IMG_REC_AREA) {
			struct img_area a;
			const char *path = (char *)p + sizeof(a);

			memcpy(&a, p, sizeof(a));
			rc = ai >= nareas || img_write_area(&wb, &a, path) < 0;
			a.flags |= IMG_AF_DELTA;
			a.stored_bytes = rc ? 0 : dbytes[ai++];
			rc = rc || img_write_area(&wd, &a, path) < 0;
		} else if (rec.type == IMG_REC_END) {
			rc = img_writer_finish(&wb) < 0 ||
			     img_writer_finish(&wd) < 0;
		} else {
			rc = img_write_rec(&wb, rec.type, p, len) < 0 ||
			     img_write_rec(&wd, rec.type, p, len) < 0;
		}
		free(p);
		if (rc)
			return fail(img_rec_name(rec.type));
	}
	if (k < 0)
		return fail(argv[1]);
	img_reader_close(&r);
	img_writer_close(&wb);
	img_writer_close(&wd);
	if (close(fb) < 0 || close(fdd) < 0)
		return fail("close");
	free(dbytes);
	free(buf);
	return 0;
}
