/*
 * test_image.c - image library round trips: write raw and gzip images
 * of a synthetic process, read them back (metadata and page data),
 * check raw page alignment, decode gzip to the raw byte stream, the
 * writer's refusal of out-of-order records, and the SNAP record (a
 * snapshot's tag, trigger and crash) read back and checked.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_image_util.h"

static int setup(void **state)
{
	*state = ti_ctx_new(0);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ti_ctx_free(*state);
	return 0;
}

static void check_meta(struct ti_ctx *c, const char *path, uint32_t flags)
{
	struct img_meta *m = NULL;
	unsigned i;

	assert_int_equal(img_load_meta(path, &m, c->err, sizeof(c->err)), 0);
	assert_non_null(m);
	assert_int_equal(m->hdr.flags, flags);
	assert_int_equal(m->hdr.ctime_sec, c->t.ctime);
	assert_memory_equal(&m->proc, &c->t.proc, sizeof(m->proc));
	assert_int_equal(m->nthreads, TI_NTHREADS);
	assert_memory_equal(m->threads, c->t.threads, sizeof(c->t.threads));
	assert_int_equal(m->nfds, TI_NFDS);
	for (i = 0; i < TI_NFDS; i++)
		assert_string_equal(m->fds[i].path, c->t.fd_paths[i]);
	assert_int_equal(m->fds[1].fd.fd, 5);
	assert_int_equal(m->fds[1].fd.offset, 5 * 1234);
	assert_int_equal(m->env_len, c->t.env_len);
	assert_memory_equal(m->env, c->t.env, c->t.env_len);
	assert_string_equal(m->envv[0], "HOME=/home/u");
	assert_string_equal(m->envv[2], "X=1");
	assert_null(m->envv[3]);
	assert_string_equal(m->argv[2], "arg two");
	assert_null(m->argv[3]);
	assert_int_equal(m->auxv_len, 6);
	assert_memory_equal(m->auxv, c->t.auxv, sizeof(c->t.auxv));
	assert_int_equal(m->nareas, TI_NAREAS);
	for (i = 0; i < TI_NAREAS; i++) {
		const struct ti_area *a = &c->t.areas[i];
		struct img_area want = a->a;

		want.path_len = a->path ? strlen(a->path) : 0;
		assert_memory_equal(&m->areas[i].area, &want, sizeof(want));
		assert_string_equal(m->areas[i].path, a->path ? a->path : "");
		assert_int_equal(m->areas[i].npages, a->nranges);
		assert_int_equal(m->areas[i].page_bytes, a->a.stored_bytes);
		if (!(flags & IMG_F_GZIP))
			assert_int_equal(m->areas[i].file_bytes,
					 a->a.stored_bytes);
	}
	assert_int_equal(m->end.page_bytes, (20 + 44 + 704 + 2) * 4096ull);
	img_free_meta(m);
}

/* read every PAGES record back and compare with the source memory */
static void check_pages(struct ti_ctx *c, const char *path, int gzip)
{
	struct img_reader r;
	struct img_rec rec;
	unsigned char *buf = malloc(8 << 20);
	int area = -1, rc;
	unsigned range = 0;

	assert_int_equal(img_reader_open(&r, path, c->err, sizeof(c->err)),
			 0);
	while ((rc = img_reader_next(&r, &rec)) > 0) {
		const struct ti_area *a;
		size_t got = 0, off;
		ssize_t k;

		if (rec.type == IMG_REC_AREA) {
			area++;
			range = 0;
		}
		if (rec.type != IMG_REC_PAGES)
			continue;
		a = &c->t.areas[area];
		off = (size_t)a->ranges[range][0] * IMG_PAGE_SIZE;
		assert_int_equal(rec.arg0, a->a.start + off);
		assert_int_equal(rec.raw_size,
				 (size_t)a->ranges[range][1] * IMG_PAGE_SIZE);
		assert_int_equal(rec.arg1, area == 1 ? IMG_PF_FILE_CLEAN : 0);
		if (gzip) {
			assert_int_equal(rec.flags, IMG_RF_ZCHUNKS);
		} else {
			assert_int_equal(rec.flags, 0);
			assert_int_equal(rec.size, rec.raw_size);
			/* big runs page aligned, small ones packed */
			if (rec.raw_size >= IMG_RAW_ALIGN_MIN)
				assert_int_equal((r.rec_off + sizeof(rec)) %
						 4096, 0);
		}
		while ((k = img_reader_read(&r, buf + got, 100000)) > 0)
			got += k;
		assert_int_equal(k, 0);
		assert_int_equal(got, rec.raw_size);
		assert_memory_equal(buf, a->mem + off, got);
		range++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(area, TI_NAREAS - 1);
	img_reader_close(&r);
	free(buf);
}

static void test_roundtrip_raw(void **state)
{
	struct ti_ctx *c = *state;

	check_meta(c, c->raw, 0);
	check_pages(c, c->raw, 0);
	assert_int_equal(img_validate(c->raw, 1, c->err, sizeof(c->err)), 0);
	assert_int_equal(img_validate(c->raw, 0, c->err, sizeof(c->err)), 0);
}

static void test_roundtrip_gzip(void **state)
{
	struct ti_ctx *c = *state;
	size_t rl, gl;
	unsigned char *rb = ti_slurp(c->raw, &rl), *gb = ti_slurp(c->gz, &gl);

	check_meta(c, c->gz, IMG_F_GZIP);
	check_pages(c, c->gz, 1);
	assert_int_equal(img_validate(c->gz, 1, c->err, sizeof(c->err)), 0);
	assert_int_equal(img_validate(c->gz, 0, c->err, sizeof(c->err)), 0);
	/* the compressible heap makes it smaller */
	assert_true(gl < rl);
	free(rb);
	free(gb);
}

/* decode through a pipe into a buffer */
static unsigned char *decode_via_pipe(struct ti_ctx *c, const char *path,
				      size_t *len, int *rc)
{
	int p[2];
	pid_t pid;
	size_t cap = 16 << 20, n = 0;
	unsigned char *buf = malloc(cap);
	ssize_t k;
	int st;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(img_decode_to_fd(path, p[1], c->err, sizeof(c->err)) ?
		      1 : 0);
	}
	close(p[1]);
	while ((k = read(p[0], buf + n, cap - n)) > 0)
		n += k;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	*len = n;
	return buf;
}

/* Two writes of one image: the same bytes but the header's image_id
 * (random, one per image written) and the header CRC over it */
static void assert_same_image(const unsigned char *a, const unsigned char *b,
			      size_t len)
{
	size_t id = offsetof(struct img_file_header, image_id);

	assert_memory_equal(a, b, offsetof(struct img_file_header, hdr_crc));
	assert_memory_equal(a + 32, b + 32, id - 32);
	assert_memory_equal(a + id + 16, b + id + 16, len - id - 16);
}

static void test_decode_gzip_equals_raw(void **state)
{
	struct ti_ctx *c = *state;
	size_t rl, dl;
	unsigned char *rb = ti_slurp(c->raw, &rl);
	int rc;
	unsigned char *db = decode_via_pipe(c, c->gz, &dl, &rc);

	assert_int_equal(rc, 0);
	assert_int_equal(dl, rl);
	assert_same_image(db, rb, rl);
	free(db);
	/* decoding a raw image reproduces it */
	db = decode_via_pipe(c, c->raw, &dl, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(dl, rl);
	assert_memory_equal(db, rb, rl);
	free(db);
	free(rb);
}

static void test_raw_to_pipe(void **state)
{
	struct ti_ctx *c = *state;
	size_t rl, n = 0, cap = 16 << 20;
	unsigned char *rb = ti_slurp(c->raw, &rl), *buf = malloc(cap);
	int p[2], st;
	pid_t pid;
	ssize_t k;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (ti_write_fd(&c->t, p[1], 0) < 0) {
			fprintf(stderr, "writer: %s\n", strerror(errno));
			_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	while ((k = read(p[0], buf + n, cap - n)) > 0)
		n += k;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(n, rl);
	assert_same_image(buf, rb, rl);
	free(buf);
	free(rb);
}

static void test_gzip_needs_seekable(void **state)
{
	struct img_writer w;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(img_writer_open(&w, p[1], IMG_F_GZIP, 0), -1);
	assert_int_equal(errno, ESPIPE);
	img_writer_close(&w);
	close(p[0]);
	close(p[1]);
}

/* fd emptied, a raw writer on it that wrote the PROC record */
static void writer_after_proc(struct ti_ctx *c, struct img_writer *w, int fd)
{
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(img_writer_open(w, fd, 0, 0), 0);
	assert_int_equal(img_write_rec(w, IMG_REC_PROC, &c->t.proc,
				       sizeof(c->t.proc)), 0);
}

static void test_writer_order(void **state)
{
	struct ti_ctx *c = *state;
	struct img_writer w;
	struct img_area a = c->t.areas[0].a;
	char *path = ti_tmpname("order");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char page[4096] = { 0 };

	/* first record must be PROC */
	assert_int_equal(img_writer_open(&w, fd, 0, 0), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_ENV, "A=1", 4), -1);
	assert_int_equal(errno, EINVAL);
	/* dead after a failure */
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &c->t.proc,
				       sizeof(c->t.proc)), -1);
	img_writer_close(&w);

	/* pages outside the area, or more than stored_bytes */
	writer_after_proc(c, &w, fd);
	assert_int_equal(img_write_pages(&w, a.start, page, 4096, 0), -1);
	img_writer_close(&w);

	writer_after_proc(c, &w, fd);
	a.stored_bytes = 4096;
	assert_int_equal(img_write_area(&w, &a, "x"), 0);
	assert_int_equal(img_write_pages(&w, a.end, page, 4096, 0), -1);
	img_writer_close(&w);

	/* finish with missing threads */
	writer_after_proc(c, &w, fd);
	assert_int_equal(img_writer_finish(&w), -1);
	assert_int_equal(errno, EINVAL);
	img_writer_close(&w);

	/* not at offset 0 */
	assert_int_equal(lseek(fd, 10, SEEK_SET), 10);
	assert_int_equal(img_writer_open(&w, fd, 0, 0), -1);
	img_writer_close(&w);
	close(fd);
	unlink(path);
	free(path);
}

/* ti_write's hook after CMDLINE: the SNAP records of snap_test */
static struct img_snap snap_rec;
static int snap_count;

static int write_snaps(struct img_writer *w)
{
	for (int i = 0; i < snap_count; i++)
		if (img_write_rec(w, IMG_REC_SNAP, &snap_rec,
				  sizeof(snap_rec)) < 0)
			return -1;
	return 0;
}

static void test_snap_record(void **state)
{
	struct ti_ctx *c = *state;
	struct img_meta *m = NULL;
	char *path = ti_tmpname("snap");

	memset(&snap_rec, 0, sizeof(snap_rec));
	snap_rec.trigger = IMG_SNAP_CRASH;
	snap_rec.flags = IMG_SNAPF_TIMELINE | IMG_SNAPF_SIGINFO;
	snap_rec.prev_generation = 7;
	snap_rec.sig_signo = 11;
	snap_rec.sig_addr = 0x10;
	snap_rec.ckpt_usec = 5000000;
	snap_rec.start_usec = 1000000;
	strcpy(snap_rec.tag, "after parse");
	ti_write_files = write_snaps;

	/* one: read back whole; the restorer's record checks skip it (the
	   synthetic image is refused later: it has no hand-off stack) */
	snap_count = 1;
	assert_int_equal(ti_write(&c->t, path, 0), 0);
	assert_int_equal(img_load_meta(path, &m, c->err, sizeof(c->err)), 0);
	assert_true(m->has_snap);
	assert_memory_equal(&m->snap, &snap_rec, sizeof(snap_rec));
	img_free_meta(m);
	assert_int_equal(img_check_restore_file(path, c->err,
						sizeof(c->err)), -1);
	assert_null(strstr(c->err, "SNAP"));
	assert_null(strstr(c->err, "record type"));

	/* two: the writer refuses the second */
	snap_count = 2;
	assert_int_equal(ti_write(&c->t, path, 0), -1);

	/* a tag without its NUL, an unknown trigger: refused by readers */
	snap_count = 1;
	memset(snap_rec.tag, 'x', sizeof(snap_rec.tag));
	assert_int_equal(ti_write(&c->t, path, 0), 0);
	assert_int_equal(img_load_meta(path, &m, c->err, sizeof(c->err)), -1);
	assert_non_null(strstr(c->err, "not NUL-terminated"));
	strcpy(snap_rec.tag, "ok");
	snap_rec.trigger = 99;
	assert_int_equal(ti_write(&c->t, path, 0), 0);
	assert_int_equal(img_load_meta(path, &m, c->err, sizeof(c->err)), -1);
	assert_non_null(strstr(c->err, "unknown trigger 99"));

	/* none (an older image): has_snap 0 */
	snap_count = 0;
	assert_int_equal(ti_write(&c->t, path, 0), 0);
	assert_int_equal(img_load_meta(path, &m, c->err, sizeof(c->err)), 0);
	assert_false(m->has_snap);
	img_free_meta(m);
	ti_write_files = NULL;
	unlink(path);
	free(path);
}

static void test_gzip_level_env(void **state)
{
	struct ti_ctx *c = *state;
	char *p = ti_tmpname("lvl9");
	size_t l1, l9;
	unsigned char *b1 = ti_slurp(c->gz, &l1), *b9;

	setenv("DMTCP_GZIP_LEVEL", "9", 1);
	assert_int_equal(ti_write(&c->t, p, IMG_F_GZIP), 0);
	unsetenv("DMTCP_GZIP_LEVEL");
	b9 = ti_slurp(p, &l9);
	assert_true(l9 <= l1);
	assert_int_equal(img_validate(p, 1, c->err, sizeof(c->err)), 0);
	check_pages(c, p, 1);
	unlink(p);
	free(p);
	free(b1);
	free(b9);
}

/* a PAGES record bigger than the writer's buffer: its header is patched
 * with pwrite once the compressed size is known */
static void test_gzip_large_record(void **state)
{
	struct ti_ctx *c = *state;
	size_t len = 9u << 20, i, got = 0;
	unsigned char *mem = malloc(len), *back = malloc(len);
	struct img_proc p = { .nareas = 1 };
	struct img_area a = { .start = 0x40000000, .kind = IMG_AREA_ANON };
	char *path = ti_tmpname("big");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct img_writer w;
	struct img_reader r;
	struct img_rec rec;
	uint64_t x = 12345;
	ssize_t k;

	for (i = 0; i < len; i += 8) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		memcpy(mem + i, &x, 8);
	}
	a.end = a.start + len;
	a.stored_bytes = len;
	assert_int_equal(img_writer_open(&w, fd, IMG_F_GZIP, 1), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &p, sizeof(p)), 0);
	assert_int_equal(img_write_area(&w, &a, NULL), 0);
	assert_int_equal(img_write_pages(&w, a.start, mem, len, 0), 0);
	assert_int_equal(img_writer_finish(&w), 0);
	assert_int_equal(img_writer_bytes(&w), lseek(fd, 0, SEEK_END));
	img_writer_close(&w);
	close(fd);
	assert_int_equal(img_validate(path, 1, c->err, sizeof(c->err)), 0);
	assert_int_equal(img_reader_open(&r, path, c->err, sizeof(c->err)), 0);
	while (img_reader_next(&r, &rec) > 0 && rec.type != IMG_REC_PAGES)
		;
	assert_int_equal(rec.type, IMG_REC_PAGES);
	assert_true(rec.size > len);	/* random data grows a little */
	while ((k = img_reader_read(&r, back + got, len - got)) > 0)
		got += k;
	assert_int_equal(got, len);
	assert_memory_equal(back, mem, len);
	img_reader_close(&r);
	unlink(path);
	free(path);
	free(mem);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_raw),
		cmocka_unit_test(test_roundtrip_gzip),
		cmocka_unit_test(test_decode_gzip_equals_raw),
		cmocka_unit_test(test_raw_to_pipe),
		cmocka_unit_test(test_gzip_needs_seekable),
		cmocka_unit_test(test_writer_order),
		cmocka_unit_test(test_snap_record),
		cmocka_unit_test(test_gzip_level_env),
		cmocka_unit_test(test_gzip_large_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
