/*
 * expr-parse.c - the recursive-descent parser of dmtcp_inspect's C
 * expressions (expr.h): one function per precedence level, casts told
 * apart from parenthesized expressions by the type keywords and the
 * caller's is_type callback.
 */
#include "expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct expr_lex l;
	expr_is_type_fn is_type;
	void *arg;
	int depth;
};

#define MAX_DEPTH	200

static struct expr *parse_expr(struct parser *p);
static struct expr *parse_unary(struct parser *p);

static struct expr *fail(struct parser *p, int col, const char *what)
{
	if (!p->l.failed) {
		p->l.failed = 1;
		snprintf(p->l.err, p->l.errcap, "column %d: %s", col, what);
	}
	return NULL;
}

static int next(struct parser *p)
{
	return expr_lex_next(&p->l);
}

static struct expr *node(struct parser *p, enum expr_kind k, int col)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (!e)
		return fail(p, col, "out of memory");
	e->kind = k;
	e->col = col;
	return e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->a);
	expr_free(e->b);
	free(e->name);
	free(e);
}

static const char *const type_words[] = {
	"void", "char", "short", "int", "long", "float", "double", "signed",
	"unsigned", "_Bool", "struct", "union", "enum", "const", "volatile",
};

static int is_type_word(const char *s)
{
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]);
	     i++)
		if (!strcmp(s, type_words[i]))
			return 1;
	return 0;
}

/* Does the token after '(' start a type name? */
static int starts_type(struct parser *p)
{
	if (p->l.tok != TK_IDENT)
		return 0;
	return is_type_word(p->l.ident) ||
	       (p->is_type && p->is_type(p->l.ident, p->arg));
}

static int append_word(struct parser *p, struct expr_type *t,
		       const char *w)
{
	size_t n = strlen(t->base);

	if (n + strlen(w) + 2 > sizeof(t->base)) {
		fail(p, p->l.col, "type name too long");
		return -1;
	}
	snprintf(t->base + n, sizeof(t->base) - n, "%s%s", n ? " " : "", w);
	return 0;
}

/* TYPE up to (not including) the ')'. */
static int parse_type(struct parser *p, struct expr_type *t)
{
	int col = p->l.col, words = 0, named = 0;

	memset(t, 0, sizeof(*t));
	while (p->l.tok == TK_IDENT) {
		const char *w = p->l.ident;

		if (!strcmp(w, "const") || !strcmp(w, "volatile")) {
			if (next(p) < 0)
				return -1;
			continue;
		}
		if (!strcmp(w, "struct") || !strcmp(w, "union") ||
		    !strcmp(w, "enum")) {
			if (words)
				break;
			if (append_word(p, t, w) < 0 || next(p) < 0)
				return -1;
			if (p->l.tok != TK_IDENT) {
				fail(p, p->l.col, "expected a tag name");
				return -1;
			}
			if (append_word(p, t, p->l.ident) < 0 || next(p) < 0)
				return -1;
			words++;
			named = 1;
			continue;
		}
		if (named)
			break;
		if (!is_type_word(w)) {
			if (words)	/* "unsigned x": x is not a type */
				break;
			named = 1;	/* a typedef name */
		}
		if (append_word(p, t, w) < 0 || next(p) < 0)
			return -1;
		words++;
	}
	if (!words) {
		fail(p, col, "expected a type name");
		return -1;
	}
	while (p->l.tok == '*' || (p->l.tok == TK_IDENT &&
				   (!strcmp(p->l.ident, "const") ||
				    !strcmp(p->l.ident, "volatile")))) {
		if (p->l.tok == '*')
			t->ptr++;
		if (next(p) < 0)
			return -1;
	}
	return 0;
}

static int expect(struct parser *p, int tok, const char *what)
{
	if (p->l.tok != tok) {
		char msg[96];

		snprintf(msg, sizeof(msg), "expected %s%s", what,
			 p->l.tok == TK_EOF ? " at the end" : "");
		fail(p, p->l.col, msg);
		return -1;
	}
	return next(p);
}

static struct expr *parse_primary(struct parser *p)
{
	struct expr *e;
	int col = p->l.col;

	switch (p->l.tok) {
	case TK_NUM:
	case TK_CHR:
		e = node(p, p->l.tok == TK_NUM ? EX_INT : EX_CHAR, col);
		if (!e)
			return NULL;
		e->ival = p->l.ival;
		e->is_unsigned = p->l.is_unsigned;
		e->is_long = p->l.is_long;
		break;
	case TK_FNUM:
		e = node(p, EX_FLOAT, col);
		if (!e)
			return NULL;
		e->fval = p->l.fval;
		break;
	case TK_IDENT:
		if (is_type_word(p->l.ident))
			return fail(p, col, "a type name here needs "
				    "parentheses: (TYPE)");
		e = node(p, EX_IDENT, col);
		if (!e)
			return NULL;
		e->name = strdup(p->l.ident);
		if (!e->name) {
			free(e);
			return fail(p, col, "out of memory");
		}
		break;
	case '(':
		if (next(p) < 0)
			return NULL;
		e = parse_expr(p);
		if (!e)
			return NULL;
		if (expect(p, ')', "')'") < 0) {
			expr_free(e);
			return NULL;
		}
		return e;
	case TK_EOF:
		return fail(p, col, "expected an expression at the end");
	default:
		return fail(p, col, "expected an expression");
	}
	if (next(p) < 0) {
		expr_free(e);
		return NULL;
	}
	return e;
}

static struct expr *parse_postfix(struct parser *p)
{
	struct expr *e = parse_primary(p), *n;

	while (e) {
		int tok = p->l.tok, col = p->l.col;

		if (tok == '[') {
			n = node(p, EX_INDEX, col);
			if (!n)
				goto err;
			n->a = e;
			e = n;
			if (next(p) < 0)
				goto err;
			n->b = parse_expr(p);
			if (!n->b || expect(p, ']', "']'") < 0)
				goto err;
		} else if (tok == '.' || tok == TK_ARROW) {
			n = node(p, tok == '.' ? EX_MEMBER : EX_ARROW, col);
			if (!n)
				goto err;
			n->a = e;
			e = n;
			if (next(p) < 0)
				goto err;
			if (p->l.tok != TK_IDENT) {
				fail(p, p->l.col, "expected a member name");
				goto err;
			}
			n->name = strdup(p->l.ident);
			if (!n->name) {
				fail(p, col, "out of memory");
				goto err;
			}
			if (next(p) < 0)
				goto err;
		} else {
			break;
		}
	}
	return e;
err:
	expr_free(e);
	return NULL;
}

static struct expr *parse_unary(struct parser *p)
{
	int tok = p->l.tok, col = p->l.col;
	struct expr *e;

	if (++p->depth > MAX_DEPTH)
		return fail(p, col, "expression nested too deeply");
	if (tok == '-' || tok == '+' || tok == '!' || tok == '~' ||
	    tok == '*' || tok == '&') {
		e = node(p, EX_UNARY, col);
		if (!e)
			return NULL;
		e->op = tok;
		if (next(p) < 0 || !(e->a = parse_unary(p))) {
			expr_free(e);
			return NULL;
		}
	} else if (tok == TK_SIZEOF) {
		if (next(p) < 0)
			return NULL;
		if (p->l.tok == '(') {
			struct expr_lex save = p->l;

			if (next(p) < 0)
				return NULL;
			if (starts_type(p)) {
				e = node(p, EX_SIZEOF_TYPE, col);
				if (!e)
					return NULL;
				if (parse_type(p, &e->type) < 0 ||
				    expect(p, ')', "')'") < 0) {
					expr_free(e);
					return NULL;
				}
				p->depth--;
				return e;
			}
			p->l = save;	/* sizeof (expr): a primary */
		}
		e = node(p, EX_SIZEOF_EXPR, col);
		if (!e)
			return NULL;
		if (!(e->a = parse_unary(p))) {
			expr_free(e);
			return NULL;
		}
	} else if (tok == '(') {
		struct expr_lex save = p->l;

		if (next(p) < 0)
			return NULL;
		if (!starts_type(p)) {
			p->l = save;
			e = parse_postfix(p);
		} else {
			e = node(p, EX_CAST, col);
			if (!e)
				return NULL;
			if (parse_type(p, &e->type) < 0 ||
			    expect(p, ')', "')' after the type") < 0 ||
			    !(e->a = parse_unary(p))) {
				expr_free(e);
				return NULL;
			}
		}
	} else {
		e = parse_postfix(p);
	}
	p->depth--;
	return e;
}

/* Binary levels, lowest precedence first */
static const int levels[][5] = {
	{ TK_OR },
	{ TK_AND },
	{ '|' },
	{ '^' },
	{ '&' },
	{ TK_EQ, TK_NE },
	{ '<', TK_LE, '>', TK_GE },
	{ TK_SHL, TK_SHR },
	{ '+', '-' },
	{ '*', '/', '%' },
};
#define NLEVELS	((int)(sizeof(levels) / sizeof(levels[0])))

static int at_level(int lvl, int tok)
{
	for (int i = 0; i < 5 && levels[lvl][i]; i++)
		if (levels[lvl][i] == tok)
			return 1;
	return 0;
}

static struct expr *parse_level(struct parser *p, int lvl)
{
	struct expr *e, *n;

	if (lvl == NLEVELS)
		return parse_unary(p);
	e = parse_level(p, lvl + 1);
	while (e && at_level(lvl, p->l.tok)) {
		n = node(p, EX_BINARY, p->l.col);
		if (!n) {
			expr_free(e);
			return NULL;
		}
		n->op = p->l.tok;
		n->a = e;
		e = n;
		if (next(p) < 0 || !(n->b = parse_level(p, lvl + 1))) {
			expr_free(e);
			return NULL;
		}
	}
	return e;
}

static struct expr *parse_expr(struct parser *p)
{
	return parse_level(p, 0);
}

struct expr *expr_parse(const char *src, expr_is_type_fn is_type, void *arg,
			char *err, size_t errcap)
{
	struct parser p;
	struct expr *e;

	memset(&p, 0, sizeof(p));
	expr_lex_init(&p.l, src, err, errcap);
	p.is_type = is_type;
	p.arg = arg;
	if (next(&p) < 0)
		return NULL;
	e = parse_expr(&p);
	if (e && p.l.tok != TK_EOF) {
		char msg[200];

		snprintf(msg, sizeof(msg), "unexpected '%s' after the "
			 "expression", p.l.tok == TK_IDENT ? p.l.ident :
			 p.l.tok == TK_NUM || p.l.tok == TK_FNUM ? "number" :
			 expr_op_name(p.l.tok));
		fail(&p, p.l.col, msg);
		expr_free(e);
		return NULL;
	}
	return e;
}

const char *expr_op_name(int op)
{
	static char one[2];

	switch (op) {
	case TK_ARROW: return "->";
	case TK_EQ: return "==";
	case TK_NE: return "!=";
	case TK_LE: return "<=";
	case TK_GE: return ">=";
	case TK_AND: return "&&";
	case TK_OR: return "||";
	case TK_SHL: return "<<";
	case TK_SHR: return ">>";
	case TK_SIZEOF: return "sizeof";
	default:
		one[0] = (char)op;
		one[1] = '\0';
		return one;
	}
}

static size_t fmt(const struct expr *e, char *buf, size_t cap);

static size_t put(char *buf, size_t cap, size_t n, const char *s)
{
	size_t l = strlen(s);

	if (n < cap)
		snprintf(buf + n, cap - n, "%s", s);
	return n + l;
}

static size_t fmt(const struct expr *e, char *buf, size_t cap)
{
	char tmp[200];
	size_t n = 0;

	switch (e->kind) {
	case EX_INT:
		snprintf(tmp, sizeof(tmp), "%llu%s%s",
			 (unsigned long long)e->ival, e->is_unsigned ? "u" : "",
			 e->is_long ? "l" : "");
		return put(buf, cap, 0, tmp);
	case EX_CHAR:
		snprintf(tmp, sizeof(tmp), "'\\%o'",
			 (unsigned)(e->ival & 0xff));
		return put(buf, cap, 0, tmp);
	case EX_FLOAT:
		snprintf(tmp, sizeof(tmp), "%g", e->fval);
		return put(buf, cap, 0, tmp);
	case EX_IDENT:
		return put(buf, cap, 0, e->name);
	case EX_MEMBER:
	case EX_ARROW:
		n = put(buf, cap, 0, "(");
		n += fmt(e->a, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
		n = put(buf, cap, n, e->kind == EX_MEMBER ? "." : "->");
		n = put(buf, cap, n, e->name);
		return put(buf, cap, n, ")");
	case EX_INDEX:
		n = put(buf, cap, 0, "(");
		n += fmt(e->a, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
		n = put(buf, cap, n, "[");
		n += fmt(e->b, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
		return put(buf, cap, n, "])");
	case EX_UNARY:
	case EX_SIZEOF_EXPR:
		n = put(buf, cap, 0, "(");
		n = put(buf, cap, n, e->kind == EX_UNARY ?
			expr_op_name(e->op) : "sizeof ");
		n += fmt(e->a, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
		return put(buf, cap, n, ")");
	case EX_BINARY:
		n = put(buf, cap, 0, "(");
		n += fmt(e->a, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
		n = put(buf, cap, n, " ");
		n = put(buf, cap, n, expr_op_name(e->op));
		n = put(buf, cap, n, " ");
		n += fmt(e->b, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
		return put(buf, cap, n, ")");
	case EX_CAST:
	case EX_SIZEOF_TYPE:
		snprintf(tmp, sizeof(tmp), "%s(%s%s%.*s)",
			 e->kind == EX_CAST ? "(" : "(sizeof ", e->type.base,
			 e->type.ptr ? " " : "", e->type.ptr,
			 "****************");
		n = put(buf, cap, 0, tmp);
		if (e->kind == EX_CAST)
			n += fmt(e->a, n < cap ? buf + n : NULL,
				 n < cap ? cap - n : 0);
		return put(buf, cap, n, ")");
	}
	return 0;
}

char *expr_format(const struct expr *e, char *buf, size_t cap)
{
	if (cap)
		buf[0] = '\0';
	fmt(e, buf, cap);
	return buf;
}
