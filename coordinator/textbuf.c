/* textbuf.c - growable text buffer and clock helper for the coordinator. */
#include "config.h"
#include "coord.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void co_buf_printf(struct co_buf *b, const char *fmt, ...)
{
	va_list ap;

	for (;;) {
		size_t room = b->cap - b->len;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		size_t ncap = b->cap ? b->cap * 2 : 256;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		char *ns = realloc(b->s, ncap);

		if (!ns)
			return;
		b->s = ns;
		b->cap = ncap;
	}
}

void co_buf_esc(struct co_buf *b, const char *s)
{
	size_t len = strlen(s), n = esc_mem(NULL, 0, s, len, 0);

	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *ns;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		ns = realloc(b->s, ncap);
		if (!ns)
			return;
		b->s = ns;
		b->cap = ncap;
	}
	b->len += esc_mem(b->s + b->len, b->cap - b->len, s, len, 0);
}

void co_buf_free(struct co_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

uint64_t co_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
