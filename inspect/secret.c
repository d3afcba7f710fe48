/*
 * secret.c - dmtcp_inspect never shows the secrets an image carries:
 * the coordinator secret (DMTCP_COORD_SECRET: whoever holds it can
 * command and kill the computation) and any environment variable named
 * like a secret (*SECRET*, *PASSWORD*, *TOKEN*, *_KEY, any case), and
 * copies of their values.  `env` prints NAME=<hidden>, `info`, `print`
 * and `bisect` replace the values by <hidden> in what they print, `core`
 * overwrites the value after every NAME= of a secret-like name and every
 * copy of a known value with 'x' (same length) in the file it writes,
 * its NT_PRPSINFO arguments included.
 */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* a case-insensitive search for w in the n bytes of name */
static int has_word(const char *name, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= n; i++)
		if (!strncasecmp(name + i, w, wl))
			return 1;
	return 0;
}

int insp_is_secret_name(const char *name, size_t n)
{
	return n > 0 && (has_word(name, n, "SECRET") ||
			 has_word(name, n, "PASSWORD") ||
			 has_word(name, n, "TOKEN") ||
			 (n >= 4 && !strncasecmp(name + n - 4, "_KEY", 4)));
}

int insp_is_secret_var(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq && insp_is_secret_name(kv, (size_t)(eq - kv));
}

int insp_secrets_add(struct insp_secrets *s, const char *val, size_t len)
{
	char *c;

	if (len < INSP_SECRET_MIN || len > INSP_SECRET_MAX)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && !memcmp(s->v[i], val, len))
			return 0;
	if (s->n + 1 >= s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return 0;
		s->v = v;
		s->cap = cap;
	}
	c = strndup(val, len);
	if (!c)
		return 0;
	s->v[s->n++] = c;
	s->v[s->n] = NULL;
	return 1;
}

void insp_secrets_init(struct insp_secrets *s, const struct img_meta *m)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; m && m->envv && m->envv[i]; i++)
		if (insp_is_secret_var(m->envv[i])) {
			const char *v = strchr(m->envv[i], '=') + 1;

			insp_secrets_add(s, v, strlen(v));
		}
}

void insp_secrets_free(struct insp_secrets *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

char *insp_secrets_hide(const struct insp_secrets *s, const char *str)
{
	size_t len = strlen(str), cap = len + 1, o = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t hit = 0;

		for (size_t k = 0; k < s->n && !hit; k++) {
			size_t n = strlen(s->v[k]);

			if (n <= len - i && !memcmp(str + i, s->v[k], n))
				hit = n;
		}
		if (hit) {
			size_t need = o + sizeof(INSP_HIDDEN) + (len - i) + 1;

			if (need > cap) {
				char *p = realloc(out, need);

				if (!p) {
					free(out);
					return NULL;
				}
				out = p;
				cap = need;
			}
			memcpy(out + o, INSP_HIDDEN, sizeof(INSP_HIDDEN) - 1);
			o += sizeof(INSP_HIDDEN) - 1;
			i += hit;
			continue;
		}
		out[o++] = str[i++];
	}
	out[o] = 0;
	return out;
}

static int printable(unsigned char c)
{
	return c >= 0x21 && c < 0x7f;
}

static int name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

size_t insp_secrets_mask(struct insp_secrets *s, unsigned char *buf,
			 size_t len, int *found_new)
{
	size_t changed = 0;
	unsigned char *p = buf, *end = buf + len;

	/* NAME=<value> with a secret-like NAME: the value, whatever it
	   is (DMTCP_COORD_SECRET= included) */
	while ((p = memchr(p, '=', (size_t)(end - p))) != NULL) {
		unsigned char *v = p + 1, *e = v, *n = p;
		int masked = 1;

		while (n > buf && p - n < 128 && name_char(n[-1]))
			n--;
		if (n == p || !insp_is_secret_name((const char *)n,
						   (size_t)(p - n))) {
			p++;
			continue;
		}
		while (e < end && e - v < INSP_SECRET_MAX && printable(*e)) {
			masked &= *e == 'x';
			e++;
		}
		if (e > v && !masked &&
		    insp_secrets_add(s, (const char *)v, (size_t)(e - v)) &&
		    found_new)
			*found_new = 1;
		for (unsigned char *q = v; q < e; q++)
			if (*q != 'x') {
				*q = 'x';
				changed++;
			}
		p = e;
	}
	/* any other copy of a value seen with the variable */
	for (size_t k = 0; k < s->n; k++) {
		size_t n = strlen(s->v[k]);

		for (p = buf; (p = memmem(p, (size_t)(end - p), s->v[k], n));
		     p += n) {
			memset(p, 'x', n);
			changed += n;
		}
	}
	return changed;
}
