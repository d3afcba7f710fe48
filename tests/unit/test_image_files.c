/*
 * test_image_files.c - FILE and FILEDATA records (saved file contents,
 * doc/files.md): written raw and gzip between the metadata and the
 * areas, loaded by img_load_meta, contents copied back with holes kept
 * (img_copy_file_data), validated, decoded to the raw stream (FILEDATA
 * inflated, still readable); the writer refuses records out of place or
 * out of range, the reader a corrupt payload and inconsistent totals.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "test_image_util.h"

#define F_SIZE		(6u << 20)	/* the saved file: 6 MiB */
#define BIG_AT		(1u << 20)	/* a 2.5 MiB extent (3 records) */
#define BIG_LEN		(5u << 19)

static unsigned char *contents;		/* F_SIZE bytes, holes are zero */
static const uint64_t ext[][2] = {	/* data extents of the file */
	{ 0, 5000 }, { BIG_AT, BIG_AT + BIG_LEN }, { F_SIZE - 100, F_SIZE },
};
#define NEXT	(sizeof(ext) / sizeof(ext[0]))

static uint64_t data_bytes(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < NEXT; i++)
		n += ext[i][1] - ext[i][0];
	return n;
}

static struct img_file ghost_rec(void)
{
	struct img_file f;

	memset(&f, 0, sizeof(f));
	f.dev = 0x801;
	f.inode = 4242;
	f.size = F_SIZE;
	f.data_bytes = data_bytes();
	f.mtime_sec = 1700000000;
	f.mtime_nsec = 123456789;
	f.mode = 0100640;
	f.uid = 1000;
	f.gid = 100;
	f.flags = IMG_FILE_UNLINKED | IMG_FILE_CONTENTS;
	return f;
}

/* one unlinked file with contents, one file with metadata only */
static int write_two_files(struct img_writer *w)
{
	struct img_file f = ghost_rec(), m;

	if (img_write_file(w, &f, "/tmp/scratch.dat") < 0)
		return -1;
	for (size_t i = 0; i < NEXT; i++)
		for (uint64_t at = ext[i][0]; at < ext[i][1];) {
			uint64_t n = ext[i][1] - at;

			if (n > IMG_ZCHUNK_MAX)
				n = IMG_ZCHUNK_MAX;
			if (img_write_filedata(w, at, contents + at, n) < 0)
				return -1;
			at += n;
		}
	memset(&m, 0, sizeof(m));
	m.dev = 0x801;
	m.inode = 77;
	m.size = 123;
	m.mode = 0100600;
	return img_write_file(w, &m, "/home/u/log.txt");
}

static int setup(void **state)
{
	uint64_t seed = 5;

	contents = calloc(1, F_SIZE);
	for (size_t i = 0; i < NEXT; i++)
		for (uint64_t at = ext[i][0]; at < ext[i][1]; at++) {
			seed = seed * 6364136223846793005ull + 1;
			contents[at] = (unsigned char)(seed >> 33);
		}
	ti_write_files = write_two_files;
	*state = ti_ctx_new(1);
	ti_write_files = NULL;
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ti_ctx_free(*state);
	free(contents);
	return 0;
}

/* load the metadata of path, copy the saved file out, compare */
static void check_image(struct ti_ctx *c, const char *path)
{
	struct img_meta *m = NULL;
	struct img_file want = ghost_rec();
	unsigned char *got;
	struct stat st;
	int fd;

	assert_int_equal(img_load_meta(path, &m, c->err, sizeof(c->err)), 0);
	assert_int_equal(m->nfiles, 2);
	assert_memory_equal(&m->files[0].file, &want, offsetof(struct img_file,
							       path_len));
	assert_string_equal(m->files[0].path, "/tmp/scratch.dat");
	assert_true(m->files[0].nrecs >= 5);	/* 1 + 3 + 1 */
	assert_string_equal(m->files[1].path, "/home/u/log.txt");
	assert_int_equal(m->files[1].file.flags, 0);
	assert_int_equal(m->files[1].nrecs, 0);
	assert_int_equal(m->nareas, TI_NAREAS);	/* the areas still follow */

	fd = memfd_create("copy", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(img_copy_file_data(m, 0, fd, c->err,
					    sizeof(c->err)), 0);
	assert_int_equal(ftruncate(fd, F_SIZE), 0);
	assert_int_equal(fstat(fd, &st), 0);
	got = mmap(NULL, F_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(got != MAP_FAILED);
	assert_memory_equal(got, contents, F_SIZE);	/* holes are zeros */
	munmap(got, F_SIZE);
	/* a file without contents copies nothing */
	assert_int_equal(img_copy_file_data(m, 1, fd, c->err,
					    sizeof(c->err)), 0);
	close(fd);
	img_free_meta(m);
	assert_int_equal(img_validate(path, 1, c->err, sizeof(c->err)), 0);
}

static void test_roundtrip_raw(void **state)
{
	check_image(*state, ((struct ti_ctx *)*state)->raw);
}

static void test_roundtrip_gzip(void **state)
{
	check_image(*state, ((struct ti_ctx *)*state)->gz);
}

/* the raw image's FILEDATA records, as the one data record writer
   makes them: in order, the extents' bytes, a CRC of them, no PAD */
static void test_raw_records(void **state)
{
	struct ti_ctx *c = *state;
	struct img_reader r;
	struct img_rec rec;
	uint64_t next = 0, got = 0;
	uint32_t prev = 0;
	int rc;

	assert_int_equal(img_reader_open(&r, c->raw, c->err, sizeof(c->err)),
			 0);
	while ((rc = img_reader_next(&r, &rec)) > 0) {
		if (rec.type == IMG_REC_FILEDATA) {
			assert_true(prev == IMG_REC_FILE ||
				    prev == IMG_REC_FILEDATA);
			assert_true(rec.arg0 >= next);
			assert_int_equal(rec.flags, IMG_RF_CRC);
			assert_int_equal(rec.size, rec.raw_size);
			assert_int_equal(rec.arg1, 0);
			assert_int_equal(rec.crc, crc32_z(0, contents + rec.arg0,
							  rec.size));
			next = rec.arg0 + rec.size;
			got += rec.size;
		}
		prev = rec.type;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(got, data_bytes());
	img_reader_close(&r);
}

/* the decoded stream of the gzip image is a raw image with the same
   files (FILEDATA inflated, without CRC) */
static void test_decoded_stream(void **state)
{
	struct ti_ctx *c = *state;
	char *dec = ti_tmpname("dec");
	int fd = open(dec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(img_decode_to_fd(c->gz, fd, c->err, sizeof(c->err)),
			 0);
	close(fd);
	check_image(c, dec);
	unlink(dec);
	free(dec);
}

static int bad_order_meta_after_file(struct img_writer *w)
{
	struct img_file m = { .size = 1 };

	assert_int_equal(img_write_file(w, &m, "/x"), 0);
	/* metadata after a FILE record */
	assert_int_equal(img_write_rec(w, IMG_REC_ENV, "A=1", 4), -1);
	assert_int_equal(errno, EINVAL);
	return -1;
}

static const char zeros[100];

/* a FILE record of 100 bytes, 50 of them saved in FILEDATA records */
static void file_100_50(struct img_writer *w)
{
	struct img_file f = { .size = 100, .data_bytes = 50,
			      .flags = IMG_FILE_CONTENTS };

	assert_int_equal(img_write_file(w, &f, "/x"), 0);
}

static int bad_range(struct img_writer *w)
{
	file_100_50(w);
	/* past the end of the file */
	assert_int_equal(img_write_filedata(w, 80, zeros, 30), -1);
	return -1;
}

static int bad_overlap(struct img_writer *w)
{
	file_100_50(w);
	assert_int_equal(img_write_filedata(w, 10, zeros, 20), 0);
	assert_int_equal(img_write_filedata(w, 20, zeros, 10), -1);
	return -1;
}

static int short_total(struct img_writer *w)
{
	file_100_50(w);
	assert_int_equal(img_write_filedata(w, 0, zeros, 20), 0);
	return 0;	/* the next AREA must fail: 20 of 50 bytes */
}

static void test_writer_refuses(void **state)
{
	struct ti_ctx *c = *state;
	char *p = ti_tmpname("bad");
	int (*cases[])(struct img_writer *) = {
		bad_order_meta_after_file, bad_range, bad_overlap, short_total,
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ti_write_files = cases[i];
		assert_int_equal(ti_write(&c->t, p, i % 2 ? IMG_F_GZIP : 0),
				 -1);
	}
	ti_write_files = NULL;
	unlink(p);
	free(p);
}

/* offset of the first record of type in the file, or 0 */
static uint64_t rec_at(const unsigned char *b, size_t len, uint32_t type)
{
	uint64_t off = IMG_HEADER_SPACE;

	while (off + sizeof(struct img_rec) <= len) {
		struct img_rec r;

		memcpy(&r, b + off, sizeof(r));
		if (r.type == type)
			return off;
		off += sizeof(r) + r.size;
	}
	return 0;
}

static void test_reader_refuses(void **state)
{
	struct ti_ctx *c = *state;
	char *p = ti_tmpname("corrupt");
	struct img_meta *m = NULL;
	unsigned char *b;
	size_t len;
	uint64_t at;
	struct img_file f;
	int fd;

	/* a flipped byte in raw file data: the CRC catches it */
	b = ti_slurp(c->raw, &len);
	at = rec_at(b, len, IMG_REC_FILEDATA);
	assert_true(at > 0);
	b[at + sizeof(struct img_rec) + 10] ^= 0x40;
	assert_int_equal(ti_spit(p, b, len), 0);
	assert_int_equal(img_load_meta(p, &m, c->err, sizeof(c->err)), 0);
	fd = memfd_create("copy", MFD_CLOEXEC);
	assert_int_equal(img_copy_file_data(m, 0, fd, c->err,
					    sizeof(c->err)), -1);
	assert_non_null(strstr(c->err, "CRC mismatch"));
	close(fd);
	img_free_meta(m);
	assert_int_equal(img_validate(p, 1, c->err, sizeof(c->err)), -1);
	free(b);

	/* a FILE record that claims more data than its FILEDATA hold (its
	   CRC fixed up): the totals do not add up */
	b = ti_slurp(c->raw, &len);
	at = rec_at(b, len, IMG_REC_FILE);
	assert_true(at > 0);
	memcpy(&f, b + at + sizeof(struct img_rec), sizeof(f));
	f.data_bytes += 4096;
	memcpy(b + at + sizeof(struct img_rec), &f, sizeof(f));
	{
		struct img_rec r;
		uint32_t crc;

		memcpy(&r, b + at, sizeof(r));
		crc = (uint32_t)crc32_z(0, b + at + sizeof(r), r.size);
		r.crc = crc;
		memcpy(b + at, &r, sizeof(r));
	}
	assert_int_equal(ti_spit(p, b, len), 0);
	assert_int_equal(img_load_meta(p, &m, c->err, sizeof(c->err)), -1);
	assert_non_null(strstr(c->err, "FILEDATA records hold"));
	free(b);
	unlink(p);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_raw),
		cmocka_unit_test(test_roundtrip_gzip),
		cmocka_unit_test(test_raw_records),
		cmocka_unit_test(test_decoded_stream),
		cmocka_unit_test(test_writer_refuses),
		cmocka_unit_test(test_reader_refuses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
