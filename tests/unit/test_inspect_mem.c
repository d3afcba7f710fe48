/*
 * test_inspect_mem.c - unit tests of dmtcp_inspect's memory reader
 * (inspect/mem.c) and output helpers (inspect/out.c) on the synthetic
 * image of test_image_util: every page of every area reads back as
 * stored, zero or unavailable, raw and gzip alike; reads across pages
 * and areas; a damaged zlib chunk is an error, not wrong bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../inspect/inspect.h"
#include "../../inspect/mem.h"
#include "test_image_util.h"

static void check_image(uint32_t flags)
{
	static unsigned char page[IMG_PAGE_SIZE], zero[IMG_PAGE_SIZE];
	struct ti_image t;
	struct img_meta *m;
	struct insp_mem *mem;
	char err[512], *path = ti_tmpname("insp-mem");
	unsigned i, r;

	ti_build(&t, 0);
	assert_int_equal(ti_write(&t, path, flags), 0);
	assert_int_equal(img_load_meta(path, &m, err, sizeof(err)), 0);
	mem = insp_mem_open(m, err, sizeof(err));
	assert_non_null(mem);
	for (i = 0; i < TI_NAREAS; i++) {
		const struct ti_area *a = &t.areas[i];
		uint64_t np = (a->a.end - a->a.start) / IMG_PAGE_SIZE, p;

		for (p = 0; p < np; p++) {
			int stored = 0, src;

			for (r = 0; r < a->nranges; r++)
				if (p >= a->ranges[r][0] &&
				    p < a->ranges[r][0] + a->ranges[r][1])
					stored = 1;
			src = insp_mem_read_page(mem, i, a->a.start +
						 p * IMG_PAGE_SIZE, page,
						 IMG_PAGE_SIZE);
			if (stored) {
				assert_int_equal(src, INSP_SRC_STORED);
				assert_memory_equal(page, a->mem +
						    p * IMG_PAGE_SIZE,
						    IMG_PAGE_SIZE);
			} else if (a->a.kind == IMG_AREA_FILE) {
				/* its file does not exist here */
				assert_int_equal(src, INSP_SRC_NONE);
			} else {
				assert_int_equal(src, INSP_SRC_ZERO);
				assert_memory_equal(page, zero, IMG_PAGE_SIZE);
			}
			assert_int_equal(insp_mem_page_stored(mem, i,
					 a->a.start + p * IMG_PAGE_SIZE),
					 stored);
		}
	}
	/* across the boundary of two stored ranges of area 2 (pages 0/1) */
	assert_int_equal(insp_mem_read(mem, t.areas[2].a.start + 4000, page,
				       200), 0);
	assert_memory_equal(page, t.areas[2].mem + 4000, 200);
	/* inside a chunk boundary of the big range (1 MiB in) */
	assert_int_equal(insp_mem_read(mem, t.areas[2].a.start +
				       (1u << 20) - 8, page, 16), 0);
	assert_memory_equal(page, t.areas[2].mem + (1u << 20) - 8, 16);
	/* unmapped, and unavailable (the missing file) */
	assert_int_equal(insp_mem_read(mem, 0x1000, page, 8), -1);
	assert_int_equal(insp_mem_read(mem, t.areas[1].a.start, page, 8), -1);
	assert_int_equal(insp_mem_file_state(mem, 1), INSP_FILE_MISSING);
	insp_mem_close(mem);
	img_free_meta(m);
	unlink(path);
	free(path);
	ti_free(&t);
}

static void test_read_raw(void **state)
{
	(void)state;
	check_image(0);
}

static void test_read_gzip(void **state)
{
	(void)state;
	check_image(IMG_F_GZIP);
}

/* A flipped byte inside zlib data: the read fails with "corrupt". */
static void test_bad_chunk(void **state)
{
	static unsigned char page[IMG_PAGE_SIZE];
	struct ti_image t;
	struct img_meta *m;
	struct insp_mem *mem;
	char err[512], *path = ti_tmpname("insp-bad");
	unsigned char *buf;
	size_t len;
	uint64_t off;
	int failed = 0;
	unsigned p;

	(void)state;
	ti_build(&t, 0);
	assert_int_equal(ti_write(&t, path, IMG_F_GZIP), 0);
	assert_int_equal(img_load_meta(path, &m, err, sizeof(err)), 0);
	/* 1000 bytes before area 3's AREA record: inside the zlib data of
	 * area 2's last PAGES record (3 pages of random bytes) */
	off = m->areas[3].rec_off - 1000;
	img_free_meta(m);
	buf = ti_slurp(path, &len);
	assert_non_null(buf);
	buf[off] ^= 0x55;
	assert_int_equal(ti_spit(path, buf, len), 0);
	free(buf);
	/* metadata is intact: loading works, reading the pages does not */
	assert_int_equal(img_load_meta(path, &m, err, sizeof(err)), 0);
	mem = insp_mem_open(m, err, sizeof(err));
	assert_non_null(mem);
	for (p = 0; p < 1000; p++) {
		if (insp_mem_read_page(mem, 2, t.areas[2].a.start +
				       (uint64_t)p * IMG_PAGE_SIZE, page,
				       IMG_PAGE_SIZE) < 0) {
			failed = 1;
			break;
		}
	}
	assert_true(failed);
	assert_non_null(strstr(insp_mem_error(mem), "corrupt image"));
	insp_mem_close(mem);
	img_free_meta(m);
	unlink(path);
	free(path);
	ti_free(&t);
}

static void test_helpers(void **state)
{
	char *s = NULL;
	size_t n = 0;
	uint64_t v;
	FILE *f;

	(void)state;
	assert_int_equal(insp_parse_addr("0x7f00deadbeef", &v), 0);
	assert_true(v == 0x7f00deadbeefull);
	assert_int_equal(insp_parse_addr("401000", &v), 0);
	assert_true(v == 0x401000);
	assert_int_equal(insp_parse_addr("0x", &v), -1);
	assert_int_equal(insp_parse_addr("12z", &v), -1);
	f = open_memstream(&s, &n);
	assert_non_null(f);
	insp_json_str(f, "a\"b\\c\n\x01");
	fclose(f);
	assert_string_equal(s, "\"a\\\"b\\\\c\\n\\u0001\"");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_raw),
		cmocka_unit_test(test_read_gzip),
		cmocka_unit_test(test_bad_chunk),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
