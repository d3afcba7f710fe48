/*
 * cmd-json.c - turn the coordinator's reply text into JSON for
 * dmtcp_command --json; see cmd-json.h for the mapping.
 */
#include "config.h"
#include "cmd-json.h"

#include <stdlib.h>
#include <string.h>

/* Keys that may appear more than once in a reply: always arrays. */
static const char *const json_array_keys[] = { "IMAGE", "FAILED", "WARNING",
					       NULL };

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static int json_utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void json_string_n(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	fputc('"', f);
	while (p < end) {
		int n;

		switch (*p) {
		case '"':
			fputs("\\\"", f);
			p++;
			continue;
		case '\\':
			fputs("\\\\", f);
			p++;
			continue;
		case '\n':
			fputs("\\n", f);
			p++;
			continue;
		case '\t':
			fputs("\\t", f);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
			p++;
			continue;
		}
		n = json_utf8_len(p);
		if (n == 0 || p + n > end) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

void cmd_json_string(FILE *f, const char *s)
{
	json_string_n(f, s, strlen(s));
}

/* A number JSON can carry exactly: digits only, no leading zero. */
static int json_is_number(const char *s, size_t len)
{
	if (len == 0 || len > 15 || (s[0] == '0' && len > 1))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void json_value(FILE *f, const char *s, size_t len)
{
	if (len == 0)
		fputs("null", f);
	else if (json_is_number(s, len))
		fwrite(s, 1, len, f);
	else
		json_string_n(f, s, len);
}

static int json_is_array_key(const char *key, size_t klen)
{
	for (int i = 0; json_array_keys[i]; i++)
		if (strlen(json_array_keys[i]) == klen &&
		    !memcmp(json_array_keys[i], key, klen))
			return 1;
	return 0;
}

/* Line [s, s+len): split into key and value at the first '='. */
static int json_split(const char *s, size_t len, size_t *klen)
{
	const char *eq = memchr(s, '=', len);

	if (!eq || eq == s)
		return -1;
	for (const char *p = s; p < eq; p++)
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return -1;
	*klen = eq - s;
	return 0;
}

/* Next line of text at *pos; returns its length, *pos moves past it. */
static const char *json_line(const char *text, size_t *pos, size_t *len)
{
	const char *s = text + *pos, *nl;

	if (!*s)
		return NULL;
	nl = strchr(s, '\n');
	*len = nl ? (size_t)(nl - s) : strlen(s);
	*pos += *len + (nl ? 1 : 0);
	return s;
}

static int json_key_count(const char *text, const char *key, size_t klen)
{
	size_t pos = 0, len, kl;
	const char *s;
	int n = 0;

	while ((s = json_line(text, &pos, &len)))
		if (!json_split(s, len, &kl) && kl == klen &&
		    !memcmp(s, key, klen))
			n++;
	return n;
}

/* Has a line with this key been printed before the one at offset at? */
static int json_key_seen(const char *text, size_t at, const char *key,
			 size_t klen)
{
	size_t pos = 0, len, kl;
	const char *s;

	while (pos < at && (s = json_line(text, &pos, &len)))
		if (!json_split(s, len, &kl) && kl == klen &&
		    !memcmp(s, key, klen))
			return 1;
	return 0;
}

static void json_members(FILE *f, const char *text)
{
	size_t pos = 0, len, klen;

	for (;;) {
		size_t at = pos;
		const char *s = json_line(text, &pos, &len);

		if (!s)
			break;
		if (json_split(s, len, &klen) < 0)
			continue;	/* not KEY=VALUE: never in practice */
		if (json_key_seen(text, at, s, klen))
			continue;	/* printed with the first one */
		fputc(',', f);
		json_string_n(f, s, klen);
		fputc(':', f);
		if (json_is_array_key(s, klen) ||
		    json_key_count(text, s, klen) > 1) {
			size_t p2 = at, l2, k2;
			const char *t;
			int first = 1;

			fputc('[', f);
			while ((t = json_line(text, &p2, &l2))) {
				if (json_split(t, l2, &k2) || k2 != klen ||
				    memcmp(t, s, klen))
					continue;
				if (!first)
					fputc(',', f);
				first = 0;
				json_value(f, t + klen + 1, l2 - klen - 1);
			}
			fputc(']', f);
		} else {
			json_value(f, s + klen + 1, len - klen - 1);
		}
	}
}

/* A worker state word: RUNNING, SUSPENDED, ... */
static int json_is_state(const char *s, const char *e)
{
	if (s >= e)
		return 0;
	for (; s < e; s++)
		if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
			return 0;
	return 1;
}

/*
 * A list line: "id, pid, host, program, state, image".  The program and
 * the image path may themselves contain ", "; the state is one word
 * without one, so split id/pid/host from the left and find the state
 * by looking for its ", WORD, " from the right.
 */
static void json_process(FILE *f, const char *s, size_t len)
{
	const char *f3[3], *end = s + len, *p = s, *st = NULL, *ste = NULL;
	size_t l3[3];
	int i;

	for (i = 0; i < 3; i++) {
		const char *c = p;

		while (c + 1 < end && !(c[0] == ',' && c[1] == ' '))
			c++;
		if (c + 1 >= end)
			break;
		f3[i] = p;
		l3[i] = c - p;
		p = c + 2;
	}
	if (i == 3) {
		/* p: "program, STATE, image" */
		for (const char *q = end - 1; q > p; q--) {
			const char *w;

			if (!(q[0] == ',' && q + 1 < end && q[1] == ' '))
				continue;
			/* q ends the state; find the ", " before it */
			for (w = q - 1; w > p; w--)
				if (w[0] == ' ' && w[-1] == ',')
					break;
			if (w <= p || !json_is_state(w + 1, q))
				continue;
			st = w + 1;
			ste = q;
			break;
		}
	}
	if (!st) {
		/* unexpected shape: keep the raw line */
		fputs("{\"line\":", f);
		json_string_n(f, s, len);
		fputc('}', f);
		return;
	}
	fputs("{\"id\":", f);
	json_value(f, f3[0], l3[0]);
	fputs(",\"pid\":", f);
	json_value(f, f3[1], l3[1]);
	fputs(",\"host\":", f);
	json_string_n(f, f3[2], l3[2]);
	fputs(",\"program\":", f);
	json_string_n(f, p, (st - 2) - p);
	fputs(",\"state\":", f);
	json_string_n(f, st, ste - st);
	fputs(",\"image\":", f);
	if (end - (ste + 2) == 1 && ste[2] == '-')
		fputs("null", f);
	else
		json_string_n(f, ste + 2, end - (ste + 2));
	fputc('}', f);
}

static void json_list(FILE *f, const char *text)
{
	size_t pos = 0, len;
	const char *s;
	int n = 0;

	fputs(",\"processes\":[", f);
	while ((s = json_line(text, &pos, &len))) {
		if (!len)
			continue;
		if (n++)
			fputc(',', f);
		json_process(f, s, len);
	}
	fprintf(f, "],\"NUM_PROCESSES\":%d", n);
}

void cmd_json_print(FILE *f, const char *name, int ok, const char *status,
		    const char *text)
{
	fputs("{\"command\":", f);
	cmd_json_string(f, name);
	fprintf(f, ",\"ok\":%s,\"status\":", ok ? "true" : "false");
	cmd_json_string(f, status);
	if (!text)
		text = "";
	if (!ok) {
		size_t n = strlen(text);

		while (n && text[n - 1] == '\n')
			n--;
		fputs(",\"error\":", f);
		json_string_n(f, text, n);
	} else if (!strcmp(name, "list")) {
		json_list(f, text);
	} else {
		json_members(f, text);
		/* a checkpoint that wrote nothing still has an image list */
		if ((!strcmp(name, "bcheckpoint") ||
		     !strcmp(name, "kcheckpoint")) &&
		    !json_key_count(text, "IMAGE", 5))
			fputs(",\"IMAGE\":[]", f);
	}
	fputs("}\n", f);
}
