/*
 * test_escape.c - printable single-line forms of untrusted strings
 * (src/common/escape.c): what is escaped and how, that printable ASCII
 * is unchanged, truncation never cuts an escape sequence, the measured
 * length matches, and that the escaping can be undone byte for byte.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

static void test_printable_unchanged(void **state)
{
	char in[96], out[ESC_SIZE(96)];
	size_t n = 0;

	(void)state;
	for (int ch = 0x20; ch <= 0x7e; ch++)
		if (ch != '\\')
			in[n++] = (char)ch;
	in[n] = 0;
	assert_int_equal(esc_mem(out, sizeof(out), in, n, 0), n);
	assert_string_equal(out, in);
	assert_false(esc_needed(in));
	assert_string_equal(ESC("threads_tls"), "threads_tls");
	assert_string_equal(ESC(""), "");
	assert_string_equal(ESC(NULL), "(null)");
}

static void test_controls(void **state)
{
	(void)state;
	assert_string_equal(ESC("a\nFAKE line"), "a\\nFAKE line");
	assert_string_equal(ESC("cr\r\ttab"), "cr\\r\\ttab");
	assert_string_equal(ESC("back\\slash"), "back\\\\slash");
	assert_string_equal(ESC("\x1b[2J\x07\x7f"), "\\x1b[2J\\x07\\x7f");
	assert_string_equal(ESC("\x01\x1f"), "\\x01\\x1f");
	/* bytes >= 0x80: UTF-8 and 8-bit C1 controls (0x9b is CSI) */
	assert_string_equal(ESC("caf\xc3\xa9\x9b"), "caf\\xc3\\xa9\\x9b");
	assert_true(esc_needed("a\nb"));
	assert_true(esc_needed("a\\b"));
	assert_true(esc_needed("\xff"));
}

static void test_embedded_nul(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(esc_mem(out, sizeof(out), "a\0b", 3, 0), 6);
	assert_string_equal(out, "a\\x00b");
}

static void test_keep_backslash(void **state)
{
	char out[64];
	const char *s = "already \\n escaped\nbut not this";

	(void)state;
	esc_mem(out, sizeof(out), s, strlen(s), ESC_KEEP_BACKSLASH);
	assert_string_equal(out, "already \\n escaped\\nbut not this");
}

/* Every capacity: the longest run of whole sequences that fits. */
static void test_truncation(void **state)
{
	const char *s = "ab\ncd\x1b" "ef\\";
	char full[64], out[64];
	size_t whole, bounds[16], nb = 0, at = 0;

	(void)state;
	whole = esc_mem(full, sizeof(full), s, strlen(s), 0);
	assert_string_equal(full, "ab\\ncd\\x1bef\\\\");
	assert_int_equal(whole, strlen(full));
	assert_int_equal(esc_mem(NULL, 0, s, strlen(s), 0), whole);
	/* where each byte's sequence ends in the full form */
	bounds[nb++] = 0;
	for (size_t i = 0; s[i]; i++) {
		at += esc_mem(NULL, 0, s + i, 1, 0);
		bounds[nb++] = at;
	}
	for (size_t cap = 1; cap <= whole + 1; cap++) {
		size_t want = 0;

		for (size_t i = 0; i < nb; i++)
			if (bounds[i] < cap)
				want = bounds[i];
		memset(out, 'Z', sizeof(out));
		assert_int_equal(esc_mem(out, cap, s, strlen(s), 0), whole);
		assert_int_equal(strlen(out), want);
		assert_memory_equal(out, full, want);
	}
	/* the inline form truncates long input and stays terminated */
	{
		char big[2000];

		memset(big, '\n', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		assert_int_equal(strlen(ESC(big)), ESC_INLINE_MAX - 2);
	}
}

static int unhex(char c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* Undo the escaping; returns the decoded length. */
static size_t unescape(const char *s, unsigned char *out)
{
	static const char letters[] = "nrt\\", bytes[] = "\n\r\t\\";
	const char *l;
	size_t n = 0;

	while (*s) {
		if (*s != '\\') {
			out[n++] = (unsigned char)*s++;
			continue;
		}
		s++;
		if (*s == 'x') {
			out[n++] = (unsigned char)(unhex(s[1]) * 16 +
						   unhex(s[2]));
			s += 3;
			continue;
		}
		/* \n \r \t \\: the letter's place in letters is the byte's
		 * in bytes */
		l = *s ? strchr(letters, *s) : NULL;
		if (!l)
			fail_msg("bad escape \\%c", *s);
		out[n++] = (unsigned char)bytes[l - letters];
		s++;
	}
	return n;
}

/* Random bytes: output is printable ASCII on one line, and reversible. */
static void test_random_roundtrip(void **state)
{
	unsigned char in[256], back[256];
	char out[ESC_SIZE(256)];
	uint32_t x = 12345;

	(void)state;
	for (int it = 0; it < 2000; it++) {
		size_t len = it % 256, n;

		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			in[i] = (unsigned char)(x >> 16);
		}
		n = esc_mem(out, sizeof(out), in, len, 0);
		assert_int_equal(n, strlen(out));
		for (size_t i = 0; i < n; i++)
			assert_true(out[i] >= 0x20 && out[i] <= 0x7e);
		assert_int_equal(unescape(out, back), len);
		assert_memory_equal(back, in, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_unchanged),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_keep_backslash),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_random_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
