/*
 * test_image_util.h - a synthetic process image for the image library
 * tests: known metadata and page contents, written raw or gzip.
 */
#ifndef TEST_IMAGE_UTIL_H
#define TEST_IMAGE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

#define TI_NTHREADS	2
#define TI_NAREAS	4
#define TI_NFDS		2

struct ti_area {
	struct img_area a;
	const char *path;
	unsigned char *mem;	/* contents of [start, end) */
	/* stored ranges, as page offsets from start: {first, count} */
	unsigned nranges;
	unsigned ranges[3][2];
};

struct ti_image {
	struct img_proc proc;
	struct img_thread threads[TI_NTHREADS];
	unsigned char fds[2 * (sizeof(struct img_fd) + 64)];
	size_t fds_len;
	const char *fd_paths[TI_NFDS];
	char env[64];
	size_t env_len;
	uint64_t auxv[6];
	char cmdline[64];
	size_t cmdline_len;
	struct ti_area areas[TI_NAREAS];
	uint64_t ctime;
};

/* Build the content (deterministic); small: ~150 KiB of pages instead
 * of ~3 MiB (for loops that rewrite the image many times). */
void ti_build(struct ti_image *t, int small);
void ti_free(struct ti_image *t);
/* Write it to path with flags (IMG_F_GZIP or 0); 0 or -1 */
int ti_write(const struct ti_image *t, const char *path, uint32_t flags);
/* Write it to an open fd */
int ti_write_fd(const struct ti_image *t, int fd, uint32_t flags);
/* When set, called by ti_write_fd after the metadata records and before
 * the areas (FILE and FILEDATA records); 0 or -1 */
extern int (*ti_write_files)(struct img_writer *w);
/* When set, a stored range is written as PAGES records of at most this
 * many pages (0: one record per range) */
extern unsigned ti_pages_per_rec;
/* A test group's state: the image, written raw and gzip, and room for
 * the library's messages */
struct ti_ctx {
	struct ti_image t;
	char *raw, *gz;
	char err[512];
};
/* A new ctx: the image built (ti_build) and written (ti_write) to two
 * fresh temporary paths; NULL on failure */
struct ti_ctx *ti_ctx_new(int small);
/* Unlink both files, free everything */
void ti_ctx_free(struct ti_ctx *c);
/* xorshift64 step: the tests' deterministic pseudo-random numbers */
uint64_t ti_xorshift(uint64_t *state);
/* Whole file into a malloc'd buffer */
unsigned char *ti_slurp(const char *path, size_t *len);
int ti_spit(const char *path, const void *buf, size_t len);
/* A fresh temporary path (in $TMPDIR or /tmp), malloc'd */
char *ti_tmpname(const char *tag);

#endif /* TEST_IMAGE_UTIL_H */
