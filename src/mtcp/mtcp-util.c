/* mtcp-util.c - string and output helpers for freestanding mtcp_restart. */
#include "mtcp-sys.h"
#include "dmtcp/restore.h"	/* rchk_hex, rchk_dec */

void *memcpy(void *d, const void *s, size_t n)
{
	char *dp = d;
	const char *sp = s;

	/* 8 bytes at a time: page data goes through read(2), not here */
	while (n >= 8) {
		*(uint64_t *)dp = *(const uint64_t *)sp;
		dp += 8;
		sp += 8;
		n -= 8;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	volatile char *dp = d;

	while (n--)
		*dp++ = (char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t mtcp_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int mtcp_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int mtcp_strneq(const char *a, const char *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

void mtcp_strlcpy(char *d, const char *s, size_t cap)
{
	size_t i = 0;

	if (!cap)
		return;
	for (; s[i] && i + 1 < cap; i++)
		d[i] = s[i];
	d[i] = 0;
}

long mtcp_atol(const char *s)
{
	long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

void mtcp_puts(const char *s)
{
	sys3(NR_write, 2, s, mtcp_strlen(s));
}

/* numbers through the restore checks' formatting (restore-check.c) */
void mtcp_put_hex(uint64_t v)
{
	char buf[RCHK_NUM_CAP];

	mtcp_puts(rchk_hex(buf, v));
}

void mtcp_put_dec(int64_t v)
{
	char buf[RCHK_NUM_CAP], *p;

	p = rchk_dec(buf, v < 0 ? -(uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	mtcp_puts(p);
}
