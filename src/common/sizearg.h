/*
 * sizearg.h - parse a size given on a command line or in the
 * environment: "65536", "64K", "64M", "1G", "2T" (binary multiples,
 * case-insensitive, an optional "iB"/"B" after the letter), or
 * "unlimited".  Header only: shared by dmtcp_launch (--ghost-limit) and
 * the preload library (DMTCP_GHOST_LIMIT), which must agree.
 */
#ifndef DMTCP_SIZEARG_H
#define DMTCP_SIZEARG_H

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define SIZEARG_UNLIMITED UINT64_MAX

/* 0 with *out set, or -1 (not a size) */
static inline int sizearg_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (!s || !*s)
		return -1;
	if (strcasecmp(s, "unlimited") == 0) {
		*out = SIZEARG_UNLIMITED;
		return 0;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	switch (*p) {
	case 'k': case 'K': mul = 1ull << 10; p++; break;
	case 'm': case 'M': mul = 1ull << 20; p++; break;
	case 'g': case 'G': mul = 1ull << 30; p++; break;
	case 't': case 'T': mul = 1ull << 40; p++; break;
	}
	if (mul > 1 && (strcasecmp(p, "iB") == 0 || strcasecmp(p, "B") == 0))
		p += strlen(p);
	if (*p)
		return -1;
	if (v && mul > UINT64_MAX / v)
		return -1;
	*out = v * mul;
	return 0;
}

#endif /* DMTCP_SIZEARG_H */
