/*
 * escape.c - printable, single-line forms of untrusted strings (see
 * escape.h for the rules).
 */
#include "config.h"
#include "escape.h"

#include <string.h>

/* The escape sequence for byte ch in out (at most 4 chars); its length. */
static size_t esc_one(unsigned char ch, int flags, char out[4])
{
	static const char hex[] = "0123456789abcdef";

	if (ch == '\\' && !(flags & ESC_KEEP_BACKSLASH)) {
		out[0] = '\\';
		out[1] = '\\';
		return 2;
	}
	if (ch >= 0x20 && ch <= 0x7e) {
		out[0] = (char)ch;
		return 1;
	}
	out[0] = '\\';
	switch (ch) {
	case '\n':
		out[1] = 'n';
		return 2;
	case '\r':
		out[1] = 'r';
		return 2;
	case '\t':
		out[1] = 't';
		return 2;
	}
	out[1] = 'x';
	out[2] = hex[ch >> 4];
	out[3] = hex[ch & 0xf];
	return 4;
}

size_t esc_mem(char *dst, size_t cap, const void *src, size_t len,
	       int flags)
{
	const unsigned char *s = src;
	size_t total = 0, used = 0;
	int full = cap == 0;

	for (size_t i = 0; i < len; i++) {
		char seq[4];
		size_t n = esc_one(s[i], flags, seq);

		if (!full && used + n < cap) {
			memcpy(dst + used, seq, n);
			used += n;
		} else {
			full = 1;	/* nothing after a left-out sequence */
		}
		total += n;
	}
	if (cap)
		dst[used] = 0;
	return total;
}

const char *esc_str(char *dst, size_t cap, const char *src)
{
	if (!src)
		src = "(null)";
	esc_mem(dst, cap, src, strlen(src), 0);
	return dst;
}

int esc_needed(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch > 0x7e || ch == '\\')
			return 1;
	}
	return 0;
}
