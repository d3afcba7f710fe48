/*
 * test_maps.c - the /proc/PID/maps line parser (src/common/maps.c):
 * normal and special lines, paths with spaces, " (deleted)", malformed
 * lines, iteration over a buffer, and this process's own maps; the
 * streaming reader (long lines across its buffer, a last line without
 * a newline, the same entries as the whole-file reader).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps.h"

static struct maps_entry e;

static void parse_ok(const char *line)
{
	if (maps_parse_line(line, strlen(line), &e) != 0)
		fail_msg("rejected: \"%s\"", line);
}

static void parse_bad(const char *line)
{
	if (maps_parse_line(line, strlen(line), &e) != -1)
		fail_msg("accepted: \"%s\"", line);
}

static void test_file_line(void **state)
{
	(void)state;
	parse_ok("7f1234560000-7f1234588000 r-xp 00028000 fd:01 1319523"
		 "                    /usr/lib/x86_64-linux-gnu/libc.so.6\n");
	assert_int_equal(e.start, 0x7f1234560000ull);
	assert_int_equal(e.end, 0x7f1234588000ull);
	assert_int_equal(e.offset, 0x28000);
	assert_int_equal(e.prot, PROT_READ | PROT_EXEC);
	assert_int_equal(e.shared, 0);
	assert_int_equal(e.dev_major, 0xfd);
	assert_int_equal(e.dev_minor, 1);
	assert_int_equal(e.inode, 1319523);
	assert_int_equal(e.deleted, 0);
	assert_string_equal(e.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

/* a line, and what is parsed from it (path: without " (deleted)") */
struct maps_case {
	const char *line;
	uint64_t start, end;
	int prot, shared;
	uint64_t inode;
	int deleted;
	const char *path;
};

static void check_cases(const struct maps_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++, c++) {
		parse_ok(c->line);
		assert_int_equal(e.start, c->start);
		assert_int_equal(e.end, c->end);
		assert_int_equal(e.prot, c->prot);
		assert_int_equal(e.shared, c->shared);
		assert_int_equal(e.inode, c->inode);
		assert_int_equal(e.deleted, c->deleted);
		assert_string_equal(e.path, c->path);
	}
}

#define CHECK_CASES(t) check_cases(t, sizeof(t) / sizeof(t[0]))

static void test_anon_and_shared(void **state)
{
	static const struct maps_case cases[] = {
		/* anonymous: no path column at all, and with trailing spaces */
		{ "7f0000000000-7f0000021000 rw-p 00000000 00:00 0",
		  0x7f0000000000ull, 0x7f0000021000ull,
		  PROT_READ | PROT_WRITE, 0, 0, 0, "" },
		{ "7f0000000000-7f0000021000 ---p 00000000 00:00 0 \n",
		  0x7f0000000000ull, 0x7f0000021000ull, 0, 0, 0, 0, "" },
		{ "7f0000000000-7f0000001000 rw-s 00000000 00:01 2050"
		  "                       /dev/zero (deleted)",
		  0x7f0000000000ull, 0x7f0000001000ull,
		  PROT_READ | PROT_WRITE, 1, 2050, 1, "/dev/zero" },
		{ "7f0000000000-7f0000001000 rw-s 00000000 00:01 33"
		  "                       /SYSV0000beef (deleted)",
		  0x7f0000000000ull, 0x7f0000001000ull,
		  PROT_READ | PROT_WRITE, 1, 33, 1, "/SYSV0000beef" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void test_special(void **state)
{
	static const struct maps_case cases[] = {
		{ "55d4c0a00000-55d4c0a21000 rw-p 00000000 00:00 0"
		  "                          [heap]\n",
		  0x55d4c0a00000ull, 0x55d4c0a21000ull,
		  PROT_READ | PROT_WRITE, 0, 0, 0, "[heap]" },
		{ "7ffd3a1f1000-7ffd3a1f5000 r--p 00000000 00:00 0"
		  "                          [vvar]",
		  0x7ffd3a1f1000ull, 0x7ffd3a1f5000ull, PROT_READ, 0, 0, 0,
		  "[vvar]" },
		{ "7ffd3a1f5000-7ffd3a1f9000 r--p 00000000 00:00 0"
		  "                          [vvar_vclock]",
		  0x7ffd3a1f5000ull, 0x7ffd3a1f9000ull, PROT_READ, 0, 0, 0,
		  "[vvar_vclock]" },
		{ "7ffd3a1f9000-7ffd3a1fb000 r-xp 00000000 00:00 0"
		  "                          [vdso]",
		  0x7ffd3a1f9000ull, 0x7ffd3a1fb000ull,
		  PROT_READ | PROT_EXEC, 0, 0, 0, "[vdso]" },
		{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
		  "                  [vsyscall]",
		  0xffffffffff600000ull, 0xffffffffff601000ull, PROT_EXEC, 0,
		  0, 0, "[vsyscall]" },
		{ "7ffd3a000000-7ffd3a021000 rw-p 00000000 00:00 0"
		  "                          [stack]",
		  0x7ffd3a000000ull, 0x7ffd3a021000ull,
		  PROT_READ | PROT_WRITE, 0, 0, 0, "[stack]" },
		{ "7f0000000000-7f0000001000 rw-p 00000000 00:00 0"
		  "                          [anon:my buffer]",
		  0x7f0000000000ull, 0x7f0000001000ull,
		  PROT_READ | PROT_WRITE, 0, 0, 0, "[anon:my buffer]" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void test_spaces_and_deleted(void **state)
{
	static const struct maps_case cases[] = {
		{ "00400000-00401000 r--p 00000000 08:02 777"
		  "        /home/u/my dir/a b.out",
		  0x400000, 0x401000, PROT_READ, 0, 777, 0,
		  "/home/u/my dir/a b.out" },
		{ "00400000-00401000 r--p 00000000 08:02 777"
		  "        /home/u/my dir/a b.out (deleted)\n",
		  0x400000, 0x401000, PROT_READ, 0, 777, 1,
		  "/home/u/my dir/a b.out" },
		{ "7f0000000000-7f0000100000 rw-s 00000000 00:01 4096"
		  "          /memfd:arena (deleted)",
		  0x7f0000000000ull, 0x7f0000100000ull,
		  PROT_READ | PROT_WRITE, 1, 4096, 1, "/memfd:arena" },
		/* a path that ends in spaces keeps them */
		{ "00400000-00401000 r--p 00000000 08:02 777 /tmp/x  ",
		  0x400000, 0x401000, PROT_READ, 0, 777, 0, "/tmp/x  " },
		/* "(deleted)" inside a name is part of it */
		{ "00400000-00401000 r--p 00000000 08:02 777 /tmp/(deleted)x",
		  0x400000, 0x401000, PROT_READ, 0, 777, 0,
		  "/tmp/(deleted)x" },
		/* CRLF */
		{ "00400000-00401000 r--p 00000000 08:02 777 /bin/true\r\n",
		  0x400000, 0x401000, PROT_READ, 0, 777, 0, "/bin/true" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void test_malformed(void **state)
{
	static char longline[MAPS_PATH_MAX + 100];
	int n;

	(void)state;
	parse_bad("");
	parse_bad("\n");
	parse_bad("garbage");
	parse_bad("00400000 r--p 00000000 08:02 777 /bin/true");
	parse_bad("00400000-00300000 r--p 00000000 08:02 777 /bin/true");
	parse_bad("00400000-00401000 rwzp 00000000 08:02 777 /bin/true");
	parse_bad("00400000-00401000 r--q 00000000 08:02 777 /bin/true");
	parse_bad("00400000-00401000 r--p");
	parse_bad("00400000-00401000 r--p 00000000");
	parse_bad("00400000-00401000 r--p 00000000 08:02");
	parse_bad("00400000-00401000 r--p 00000000 0802 777 /bin/true");
	parse_bad("00400000-00401000 r--p 00000000 08:02 x /bin/true");
	parse_bad("0040g000-00401000 r--p 00000000 08:02 777 /bin/true");
	parse_bad("-00401000 r--p 00000000 08:02 777");
	parse_bad("10000000000000000-10000000000000001 r--p 0 0:0 0");
	parse_bad("00400000-00401000  r--p 00000000 08:02 777");
	n = snprintf(longline, sizeof(longline),
		     "00400000-00401000 r--p 00000000 08:02 777 /");
	memset(longline + n, 'a', MAPS_PATH_MAX);
	longline[n + MAPS_PATH_MAX] = 0;
	parse_bad(longline);
	/* the longest path that fits */
	longline[n + MAPS_PATH_MAX - 2] = 0;
	parse_ok(longline);
	assert_int_equal(strlen(e.path), MAPS_PATH_MAX - 1);
	/* a length that stops before the path */
	assert_int_equal(maps_parse_line("00400000-00401000 r--p", 10, &e),
			 -1);
}

static void test_next(void **state)
{
	static const char buf[] =
		"00400000-00401000 r--p 00000000 08:02 777 /bin/a b\n"
		"00401000-00402000 r-xp 00001000 08:02 777 /bin/a b\n"
		"7ffd3a000000-7ffd3a021000 rw-p 00000000 00:00 0 [stack]";
	static const char bad[] =
		"00400000-00401000 r--p 00000000 08:02 777 /x\n"
		"oops\n"
		"00401000-00402000 r-xp 00001000 08:02 777 /x\n";
	size_t pos = 0;
	int n = 0, rc;

	(void)state;
	while ((rc = maps_next(buf, sizeof(buf) - 1, &pos, &e)) == 1)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(n, 3);
	assert_string_equal(e.path, "[stack]");
	pos = 0;
	assert_int_equal(maps_next(bad, sizeof(bad) - 1, &pos, &e), 1);
	assert_int_equal(maps_next(bad, sizeof(bad) - 1, &pos, &e), -1);
}

static void test_self(void **state)
{
	char *buf = NULL;
	size_t cap = 0, pos = 0;
	long len = maps_read_file("/proc/self/maps", &buf, &cap);
	uintptr_t here = (uintptr_t)&pos, code = (uintptr_t)test_self;
	int rc, stack = 0, text = 0;

	(void)state;
	assert_true(len > 0);
	while ((rc = maps_next(buf, len, &pos, &e)) == 1) {
		if (here >= e.start && here < e.end &&
		    !strcmp(e.path, "[stack]"))
			stack = 1;
		if (code >= e.start && code < e.end && (e.prot & PROT_EXEC) &&
		    e.path[0] == '/')
			text = 1;
	}
	assert_int_equal(rc, 0);
	assert_true(stack);
	assert_true(text);
	maps_free_buf(buf, cap);
}

static int same_entry(const struct maps_entry *a, const struct maps_entry *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->offset == b->offset && a->prot == b->prot &&
	       a->shared == b->shared && a->inode == b->inode &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor &&
	       !strcmp(a->path, b->path);
}

/* every entry of buf[0..len) through a stream of the file path */
static void stream_matches(const char *path, const char *buf, size_t len,
			   size_t cap, int want)
{
	static char sbuf[MAPS_LINE_MAX * 2];
	static struct maps_entry se;
	struct maps_stream st;
	size_t pos = 0;
	int n = 0, rc;

	assert_true(cap <= sizeof(sbuf));
	assert_int_equal(maps_stream_open(&st, path, sbuf, cap), 0);
	while ((rc = maps_next(buf, len, &pos, &e)) == 1) {
		assert_int_equal(maps_stream_next(&st, &se), 1);
		if (!same_entry(&e, &se))
			fail_msg("entry %d differs: %s / %s", n, e.path,
				 se.path);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(maps_stream_next(&st, &se), 0);
	maps_stream_close(&st);
	if (want >= 0)
		assert_int_equal(n, want);
}

static void test_stream(void **state)
{
	static char buf[200 * 4200];
	char path[] = "/tmp/test_maps.XXXXXX";
	char name[4000];
	struct maps_stream st;
	size_t len = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	/* lines of all lengths up to ~4 KiB, the last without '\n' */
	for (int i = 0; i < 200; i++) {
		size_t nl = (size_t)(i * 397) % (sizeof(name) - 1);

		memset(name, 'a' + i % 26, nl);
		name[0] = '/';
		name[nl] = 0;
		len += snprintf(buf + len, sizeof(buf) - len,
				"%x000-%x000 rw-p %08x 08:02 %d %s%s",
				0x1000 + 2 * i, 0x1001 + 2 * i, i, i + 1,
				nl ? name : "", i < 199 ? "\n" : "");
		assert_true(len < sizeof(buf));
	}
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	stream_matches(path, buf, len, MAPS_LINE_MAX, 200);
	stream_matches(path, buf, len, MAPS_LINE_MAX * 2, 200);
	/* a buffer below one line's worth is refused */
	assert_int_equal(maps_stream_open(&st, path, buf, 100), -1);
	unlink(path);
}

static void test_stream_self(void **state)
{
	char *buf = NULL;
	size_t cap = 0;
	long len = maps_read_file("/proc/self/maps", &buf, &cap);

	(void)state;
	assert_true(len > 0);
	stream_matches("/proc/self/maps", buf, len, MAPS_LINE_MAX, -1);
	maps_free_buf(buf, cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_line),
		cmocka_unit_test(test_anon_and_shared),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_spaces_and_deleted),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
