/*
 * expr-print.c - a value of the expression evaluator (eval.h) printed
 * like gdb's `print`: "(int) 42", "(struct node *) 0x5555...",
 * "{a = 1, next = 0x0}", char arrays and char pointers as quoted
 * strings, enums by name, function pointers with their symbol; or as
 * JSON (structs as objects, arrays as arrays, pointers as "0x..."
 * strings).  Memory that cannot be read inside a composite prints as
 * <error: ...> (null in JSON) instead of failing the whole value.
 */
#include "eval.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define PRINT_ELEMS_MAX	200	/* array elements shown */
#define PRINT_STR_MAX	200	/* string bytes shown */
#define PRINT_DEPTH_MAX	8
#define PRINT_TOTAL_MAX	5000	/* values in one print, nested ones too */

struct pctx {
	struct eval_ctx *c;
	FILE *f;
	int json;
	int printed;		/* values printed so far */
};

static void put_char_esc(FILE *f, int ch, int quote, int json)
{
	if (json) {
		char s[2] = { (char)ch, 0 };

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch & 0xff);
		else
			fputs(s, f);
		return;
	}
	switch (ch) {
	case '\n': fputs("\\n", f); return;
	case '\t': fputs("\\t", f); return;
	case '\r': fputs("\\r", f); return;
	case '\\': fputs("\\\\", f); return;
	}
	if (ch == quote)
		fprintf(f, "\\%c", ch);
	else if (isprint(ch))
		fputc(ch, f);
	else
		fprintf(f, "\\%03o", ch & 0xff);
}

/* A string at addr (at most max bytes, up to a NUL): "..." */
static void print_cstring(struct pctx *p, uint64_t addr, uint64_t max)
{
	unsigned char ch;
	uint64_t i;

	fputc('"', p->f);
	for (i = 0; i < max && i < PRINT_STR_MAX; i++) {
		if (insp_mem_read(p->c->mem, addr + i, &ch, 1) < 0) {
			fputc('"', p->f);
			if (!p->json)
				fprintf(p->f, " <error: cannot access memory "
					"at address %#llx>",
					(unsigned long long)(addr + i));
			return;
		}
		if (!ch)
			break;
		put_char_esc(p->f, ch, '"', p->json);
	}
	fputc('"', p->f);
	if (i == PRINT_STR_MAX && !p->json)
		fputs("...", p->f);
}

static int print_any(struct pctx *p, const struct val *v, int depth);

struct members_ctx {
	struct pctx *p;
	const struct val *s;
	int n, depth;
};

static int print_member(const struct ety_member *mb, void *arg)
{
	struct members_ctx *m = arg;
	struct val v;

	memset(&v, 0, sizeof(v));
	v.t = mb->t;
	v.bit_size = mb->bit_size;
	v.bit_off = mb->bit_off;
	if (m->s->kind == VAL_MEM) {
		v.kind = VAL_MEM;
		v.addr = m->s->addr + mb->offset;
	} else {
		v.kind = VAL_BYTES;
		if (mb->offset + mb->t->size <= VAL_BYTES_MAX)
			memcpy(v.bytes, m->s->bytes + mb->offset,
			       mb->t->size);
	}
	if (m->n++)
		fputs(", ", m->p->f);
	if (m->p->json) {
		insp_json_str(m->p->f, mb->name ? mb->name : "");
		fputs(": ", m->p->f);
	} else if (mb->name) {
		fprintf(m->p->f, "%s = ", mb->name);
	}
	print_any(m->p, &v, m->depth + 1);
	return 0;
}

static void print_error(struct pctx *p)
{
	if (p->json)
		fputs("null", p->f);
	else
		fprintf(p->f, "<error: %s>", p->c->err);
	/* a nested failure does not fail the whole value */
	p->c->code = EV_OK;
	p->c->err[0] = '\0';
}

static int print_scalar(struct pctx *p, const struct val *v)
{
	struct eval_ctx *c = p->c;
	const struct ety *t = v->t;
	int64_t i;
	const char *en;

	if (t->kind == TY_FLOAT) {
		/* eval_int would truncate: read the double */
		struct val d;
		double x;

		memset(&d, 0, sizeof(d));
		if (t->size == 4) {
			float fl;

			if (v->kind == VAL_MEM ?
			    eval_read(c, v->addr, &fl, 4) < 0 :
			    (memcpy(&fl, v->bytes, 4), 0))
				return -1;
			x = fl;
			if (p->json && !isfinite(x))
				fputs("null", p->f);
			else
				fprintf(p->f, "%.9g", x);
			return 0;
		}
		if (t->size != 8)
			return eval_fail(c, EV_TYPE, "long double not shown");
		if (v->kind == VAL_MEM ? eval_read(c, v->addr, &x, 8) < 0 :
		    (memcpy(&x, v->bytes, 8), 0))
			return -1;
		if (p->json && !isfinite(x))
			fputs("null", p->f);
		else
			fprintf(p->f, "%.17g", x);
		return 0;
	}
	if (eval_int(c, v, &i) < 0)
		return -1;
	switch (t->kind) {
	case TY_BOOL:
		fputs(i ? "true" : "false", p->f);
		return 0;
	case TY_ENUM:
		en = ety_enum_name(t, i);
		if (en && p->json)
			insp_json_str(p->f, en);
		else if (en)
			fputs(en, p->f);
		else
			fprintf(p->f, "%lld", (long long)i);
		return 0;
	case TY_PTR:
		if (p->json) {
			fprintf(p->f, "\"0x%llx\"", (unsigned long long)i);
			return 0;
		}
		fprintf(p->f, "0x%llx", (unsigned long long)i);
		if (!i)
			return 0;
		if (t->target && t->target->kind == TY_FUNC) {
			struct insp_sym s;

			if (insp_dwfl_symbolize(c->d, (uint64_t)i, 0, &s) == 0
			    && s.func)
				fprintf(p->f, " <%s>", s.func);
		} else if (t->target && t->target->is_char &&
			   t->target->kind == TY_INT) {
			fputc(' ', p->f);
			print_cstring(p, (uint64_t)i, PRINT_STR_MAX);
		}
		return 0;
	default:
		break;
	}
	if (t->is_signed)
		fprintf(p->f, "%lld", (long long)i);
	else
		fprintf(p->f, "%llu", (unsigned long long)(t->size < 8 ?
			(uint64_t)i & ((1ull << (8 * t->size)) - 1) :
			(uint64_t)i));
	if (t->is_char && !p->json) {
		fputs(" '", p->f);
		put_char_esc(p->f, (int)(i & 0xff), '\'', 0);
		fputc('\'', p->f);
	}
	return 0;
}

static int print_array(struct pctx *p, const struct val *v, int depth)
{
	const struct ety *et = v->t->target;
	uint64_t n = v->t->count, k;

	if (v->kind != VAL_MEM)
		return eval_fail(p->c, EV_OPTIMIZED, "array in registers: "
				 "<optimized out>");
	if (et && et->is_char && et->kind == TY_INT && et->size == 1) {
		print_cstring(p, v->addr, n ? n : PRINT_STR_MAX);
		return 0;
	}
	fputc(p->json ? '[' : '{', p->f);
	for (k = 0; k < n && k < PRINT_ELEMS_MAX; k++) {
		struct val e;

		memset(&e, 0, sizeof(e));
		e.t = (struct ety *)et;
		e.kind = VAL_MEM;
		e.addr = v->addr + k * et->size;
		if (k)
			fputs(", ", p->f);
		print_any(p, &e, depth + 1);
	}
	if (k < n && !p->json)
		fputs("...", p->f);
	fputc(p->json ? ']' : '}', p->f);
	return 0;
}

static int print_any(struct pctx *p, const struct val *v, int depth)
{
	const struct ety *t = v->t;
	int rc = 0;

	if (depth > PRINT_DEPTH_MAX || p->printed >= PRINT_TOTAL_MAX) {
		fputs(p->json ? "null" : "...", p->f);
		return 0;
	}
	p->printed++;
	switch (t->kind) {
	case TY_STRUCT:
	case TY_UNION: {
		struct members_ctx m = { p, v, 0, depth };

		fputc('{', p->f);
		rc = ety_members(p->c, t, print_member, &m);
		fputc('}', p->f);
		break;
	}
	case TY_ARRAY:
		rc = print_array(p, v, depth);
		break;
	case TY_VOID:
		fputs(p->json ? "null" : "void", p->f);
		return 0;
	case TY_FUNC:
		fprintf(p->f, p->json ? "\"%#llx\"" : "{function} %#llx",
			(unsigned long long)v->addr);
		return 0;
	case TY_NODEBUG: {
		char msg[sizeof(p->c->err)];

		snprintf(msg, sizeof(msg), "%s", p->c->err[0] ? p->c->err :
			 "unknown type (no debug info)");
		p->c->err[0] = '\0';
		rc = eval_fail(p->c, EV_NODEBUG, "%s", msg);
		break;
	}
	default:
		rc = print_scalar(p, v);
	}
	if (rc < 0 && depth > 0) {
		print_error(p);
		return 0;
	}
	return rc;
}

/* A composite in memory must start in the image: "cannot access
 * memory at 0x10" rather than a struct of errors */
static int readable(struct eval_ctx *c, const struct val *v)
{
	unsigned char b;

	if (v->kind != VAL_MEM || ety_is_scalar(v->t) || !v->t->size)
		return 0;
	return eval_read(c, v->addr, &b, 1);
}

int eval_print(struct eval_ctx *c, const struct val *v, FILE *f)
{
	struct pctx p = { c, f, 0, 0 };
	char tn[256];

	if (readable(c, v) < 0)
		return -1;

	/* a top-level scalar must be readable before anything is shown */
	if (ety_is_scalar(v->t) || v->t->kind == TY_NODEBUG) {
		int64_t i;

		if (v->t->kind == TY_NODEBUG)
			return print_any(&p, v, 0);
		if (v->t->kind != TY_FLOAT && eval_int(c, v, &i) < 0)
			return -1;
	}
	fprintf(f, "(%s) ", ety_name(v->t, tn, sizeof(tn)));
	if (print_any(&p, v, 0) < 0)
		return -1;
	fputc('\n', f);
	return 0;
}

int eval_print_value(struct eval_ctx *c, const struct val *v, FILE *f)
{
	struct pctx p = { c, f, 0, 0 };

	if (readable(c, v) < 0)
		return -1;
	return print_any(&p, v, 0);
}

int eval_print_json(struct eval_ctx *c, const struct val *v, FILE *f)
{
	struct pctx p = { c, f, 1, 0 };

	if (readable(c, v) < 0)
		return -1;
	return print_any(&p, v, 0);
}
