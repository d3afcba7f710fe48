/*
 * test_decode_parallel.c - the decoder that feeds mtcp_restart inflates
 * the zlib chunks of gzip images on worker threads (src/image/img-ipool.c,
 * img_decode_to_fd_threads).  Its output must equal the serial decoding
 * byte for byte, into a pipe (vmspliced) and into a file, with 1 to 8
 * workers, for an image with multi-chunk PAGES records and one with a
 * PAGES record per page (random, all-zero and compressible pages).  A
 * corrupt chunk in the middle gives the serial decoder's message (same
 * record, same chunk offset) after a prefix of the good output; a
 * truncated image and a reader that goes away end in an error, never a
 * hang (alarm), and a missing file is named.  Clean pages of a mapped
 * file that is unchanged go out as zeros flagged RST_PF_NO_DATA, not
 * inflated; once the file changes, as the serial decoder writes them.
 * img_crc32 equals zlib's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "img-crc.h"
#include "test_image_util.h"
#include "dmtcp/restore.h"

struct image {
	char *path;
	unsigned char *buf;	/* the gzip image */
	size_t len;
	unsigned char *ref;	/* its serial decoding */
	size_t ref_len;
};

struct ctx {
	struct ti_image t;
	struct image whole;	/* a PAGES record per stored range */
	struct image pages;	/* a PAGES record per page */
	char *tmp;		/* scratch path */
	char err[1024];
};

/* a decode on a thread, into fd (closed when done) */
struct job {
	const char *path;
	int fd, nworkers, rc, errnum;
	char err[1024];
};

static void *run_job(void *arg)
{
	struct job *j = arg;

	j->rc = img_decode_to_fd_threads(j->path, j->fd, j->nworkers, j->err,
					 sizeof(j->err));
	j->errnum = errno;
	close(j->fd);
	return NULL;
}

/* decode path with nworkers into a pipe; read at most limit bytes (then
   close the read end); the bytes read are returned, *j has the result */
static unsigned char *via_pipe(const char *path, int nworkers, size_t limit,
			       size_t *len, struct job *j)
{
	size_t cap = 1 << 20, got = 0;
	unsigned char *buf = malloc(cap);
	pthread_t th;
	int p[2];
	ssize_t k;

	assert_non_null(buf);
	assert_int_equal(pipe(p), 0);
	memset(j, 0, sizeof(*j));
	j->path = path;
	j->fd = p[1];
	j->nworkers = nworkers;
	assert_int_equal(pthread_create(&th, NULL, run_job, j), 0);
	while (got < limit) {
		if (got == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		k = read(p[0], buf + got, cap - got < limit - got ?
			 cap - got : limit - got);
		assert_true(k >= 0);
		if (k == 0)
			break;
		got += k;
	}
	close(p[0]);
	assert_int_equal(pthread_join(th, NULL), 0);
	*len = got;
	return buf;
}

/* decode path with nworkers (-1: serial) into a file, slurped */
static unsigned char *via_file(struct ctx *c, const char *path, int nworkers,
			       int *rc, size_t *len)
{
	int fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	unsigned char *b;

	assert_true(fd >= 0);
	*rc = img_decode_to_fd_threads(path, fd, nworkers, c->err,
				       sizeof(c->err));
	close(fd);
	b = ti_slurp(c->tmp, len);
	assert_non_null(b);
	return b;
}

static void make(struct ctx *c, struct image *im, const char *tag,
		 unsigned per_rec)
{
	int rc;

	im->path = ti_tmpname(tag);
	ti_pages_per_rec = per_rec;
	assert_int_equal(ti_write(&c->t, im->path, IMG_F_GZIP), 0);
	ti_pages_per_rec = 0;
	im->buf = ti_slurp(im->path, &im->len);
	assert_non_null(im->buf);
	im->ref = via_file(c, im->path, -1, &rc, &im->ref_len);
	assert_int_equal(rc, 0);
	/* the heap's 64 pages, 700 + 4 of area 2, 2 of the stack */
	assert_true(im->ref_len > 770 * IMG_PAGE_SIZE);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	ti_build(&c->t, 0);
	/* area 2 (random, three ranges, ~2.8 MiB): every third page all
	   zero, every fifth compressible */
	for (size_t p = 0; p < 1000; p++) {
		unsigned char *pg = c->t.areas[2].mem + p * IMG_PAGE_SIZE;

		if (p % 3 == 1)
			memset(pg, 0, IMG_PAGE_SIZE);
		else if (p % 5 == 2)
			memset(pg, 'a' + p % 26, IMG_PAGE_SIZE);
	}
	c->tmp = ti_tmpname("out");
	make(c, &c->whole, "whole", 0);
	make(c, &c->pages, "pages", 1);
	*state = c;
	return 0;
}

static void free_image(struct image *im)
{
	unlink(im->path);
	free(im->path);
	free(im->buf);
	free(im->ref);
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	free_image(&c->whole);
	free_image(&c->pages);
	unlink(c->tmp);
	free(c->tmp);
	ti_free(&c->t);
	free(c);
	return 0;
}

static void same_bytes(struct ctx *c, struct image *im)
{
	static const int workers[] = { 1, 2, 3, 8, 0 };

	for (size_t i = 0; i < sizeof(workers) / sizeof(workers[0]); i++) {
		struct job j;
		size_t len;
		unsigned char *out = via_pipe(im->path, workers[i], SIZE_MAX,
					      &len, &j);
		int rc;

		assert_int_equal(j.rc, 0);
		assert_int_equal(len, im->ref_len);
		assert_memory_equal(out, im->ref, len);
		free(out);
		out = via_file(c, im->path, workers[i], &rc, &len);
		assert_int_equal(rc, 0);
		assert_int_equal(len, im->ref_len);
		assert_memory_equal(out, im->ref, len);
		free(out);
	}
}

static void test_same_bytes_whole(void **state)
{
	struct ctx *c = *state;

	same_bytes(c, &c->whole);
}

static void test_same_bytes_per_page(void **state)
{
	struct ctx *c = *state;

	same_bytes(c, &c->pages);
}

/* file offsets of the PAGES records and of their chunks */
struct chunk_at {
	size_t rec, chunk;
	unsigned nchunks;
};

static unsigned find_pages(const struct image *im, struct chunk_at *at,
			   unsigned max)
{
	size_t off = IMG_HEADER_SPACE;
	unsigned n = 0;

	while (off + sizeof(struct img_rec) <= im->len && n < max) {
		const struct img_rec *r = (const void *)(im->buf + off);

		if (r->type == IMG_REC_PAGES) {
			size_t p = off + sizeof(*r), end = p + r->size;

			at[n].rec = off;
			at[n].chunk = p;
			at[n].nchunks = 0;
			while (p < end) {
				const struct img_zchunk *z = (const void *)
							     (im->buf + p);

				/* the second chunk, if there is one */
				if (at[n].nchunks++ == 1)
					at[n].chunk = p;
				p += sizeof(*z) + z->comp_len;
			}
			n++;
		}
		if (r->type == IMG_REC_END)
			break;
		off += sizeof(*r) + r->size;
	}
	return n;
}

/* the message up to the chunk's offset: "PATH: record N at offset O:
   zlib chunk at offset C" (what follows is zlib's word for the damage,
   or "CRC mismatch" where zlib's stream check would see it first) */
static size_t where_len(const char *msg)
{
	const char *z = strstr(msg, "zlib chunk at offset ");

	assert_non_null(z);
	z = strchr(z + 21, ':');
	assert_non_null(z);
	return (size_t)(z - msg);
}

/* flip a byte in the middle of the data of the chunk at chunk; serial
   and parallel decoding fail naming the same record and chunk, the
   parallel one after a prefix of the good output */
static void corrupt_chunk(struct ctx *c, struct image *im, size_t chunk)
{
	const struct img_zchunk *z = (const void *)(im->buf + chunk);
	unsigned char *b = malloc(im->len);
	char *path = ti_tmpname("corrupt");
	char serial[1024];
	struct job j;
	size_t len;
	unsigned char *out;
	int rc;

	assert_non_null(b);
	memcpy(b, im->buf, im->len);
	b[chunk + sizeof(*z) + z->comp_len / 2] ^= 0x10;
	assert_int_equal(ti_spit(path, b, im->len), 0);
	free(b);
	free(via_file(c, path, -1, &rc, &len));
	assert_int_equal(rc, -1);
	snprintf(serial, sizeof(serial), "%s", c->err);
	for (int w = 1; w <= 3; w++) {
		out = via_pipe(path, w, SIZE_MAX, &len, &j);
		assert_int_equal(j.rc, -1);
		assert_int_equal(where_len(j.err), where_len(serial));
		assert_memory_equal(j.err, serial, where_len(serial));
		assert_true(len < im->ref_len);
		assert_memory_equal(out, im->ref, len);
		free(out);
	}
	snprintf(c->err, sizeof(c->err), "%s", j.err);
	unlink(path);
	free(path);
}

static void test_corrupt_chunk_middle(void **state)
{
	struct ctx *c = *state;
	struct chunk_at at[64];
	unsigned n = find_pages(&c->whole, at, 64), best = 0;

	/* the record with the most chunks, its second chunk */
	for (unsigned i = 0; i < n; i++)
		if (at[i].nchunks > at[best].nchunks)
			best = i;
	assert_true(at[best].nchunks >= 3);
	corrupt_chunk(c, &c->whole, at[best].chunk);
}

static void test_corrupt_page_record_middle(void **state)
{
	struct ctx *c = *state;
	static struct chunk_at at[1024];
	unsigned n = find_pages(&c->pages, at, 1024);
	char want[64];

	/* one PAGES record per page: the error is found by a worker while
	   the reader is records ahead, and still names the bad record */
	assert_true(n > 700);
	corrupt_chunk(c, &c->pages, at[n / 2].chunk);
	snprintf(want, sizeof(want), "at offset %zu: zlib chunk",
		 at[n / 2].rec);
	assert_non_null(strstr(c->err, want));
}

static void test_truncated(void **state)
{
	struct ctx *c = *state;
	char serial[1024];
	size_t cut[] = { c->pages.len * 3 / 5, c->whole.len / 2 };
	struct image *ims[] = { &c->pages, &c->whole };

	for (int i = 0; i < 2; i++) {
		char *path = ti_tmpname("trunc");
		struct job j;
		size_t len;
		unsigned char *out;
		int rc;

		assert_int_equal(ti_spit(path, ims[i]->buf, cut[i]), 0);
		free(via_file(c, path, -1, &rc, &len));
		assert_int_equal(rc, -1);
		snprintf(serial, sizeof(serial), "%s", c->err);
		assert_non_null(strstr(serial, "truncated"));
		out = via_pipe(path, 2, SIZE_MAX, &len, &j);
		assert_int_equal(j.rc, -1);
		assert_string_equal(j.err, serial);
		assert_int_equal(strncmp(j.err, path, strlen(path)), 0);
		assert_memory_equal(out, ims[i]->ref, len);
		free(out);
		unlink(path);
		free(path);
	}
}

/* mtcp_restart died: the decoder stops with EPIPE, does not wait for a
   reader that will never take its vmspliced pages */
static void test_reader_gone(void **state)
{
	struct ctx *c = *state;

	for (int w = 1; w <= 2; w++) {
		struct job j;
		size_t len;
		unsigned char *out = via_pipe(c->pages.path, w, 200 << 10,
					      &len, &j);

		assert_int_equal(len, 200 << 10);
		assert_memory_equal(out, c->pages.ref, len);
		assert_int_equal(j.rc, -1);
		assert_int_equal(j.errnum, EPIPE);
		assert_non_null(strstr(j.err, "writing the decoded image"));
		free(out);
	}
}

static void test_missing_file(void **state)
{
	struct ctx *c = *state;
	struct job j;
	size_t len;
	unsigned char *out = via_pipe("/nonexistent/image.dmtcp", 2, SIZE_MAX,
				      &len, &j);

	assert_int_equal(j.rc, -1);
	assert_int_equal(len, 0);
	assert_non_null(strstr(j.err, "/nonexistent/image.dmtcp"));
	free(out);
	(void)c;
}

/* the PAGES record for addr in a decoded stream: its header's offset */
static size_t pages_at(const unsigned char *b, size_t len, uint64_t addr)
{
	size_t off = IMG_HEADER_SPACE;

	while (off + sizeof(struct img_rec) <= len) {
		const struct img_rec *r = (const void *)(b + off);

		if (r->type == IMG_REC_PAGES && r->arg0 == addr)
			return off;
		off += sizeof(*r) + r->size;
	}
	fail_msg("no PAGES record for %#llx", (unsigned long long)addr);
	return 0;
}

static void test_clean_file_pages(void **state)
{
	struct ctx *c = *state;
	struct ti_area *a = &c->t.areas[1];
	size_t len = a->a.end - a->a.start, slen, plen, at, pay;
	char *file = ti_tmpname("lib"), *path = ti_tmpname("filemap");
	const char *old_path = a->path;
	struct img_area old = a->a;
	unsigned char *ser, *par;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	struct stat st;
	struct job j;
	int rc;

	/* area 1 maps a file that exists, all its pages stored clean */
	assert_int_equal(ti_spit(file, a->mem, len), 0);
	assert_int_equal(stat(file, &st), 0);
	a->path = file;
	a->a.offset = 0;
	a->a.dev = st.st_dev;
	a->a.inode = st.st_ino;
	a->a.file_size = st.st_size;
	a->a.mtime_sec = st.st_mtim.tv_sec;
	a->a.mtime_nsec = st.st_mtim.tv_nsec;
	a->a.stored_bytes = len;
	a->nranges = 1;
	a->ranges[0][0] = 0;
	a->ranges[0][1] = (unsigned)(len / IMG_PAGE_SIZE);
	assert_int_equal(ti_write(&c->t, path, IMG_F_GZIP), 0);

	ser = via_file(c, path, -1, &rc, &slen);
	assert_int_equal(rc, 0);
	par = via_pipe(path, 2, SIZE_MAX, &plen, &j);
	assert_int_equal(j.rc, 0);
	assert_int_equal(plen, slen);
	at = pages_at(ser, slen, a->a.start);
	pay = at + sizeof(struct img_rec);
	assert_int_equal(pages_at(par, plen, a->a.start), at);
	/* serial: the pages; parallel: zeros, flagged, the rest the same */
	assert_memory_equal(ser + pay, a->mem, len);
	assert_true(((struct img_rec *)(par + at))->arg1 & RST_PF_NO_DATA);
	assert_true(((struct img_rec *)(par + at))->arg1 & IMG_PF_FILE_CLEAN);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(par[pay + i], 0);
	((struct img_rec *)(par + at))->arg1 &= ~(uint64_t)RST_PF_NO_DATA;
	assert_memory_equal(par, ser, at + sizeof(struct img_rec));
	assert_memory_equal(par + pay + len, ser + pay + len,
			    slen - pay - len);
	free(par);

	/* the file changed (mtime): the pages are needed, and decoded */
	assert_int_equal(utimensat(AT_FDCWD, file, ts, 0), 0);
	par = via_pipe(path, 2, SIZE_MAX, &plen, &j);
	assert_int_equal(j.rc, 0);
	assert_int_equal(plen, slen);
	assert_memory_equal(par, ser, slen);
	free(par);
	free(ser);

	a->a = old;
	a->path = old_path;
	a->nranges = 0;
	unlink(file);
	unlink(path);
	free(file);
	free(path);
}

static void test_crc(void **state)
{
	unsigned char buf[5000];
	uint64_t s = 77;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)ti_xorshift(&s);
	for (size_t len = 0; len < sizeof(buf) - 8; len += len < 300 ? 1 : 97)
		for (size_t off = 0; off < 8; off += 3) {
			uint32_t seed = (uint32_t)ti_xorshift(&s);

			assert_int_equal(img_crc32(seed, buf + off, len),
					 (uint32_t)crc32_z(seed, buf + off,
							   len));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_same_bytes_whole),
		cmocka_unit_test(test_same_bytes_per_page),
		cmocka_unit_test(test_corrupt_chunk_middle),
		cmocka_unit_test(test_corrupt_page_record_middle),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_clean_file_pages),
	};

	signal(SIGPIPE, SIG_IGN);
	alarm(300);		/* a hang is a failure, not a stuck run */
	return cmocka_run_group_tests(tests, setup, teardown);
}
