/*
 * test_image_corrupt.c - the image reader against damaged images:
 * targeted corruptions (header, metadata record, zlib chunk, record
 * header, truncation, trailing garbage, wrong magic/version/arch) must
 * give the right message, and a fuzz loop (random byte flips and
 * truncations) must always end in success or a clean error, the
 * restore checks (dmtcp/restore-check.h) included.
 * TEST_FUZZ_ITERS overrides the number of fuzz iterations (e.g. a
 * smaller one under valgrind).
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
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "test_image_util.h"

struct img {
	char *path;
	unsigned char *buf;	/* pristine bytes */
	size_t len;
	uint64_t rec_off[64];	/* record offsets */
	uint32_t rec_type[64];
	unsigned nrec;
};

struct ctx {
	struct ti_image t;
	struct img raw, gz;
	char *tmp;		/* scratch image path */
	char err[1024];
};

static void index_records(struct img *im)
{
	struct img_reader r;
	struct img_rec rec;
	char err[256];

	assert_int_equal(img_reader_open(&r, im->path, err, sizeof(err)), 0);
	while (img_reader_next(&r, &rec) > 0) {
		assert_true(im->nrec < 64);
		im->rec_off[im->nrec] = r.rec_off;
		im->rec_type[im->nrec++] = rec.type;
	}
	img_reader_close(&r);
}

static int make(struct ctx *c, struct img *im, const char *tag,
		uint32_t flags)
{
	im->path = ti_tmpname(tag);
	if (ti_write(&c->t, im->path, flags) < 0)
		return -1;
	im->buf = ti_slurp(im->path, &im->len);
	index_records(im);
	return im->buf ? 0 : -1;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	ti_build(&c->t, 1);
	c->tmp = ti_tmpname("bad");
	if (make(c, &c->raw, "raw", 0) < 0 ||
	    make(c, &c->gz, "gz", IMG_F_GZIP) < 0)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	struct img *ims[] = { &c->raw, &c->gz };
	unsigned i;

	for (i = 0; i < 2; i++) {
		unlink(ims[i]->path);
		free(ims[i]->path);
		free(ims[i]->buf);
	}
	unlink(c->tmp);
	free(c->tmp);
	ti_free(&c->t);
	free(c);
	return 0;
}

/* offset of the n-th record of a type */
static uint64_t rec_at(const struct img *im, uint32_t type, unsigned n)
{
	unsigned i;

	for (i = 0; i < im->nrec; i++)
		if (im->rec_type[i] == type && n-- == 0)
			return im->rec_off[i];
	fail_msg("no record of type %u", type);
	return 0;
}

/* write a modified copy of im to c->tmp */
static unsigned char *copy(const struct img *im)
{
	unsigned char *b = malloc(im->len);

	memcpy(b, im->buf, im->len);
	return b;
}

static void put(struct ctx *c, const void *b, size_t len)
{
	assert_int_equal(ti_spit(c->tmp, b, len), 0);
}

/* the validator (and loader, if meta) must fail with a message
 * "<tmp>: ...needle..." */
static void expect_bad(struct ctx *c, int check_pages, int meta,
		       const char *needle)
{
	struct img_meta *m = NULL;

	c->err[0] = 0;
	assert_int_equal(img_validate(c->tmp, check_pages, c->err,
				      sizeof(c->err)), -1);
	if (!strstr(c->err, needle) ||
	    strncmp(c->err, c->tmp, strlen(c->tmp)))
		fail_msg("message \"%s\" lacks \"%s\"", c->err, needle);
	if (!meta)
		return;
	c->err[0] = 0;
	assert_int_equal(img_load_meta(c->tmp, &m, c->err, sizeof(c->err)),
			 -1);
	assert_null(m);
	if (!strstr(c->err, needle))
		fail_msg("loader: message \"%s\" lacks \"%s\"", c->err, needle);
}

/* a copy of im with the byte at offset at xor'd with mask is refused
 * (expect_bad) */
static void flip_bad(struct ctx *c, const struct img *im, uint64_t at,
		     unsigned mask, int check_pages, int meta,
		     const char *needle)
{
	unsigned char *b = copy(im);

	b[at] ^= mask;
	put(c, b, im->len);
	expect_bad(c, check_pages, meta, needle);
	free(b);
}

static void rehash(unsigned char *b)
{
	struct img_file_header h;

	memcpy(&h, b, sizeof(h));
	h.hdr_crc = 0;
	h.hdr_crc = crc32(0, (const Bytef *)&h, sizeof(h));
	memcpy(b, &h, sizeof(h));
}

static void test_bad_magic(void **state)
{
	struct ctx *c = *state;
	unsigned char *b = copy(&c->raw);

	b[0] = 'X';
	put(c, b, c->raw.len);
	expect_bad(c, 0, 1, "not a checkpoint image");
	put(c, "hello\n", 6);
	expect_bad(c, 0, 1, "not a checkpoint image");
	put(c, "", 0);
	expect_bad(c, 0, 1, "not a checkpoint image");
	free(b);
}

static void test_wrong_version(void **state)
{
	struct ctx *c = *state;
	unsigned char *b = copy(&c->gz);

	b[offsetof(struct img_file_header, version)] = IMG_VERSION + 1;
	rehash(b);
	put(c, b, c->gz.len);
	expect_bad(c, 0, 1, "image format v4, this build reads v3: restart "
		   "it with the release that wrote it");
	free(b);
}

static void test_wrong_arch(void **state)
{
	struct ctx *c = *state;
	unsigned char *b = copy(&c->raw);

	b[offsetof(struct img_file_header, arch)] = 183;	/* aarch64 */
	rehash(b);
	put(c, b, c->raw.len);
	expect_bad(c, 0, 1, "machine type 183");
	free(b);
}

static void test_header_flip(void **state)
{
	struct ctx *c = *state;

	flip_bad(c, &c->raw, offsetof(struct img_file_header, ctime_sec) + 1,
		 0x10, 0, 1, "file header CRC mismatch");
}

static void test_meta_flip(void **state)
{
	struct ctx *c = *state;
	struct img *ims[] = { &c->raw, &c->gz };
	char want[128];
	unsigned i;

	for (i = 0; i < 2; i++) {
		uint64_t at = rec_at(ims[i], IMG_REC_ENV, 0);

		/* PROC, 2 THREAD, FDS, ENV: record 4 */
		snprintf(want, sizeof(want), "record 4 at offset %llu: CRC "
			 "mismatch (corrupt image)", (unsigned long long)at);
		flip_bad(c, ims[i], at + sizeof(struct img_rec) + 3, 1, 0, 1,
			 want);
	}
}

static void test_area_flip(void **state)
{
	struct ctx *c = *state;
	uint64_t at = rec_at(&c->gz, IMG_REC_AREA, 1);

	flip_bad(c, &c->gz, at + sizeof(struct img_rec) +
		 offsetof(struct img_area, start) + 2, 4, 0, 1,
		 "CRC mismatch");
}

static void test_zchunk_flip(void **state)
{
	struct ctx *c = *state;
	unsigned char *b = copy(&c->gz);
	uint64_t at = rec_at(&c->gz, IMG_REC_PAGES, 3);	/* random data */
	uint64_t data = at + sizeof(struct img_rec) + sizeof(struct img_zchunk);
	struct img_meta *m = NULL;
	int fd;

	b[data + 100] ^= 0x40;
	put(c, b, c->gz.len);
	/* headers are fine: only page checks see it */
	assert_int_equal(img_validate(c->tmp, 0, c->err, sizeof(c->err)), 0);
	assert_int_equal(img_load_meta(c->tmp, &m, c->err, sizeof(c->err)),
			 0);
	img_free_meta(m);
	expect_bad(c, 1, 0, "zlib chunk at offset");
	/* the decoder stops with the error; its output is a prefix of the
	 * raw image */
	fd = open("/dev/null", O_WRONLY);
	assert_int_equal(img_decode_to_fd(c->tmp, fd, c->err,
					  sizeof(c->err)), -1);
	assert_non_null(strstr(c->err, "zlib chunk at offset"));
	close(fd);
	free(b);

	/* a flipped chunk CRC */
	flip_bad(c, &c->gz, at + sizeof(struct img_rec) +
		 offsetof(struct img_zchunk, crc), 1, 1, 0,
		 "CRC mismatch (corrupt image)");
	/* a chunk length running past the record */
	flip_bad(c, &c->gz, at + sizeof(struct img_rec) +
		 offsetof(struct img_zchunk, comp_len) + 3, 0x10, 0, 0,
		 "bad compressed length");
}

static void test_pages_header_flip(void **state)
{
	struct ctx *c = *state;
	uint64_t at = rec_at(&c->raw, IMG_REC_PAGES, 1);

	/* the address of the second PAGES record of the heap: moved back
	 * before the end of the first one */
	flip_bad(c, &c->raw, at + offsetof(struct img_rec, arg0) + 2, 0x01, 0,
		 1, "outside of area");
	flip_bad(c, &c->raw, at + offsetof(struct img_rec, magic), 0x01, 0, 1,
		 "bad record magic");
	flip_bad(c, &c->raw, at + offsetof(struct img_rec, size) + 5, 0x01, 0,
		 1, "truncated at offset");
}

static void test_truncation(void **state)
{
	struct ctx *c = *state;
	struct img *ims[] = { &c->raw, &c->gz };
	unsigned i, k, n = 0;

	for (i = 0; i < 2; i++) {
		struct img *im = ims[i];
		uint64_t cut;

		/* every record boundary, +-1, and a stride through data */
		for (k = 0; k < im->nrec; k++) {
			uint64_t o = im->rec_off[k];
			uint64_t cuts[] = { o - 1, o, o + 1, o + 47, o + 48,
					    o + 49 };
			unsigned j;

			for (j = 0; j < 6; j++) {
				if (cuts[j] >= im->len)
					continue;
				put(c, im->buf, cuts[j]);
				expect_bad(c, 0, 1, cuts[j] < 8 ?
					   "not a checkpoint image" :
					   "truncated at offset");
				n++;
			}
		}
		for (cut = 9; cut < im->len; cut += 4093) {
			put(c, im->buf, cut);
			expect_bad(c, 0, 1, "truncated at offset");
			n++;
		}
		put(c, im->buf, im->len - 1);
		expect_bad(c, 0, 1, "truncated at offset");
	}
	print_message("%u truncations checked\n", n);
}

static void test_missing_end_and_garbage(void **state)
{
	struct ctx *c = *state;
	unsigned char *b = malloc(c->raw.len + 10);
	uint64_t end = rec_at(&c->raw, IMG_REC_END, 0);

	put(c, c->raw.buf, end);
	expect_bad(c, 0, 1, "no END record");
	memcpy(b, c->raw.buf, c->raw.len);
	memset(b + c->raw.len, 0, 10);
	put(c, b, c->raw.len + 10);
	expect_bad(c, 0, 1, "garbage after the END record");
	free(b);
}

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	return ti_xorshift(&rnd_state);
}

/* every entry point must succeed or fail with a message about the file */
static void run_all(struct ctx *c, int devnull, unsigned *nok,
		    unsigned *nbad)
{
	struct img_meta *m = NULL;
	int rc[4];
	unsigned i;

	rc[0] = img_validate(c->tmp, 0, c->err, sizeof(c->err));
	rc[1] = img_validate(c->tmp, 1, c->err, sizeof(c->err));
	rc[2] = img_load_meta(c->tmp, &m, c->err, sizeof(c->err));
	/* the restore checks (mtcp_restart's and dmtcp_restart's) on the
	 * same bytes: never a crash, a message about the file otherwise
	 * (the synthetic image has no hand-off stack: always refused) */
	if (m) {
		assert_int_equal(img_check_restore(m, c->err,
						   sizeof(c->err)), -1);
		assert_int_equal(strncmp(c->err, c->tmp, strlen(c->tmp)), 0);
	}
	img_free_meta(m);
	assert_int_equal(img_check_restore_file(c->tmp, c->err,
						sizeof(c->err)), -1);
	assert_int_equal(strncmp(c->err, c->tmp, strlen(c->tmp)), 0);
	assert_int_equal(lseek(devnull, 0, SEEK_SET), 0);
	rc[3] = img_decode_to_fd(c->tmp, devnull, c->err, sizeof(c->err));
	for (i = 0; i < 4; i++) {
		if (rc[i] == 0) {
			(*nok)++;
			continue;
		}
		assert_int_equal(rc[i], -1);
		(*nbad)++;
	}
	/* the cheap check fails whenever the thorough one does not pass,
	 * except for what only page checks see */
	if (rc[0] < 0)
		assert_int_equal(rc[1], -1);
	if (rc[2] < 0 || rc[3] < 0 || rc[1] < 0)
		assert_int_equal(strncmp(c->err, c->tmp, strlen(c->tmp)), 0);
}

static void fuzz(struct ctx *c, struct img *im, unsigned iters)
{
	int fd = open(c->tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int devnull = open("/dev/null", O_WRONLY);
	unsigned it, nok = 0, nbad = 0;

	assert_true(fd >= 0 && devnull >= 0);
	assert_int_equal(pwrite(fd, im->buf, im->len, 0), (ssize_t)im->len);
	for (it = 0; it < iters; it++) {
		uint64_t pos[4];
		unsigned n = 1 + rnd() % 4, k, mode = rnd() % 8;

		if (mode == 0) {
			/* truncate at a random offset */
			uint64_t cut = rnd() % im->len;

			assert_int_equal(ftruncate(fd, cut), 0);
			run_all(c, devnull, &nok, &nbad);
			assert_int_equal(pwrite(fd, im->buf + cut,
						im->len - cut, cut),
					 (ssize_t)(im->len - cut));
			continue;
		}
		for (k = 0; k < n; k++) {
			unsigned char v;

			if (mode <= 3) {	/* a record header */
				uint64_t r = im->rec_off[rnd() % im->nrec];

				pos[k] = r + rnd() % sizeof(struct img_rec);
			} else if (mode <= 5) {	/* header and metadata */
				pos[k] = rnd() % (im->rec_off[7] + 200);
			} else {
				pos[k] = rnd() % im->len;
			}
			v = im->buf[pos[k]] ^ (1u << (rnd() % 8));
			if (rnd() % 4 == 0)
				v = rnd();
			assert_int_equal(pwrite(fd, &v, 1, pos[k]), 1);
		}
		run_all(c, devnull, &nok, &nbad);
		for (k = 0; k < n; k++)
			assert_int_equal(pwrite(fd, im->buf + pos[k], 1,
						pos[k]), 1);
	}
	close(devnull);
	close(fd);
	print_message("%u iterations: %u calls succeeded, %u failed "
		      "cleanly\n", iters, nok, nbad);
	assert_true(nbad > 0);
}

static unsigned fuzz_iters(void)
{
	const char *s = getenv("TEST_FUZZ_ITERS");

	return s ? (unsigned)atoi(s) : 3000;
}

static void test_fuzz_raw(void **state)
{
	struct ctx *c = *state;

	fuzz(c, &c->raw, fuzz_iters());
}

static void test_fuzz_gzip(void **state)
{
	struct ctx *c = *state;

	fuzz(c, &c->gz, fuzz_iters());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_wrong_arch),
		cmocka_unit_test(test_header_flip),
		cmocka_unit_test(test_meta_flip),
		cmocka_unit_test(test_area_flip),
		cmocka_unit_test(test_zchunk_flip),
		cmocka_unit_test(test_pages_header_flip),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_missing_end_and_garbage),
		cmocka_unit_test(test_fuzz_raw),
		cmocka_unit_test(test_fuzz_gzip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
