/*
 * expr-lex.c - the lexer of dmtcp_inspect's C expressions (expr.h):
 * identifiers and the sizeof keyword, integer literals (decimal, 0x
 * hex, 0 octal, u/l suffixes), floating literals, character literals
 * with the usual escapes, and the one- and two-character operators.
 */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lex_fail(struct expr_lex *l, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lex_fail(struct expr_lex *l, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->failed)
		return -1;
	l->failed = 1;
	n = snprintf(l->err, l->errcap, "column %d: ", col);
	if (n < 0 || (size_t)n >= l->errcap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errcap - n, fmt, ap);
	va_end(ap);
	return -1;
}

void expr_lex_init(struct expr_lex *l, const char *src, char *err,
		   size_t errcap)
{
	memset(l, 0, sizeof(*l));
	l->src = l->p = src;
	l->err = err;
	l->errcap = errcap;
	if (errcap)
		err[0] = '\0';
}

static int lex_escape(struct expr_lex *l, const char **pp, int col)
{
	const char *p = *pp;
	int c = (unsigned char)*p++;

	switch (c) {
	case 'n': c = '\n'; break;
	case 't': c = '\t'; break;
	case 'r': c = '\r'; break;
	case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7':
		c -= '0';
		for (int i = 0; i < 2 && *p >= '0' && *p <= '7'; i++)
			c = c * 8 + (*p++ - '0');
		break;
	case 'x':
		if (!isxdigit((unsigned char)*p))
			return lex_fail(l, col, "\\x without hex digits");
		c = 0;
		while (isxdigit((unsigned char)*p)) {
			int d = *p++;
			c = (c * 16 + (isdigit(d) ? d - '0' :
				       tolower(d) - 'a' + 10)) & 0xff;
		}
		break;
	case 'a': c = '\a'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'v': c = '\v'; break;
	case '\\': case '\'': case '"': case '?':
		break;
	case '\0':
		return lex_fail(l, col, "unterminated character literal");
	default:
		return lex_fail(l, col, "unknown escape '\\%c'", c);
	}
	*pp = p;
	return c;
}

static int lex_number(struct expr_lex *l, int col)
{
	const char *s = l->p, *e;
	char *end;

	e = s;
	while (isalnum((unsigned char)*e) || *e == '.' ||
	       ((*e == '+' || *e == '-') && e > s &&
		(e[-1] == 'e' || e[-1] == 'E') &&
		!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))))
		e++;
	if (memchr(s, '.', (size_t)(e - s)) ||
	    (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) &&
	     (memchr(s, 'e', (size_t)(e - s)) ||
	      memchr(s, 'E', (size_t)(e - s))))) {
		errno = 0;
		l->fval = strtod(s, &end);
		if (end == s || errno == ERANGE)
			return lex_fail(l, col, "bad floating constant");
		if (end < e && (*end == 'f' || *end == 'F' || *end == 'l' ||
				*end == 'L'))
			end++;
		if (end != e)
			return lex_fail(l, col, "bad floating constant '%.*s'",
					(int)(e - s), s);
		l->tok = TK_FNUM;
		l->p = e;
		return 0;
	}
	errno = 0;
	l->ival = strtoull(s, &end, 0);
	if (end == s || errno == ERANGE)
		return lex_fail(l, col, "bad integer constant '%.*s'",
				(int)(e - s), s);
	while (end < e) {
		if ((*end == 'u' || *end == 'U') && !l->is_unsigned)
			l->is_unsigned = 1;
		else if ((*end == 'l' || *end == 'L') && l->is_long < 2)
			l->is_long++;
		else
			return lex_fail(l, col, "bad integer constant '%.*s'",
					(int)(e - s), s);
		end++;
	}
	l->tok = TK_NUM;
	l->p = e;
	return 0;
}

int expr_lex_next(struct expr_lex *l)
{
	static const struct { const char s[3]; int tok; } two[] = {
		{ "->", TK_ARROW }, { "==", TK_EQ }, { "!=", TK_NE },
		{ "<=", TK_LE }, { ">=", TK_GE }, { "&&", TK_AND },
		{ "||", TK_OR }, { "<<", TK_SHL }, { ">>", TK_SHR },
	};
	int col;

	if (l->failed)
		return -1;
	while (isspace((unsigned char)*l->p))
		l->p++;
	col = (int)(l->p - l->src) + 1;
	l->col = col;
	l->is_unsigned = l->is_long = 0;
	if (!*l->p) {
		l->tok = TK_EOF;
		return 0;
	}
	if (isalpha((unsigned char)*l->p) || *l->p == '_') {
		size_t n = 0;

		while (isalnum((unsigned char)l->p[n]) || l->p[n] == '_')
			n++;
		if (n >= sizeof(l->ident))
			return lex_fail(l, col, "identifier too long");
		memcpy(l->ident, l->p, n);
		l->ident[n] = '\0';
		l->p += n;
		l->tok = strcmp(l->ident, "sizeof") ? TK_IDENT : TK_SIZEOF;
		return 0;
	}
	if (isdigit((unsigned char)*l->p) ||
	    (*l->p == '.' && isdigit((unsigned char)l->p[1])))
		return lex_number(l, col);
	if (*l->p == '\'') {
		const char *p = l->p + 1;
		int c;

		if (*p == '\'' || !*p)
			return lex_fail(l, col, "empty character literal");
		if (*p == '\\') {
			p++;
			c = lex_escape(l, &p, col);
			if (c < 0)
				return -1;
		} else {
			c = (unsigned char)*p++;
		}
		if (*p != '\'')
			return lex_fail(l, col, "unterminated character "
					"literal");
		l->ival = (uint64_t)(int64_t)(signed char)c;
		l->tok = TK_CHR;
		l->p = p + 1;
		return 0;
	}
	if (*l->p == '"')
		return lex_fail(l, col, "string literals are not supported");
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		if (!strncmp(l->p, two[i].s, 2)) {
			l->tok = two[i].tok;
			l->p += 2;
			return 0;
		}
	if (strchr("+-*/%<>&|^!~()[].?:,", *l->p)) {
		l->tok = (unsigned char)*l->p++;
		return 0;
	}
	if (isprint((unsigned char)*l->p))
		return lex_fail(l, col, "unexpected character '%c'", *l->p);
	return lex_fail(l, col, "unexpected byte 0x%02x",
			(unsigned char)*l->p);
}
