/*
 * expr-eval.c - evaluates a parsed C expression (expr.h) against an
 * image (eval.h): C's usual arithmetic conversions on 64-bit values
 * (integers promoted to int, long or unsigned long, doubles), pointer
 * arithmetic scaled by the pointee's size, array-to-pointer decay,
 * members by name (anonymous members searched), casts between scalars
 * and reinterpretation of memory (a cast of a value without debug info
 * reads it as that type, as gdb does).  Memory is read only where a
 * value is used: an lvalue stays an address until then.
 */
#include "eval.h"

#include <string.h>

int eval_read(struct eval_ctx *c, uint64_t addr, void *buf, size_t n)
{
	if (insp_mem_read(c->mem, addr, buf, n) < 0) {
		uint64_t a;
		unsigned char b;

		/* the first byte that cannot be read */
		for (a = addr; a < addr + n; a++)
			if (insp_mem_read(c->mem, a, &b, 1) < 0)
				break;
		return eval_fail(c, EV_MEMORY, "cannot access memory at "
				 "address %#llx (not in the image %s)",
				 (unsigned long long)(a < addr + n ? a : addr),
				 c->m->path);
	}
	return 0;
}

static int need_type(struct eval_ctx *c, const struct val *v)
{
	if (v->t->kind == TY_NODEBUG) {
		if (!c->code && c->err[0] && strstr(c->err, "unknown type")) {
			c->code = EV_NODEBUG;
			return -1;
		}
		return eval_fail(c, EV_NODEBUG, "value of unknown type (no "
				 "debug info): cast it to its declared type");
	}
	return 0;
}

/* The raw bits of a scalar value, zero- or sign-extended */
static int raw_u64(struct eval_ctx *c, const struct val *v, uint64_t *out)
{
	unsigned char b[16] = { 0 };
	uint64_t u = 0;
	size_t n = v->t->size;

	if (need_type(c, v) < 0)
		return -1;
	if (v->t->kind == TY_ARRAY || v->t->kind == TY_FUNC) {
		if (v->kind != VAL_MEM)
			return eval_fail(c, EV_TYPE, "array not in memory");
		*out = v->addr;	/* decays to its address */
		return 0;
	}
	if (!ety_is_scalar(v->t) || n == 0 || n > 16)
		return eval_fail(c, EV_TYPE, "a %s is not a scalar",
				 v->t->name ? v->t->name : "value");
	if (v->bit_size) {
		size_t nb = (size_t)(v->bit_off + v->bit_size + 7) / 8;

		if (nb > 8)
			return eval_fail(c, EV_TYPE, "bit-field too wide");
		if (eval_read(c, v->addr, b, nb) < 0)
			return -1;
		memcpy(&u, b, 8);
		u >>= v->bit_off;
		if (v->bit_size < 64)
			u &= (1ull << v->bit_size) - 1;
		if (v->t->is_signed && v->bit_size < 64 &&
		    (u >> (v->bit_size - 1)) & 1)
			u |= ~0ull << v->bit_size;
		*out = u;
		return 0;
	}
	if (v->kind == VAL_MEM) {
		if (eval_read(c, v->addr, b, n) < 0)
			return -1;
	} else {
		memcpy(b, v->bytes, n);
	}
	if (n > 8)
		n = 8;
	memcpy(&u, b, n);
	if (n < 8 && v->t->is_signed && v->t->kind != TY_FLOAT &&
	    (u >> (8 * n - 1)) & 1)
		u |= ~0ull << (8 * n);
	*out = u;
	return 0;
}

static int get_double(struct eval_ctx *c, const struct val *v, double *d)
{
	uint64_t u;

	if (raw_u64(c, v, &u) < 0)
		return -1;
	if (v->t->kind == TY_FLOAT) {
		if (v->t->size == 4) {
			float f;
			uint32_t w = (uint32_t)u;

			memcpy(&f, &w, 4);
			*d = f;
		} else if (v->t->size == 8) {
			memcpy(d, &u, 8);
		} else {
			long double ld;
			unsigned char b[16] = { 0 };

			if (v->kind == VAL_MEM ?
			    eval_read(c, v->addr, b, 16) < 0 : 0)
				return -1;
			if (v->kind != VAL_MEM)
				memcpy(b, v->bytes, 16);
			memcpy(&ld, b, sizeof(ld) < 16 ? sizeof(ld) : 16);
			*d = (double)ld;
		}
	} else if (v->t->is_signed) {
		*d = (double)(int64_t)u;
	} else {
		*d = (double)u;
	}
	return 0;
}

int eval_int(struct eval_ctx *c, const struct val *v, int64_t *out)
{
	uint64_t u;
	double d;

	if (v->t->kind == TY_FLOAT) {
		if (get_double(c, v, &d) < 0)
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	if (raw_u64(c, v, &u) < 0)
		return -1;
	*out = (int64_t)u;
	return 0;
}

int eval_truth(struct eval_ctx *c, const struct val *v, int *out)
{
	double d;
	uint64_t u;

	if (v->t->kind == TY_FLOAT) {
		if (get_double(c, v, &d) < 0)
			return -1;
		*out = d != 0;
		return 0;
	}
	if (raw_u64(c, v, &u) < 0)
		return -1;
	*out = u != 0;
	return 0;
}

static int mk_u64(struct eval_ctx *c, struct val *out, struct ety *t,
		  uint64_t u)
{
	if (!t)
		return -1;
	memset(out, 0, sizeof(*out));
	out->t = t;
	out->kind = VAL_BYTES;
	memcpy(out->bytes, &u, 8);
	(void)c;
	return 0;
}

static int mk_double(struct eval_ctx *c, struct val *out, struct ety *t,
		     double d)
{
	if (!t)
		return -1;
	memset(out, 0, sizeof(*out));
	out->t = t;
	out->kind = VAL_BYTES;
	if (t->size == 4) {
		float f = (float)d;

		memcpy(out->bytes, &f, 4);
	} else {
		memcpy(out->bytes, &d, 8);
		if (t->size != 8)
			out->t = ety_builtin(c, "double");
	}
	return out->t ? 0 : -1;
}

/* Converts a scalar to type t (a cast) */
static int convert(struct eval_ctx *c, const struct val *v, struct ety *t,
		   struct val *out)
{
	uint64_t u;
	double d;

	if (t->kind == TY_FLOAT) {
		if (get_double(c, v, &d) < 0)
			return -1;
		return mk_double(c, out, t, d);
	}
	if (v->t->kind == TY_FLOAT) {
		if (get_double(c, v, &d) < 0)
			return -1;
		u = t->is_signed ? (uint64_t)(int64_t)d : (uint64_t)d;
	} else if (raw_u64(c, v, &u) < 0) {
		return -1;
	}
	if (t->kind == TY_BOOL)
		u = u != 0;
	else if (t->size < 8) {
		u &= (1ull << (8 * t->size)) - 1;
		if (t->is_signed && (u >> (8 * t->size - 1)) & 1)
			u |= ~0ull << (8 * t->size);
	}
	return mk_u64(c, out, t, u);
}

/* The type of integer arithmetic on a and b (promotions, C rules for
 * LP64) */
static struct ety *arith_type(struct eval_ctx *c, const struct ety *a,
			      const struct ety *b)
{
	uint64_t sa = a->kind == TY_BOOL ? 1 : a->size;
	uint64_t sb = b->kind == TY_BOOL ? 1 : b->size;

	if (sa < 8 && sb < 8)
		return ety_builtin(c, ((sa == 4 && !a->is_signed &&
					a->kind != TY_ENUM) ||
				       (sb == 4 && !b->is_signed &&
					b->kind != TY_ENUM)) ?
				   "unsigned int" : "int");
	if ((sa == 8 && !a->is_signed) || (sb == 8 && !b->is_signed))
		return ety_builtin(c, "unsigned long");
	return ety_builtin(c, "long");
}

static struct ety *decay(struct eval_ctx *c, struct ety *t)
{
	if (t->kind == TY_ARRAY)
		return ety_ptr(c, t->target);
	if (t->kind == TY_FUNC)
		return ety_ptr(c, t);
	return t;
}

static uint64_t elem_size(const struct ety *ptr)
{
	const struct ety *t = ptr->target;

	return t && t->size ? t->size : 1;	/* void *: bytes */
}

static int is_ptrish(const struct ety *t)
{
	return t->kind == TY_PTR || t->kind == TY_ARRAY ||
	       t->kind == TY_FUNC;
}

static int binary(struct eval_ctx *c, const struct expr *e, struct val *out)
{
	struct val a, b;
	struct ety *t;
	int op = e->op, ta, tb;

	if (op == TK_AND || op == TK_OR) {
		if (eval_expr(c, e->a, &a) < 0 || eval_truth(c, &a, &ta) < 0)
			return -1;
		if ((op == TK_AND && !ta) || (op == TK_OR && ta))
			return mk_u64(c, out, ety_builtin(c, "int"), ta);
		if (eval_expr(c, e->b, &b) < 0 || eval_truth(c, &b, &tb) < 0)
			return -1;
		return mk_u64(c, out, ety_builtin(c, "int"), tb);
	}
	if (eval_expr(c, e->a, &a) < 0 || eval_expr(c, e->b, &b) < 0)
		return -1;
	if (need_type(c, &a) < 0 || need_type(c, &b) < 0)
		return -1;
	if (!ety_is_scalar(a.t) && !is_ptrish(a.t))
		return eval_fail(c, EV_TYPE, "column %d: '%s' needs a scalar "
				 "on its left, not a %s", e->col,
				 expr_op_name(op), a.t->name ? a.t->name :
				 "composite");
	if (!ety_is_scalar(b.t) && !is_ptrish(b.t))
		return eval_fail(c, EV_TYPE, "column %d: '%s' needs a scalar "
				 "on its right, not a %s", e->col,
				 expr_op_name(op), b.t->name ? b.t->name :
				 "composite");
	/* pointers */
	if (is_ptrish(a.t) || is_ptrish(b.t)) {
		uint64_t ua, ub;
		struct ety *pa = decay(c, a.t), *pb = decay(c, b.t);

		if (!pa || !pb || raw_u64(c, &a, &ua) < 0 ||
		    raw_u64(c, &b, &ub) < 0)
			return -1;
		if (op == '+' && pa->kind == TY_PTR && ety_is_integer(pb))
			return mk_u64(c, out, pa, ua + ub * elem_size(pa));
		if (op == '+' && pb->kind == TY_PTR && ety_is_integer(pa))
			return mk_u64(c, out, pb, ub + ua * elem_size(pb));
		if (op == '-' && pa->kind == TY_PTR && ety_is_integer(pb))
			return mk_u64(c, out, pa, ua - ub * elem_size(pa));
		if (op == '-' && pa->kind == TY_PTR && pb->kind == TY_PTR)
			return mk_u64(c, out, ety_builtin(c, "long"),
				      (uint64_t)((int64_t)(ua - ub) /
						 (int64_t)elem_size(pa)));
		switch (op) {
		case TK_EQ: return mk_u64(c, out, ety_builtin(c, "int"), ua == ub);
		case TK_NE: return mk_u64(c, out, ety_builtin(c, "int"), ua != ub);
		case '<': return mk_u64(c, out, ety_builtin(c, "int"), ua < ub);
		case TK_LE: return mk_u64(c, out, ety_builtin(c, "int"), ua <= ub);
		case '>': return mk_u64(c, out, ety_builtin(c, "int"), ua > ub);
		case TK_GE: return mk_u64(c, out, ety_builtin(c, "int"), ua >= ub);
		}
		return eval_fail(c, EV_TYPE, "column %d: '%s' is not defined "
				 "on pointers", e->col, expr_op_name(op));
	}
	/* floating point */
	if (a.t->kind == TY_FLOAT || b.t->kind == TY_FLOAT) {
		double x, y;

		if (get_double(c, &a, &x) < 0 || get_double(c, &b, &y) < 0)
			return -1;
		t = ety_builtin(c, "double");
		switch (op) {
		case '+': return mk_double(c, out, t, x + y);
		case '-': return mk_double(c, out, t, x - y);
		case '*': return mk_double(c, out, t, x * y);
		case '/':
			if (y == 0)
				return eval_fail(c, EV_ARITH, "column %d: "
						 "division by zero", e->col);
			return mk_double(c, out, t, x / y);
		case TK_EQ: return mk_u64(c, out, ety_builtin(c, "int"), x == y);
		case TK_NE: return mk_u64(c, out, ety_builtin(c, "int"), x != y);
		case '<': return mk_u64(c, out, ety_builtin(c, "int"), x < y);
		case TK_LE: return mk_u64(c, out, ety_builtin(c, "int"), x <= y);
		case '>': return mk_u64(c, out, ety_builtin(c, "int"), x > y);
		case TK_GE: return mk_u64(c, out, ety_builtin(c, "int"), x >= y);
		}
		return eval_fail(c, EV_TYPE, "column %d: '%s' needs integers",
				 e->col, expr_op_name(op));
	}
	/* integers */
	{
		uint64_t ua, ub, r;
		int sgn;

		if (raw_u64(c, &a, &ua) < 0 || raw_u64(c, &b, &ub) < 0)
			return -1;
		t = arith_type(c, a.t, b.t);
		if (!t)
			return -1;
		if (op == TK_SHL || op == TK_SHR)	/* the left's type */
			t = arith_type(c, a.t, a.t);
		sgn = t->is_signed;
		if (t->size == 4) {	/* operands converted to 32 bits */
			ua = sgn ? (uint64_t)(int64_t)(int32_t)ua : (uint32_t)ua;
			ub = sgn ? (uint64_t)(int64_t)(int32_t)ub : (uint32_t)ub;
		}
		switch (op) {
		case '+': r = ua + ub; break;
		case '-': r = ua - ub; break;
		case '*': r = ua * ub; break;
		case '/':
		case '%':
			if (!ub)
				return eval_fail(c, EV_ARITH, "column %d: "
						 "division by zero", e->col);
			if (sgn && (int64_t)ub == -1)	/* no INT_MIN / -1 trap */
				r = op == '/' ? -ua : 0;
			else if (sgn)
				r = op == '/' ?
				    (uint64_t)((int64_t)ua / (int64_t)ub) :
				    (uint64_t)((int64_t)ua % (int64_t)ub);
			else
				r = op == '/' ? ua / ub : ua % ub;
			break;
		case '&': r = ua & ub; break;
		case '|': r = ua | ub; break;
		case '^': r = ua ^ ub; break;
		case TK_SHL: r = ub >= 64 ? 0 : ua << ub; break;
		case TK_SHR:
			if (ub >= 64)
				r = sgn && (int64_t)ua < 0 ? ~0ull : 0;
			else
				r = sgn ? (uint64_t)((int64_t)ua >> ub) :
				    ua >> ub;
			break;
		case TK_EQ: case TK_NE: case '<': case TK_LE: case '>':
		case TK_GE: {
			int lt = sgn ? (int64_t)ua < (int64_t)ub : ua < ub;
			int eq = ua == ub;

			r = op == TK_EQ ? eq : op == TK_NE ? !eq :
			    op == '<' ? lt : op == TK_LE ? lt || eq :
			    op == '>' ? !lt && !eq : !lt;
			return mk_u64(c, out, ety_builtin(c, "int"), r);
		}
		default:
			return eval_fail(c, EV_TYPE, "column %d: operator '%s'"
					 " not supported", e->col,
					 expr_op_name(op));
		}
		if (t->size == 4)
			r = sgn ? (uint64_t)(int64_t)(int32_t)r : (uint32_t)r;
		return mk_u64(c, out, t, r);
	}
}

struct member_find {
	const char *name;
	struct ety_member mb;
	struct eval_ctx *c;
	int depth;
};

static int member_cb(const struct ety_member *mb, void *arg)
{
	struct member_find *f = arg;

	if (mb->name && !strcmp(mb->name, f->name)) {
		f->mb = *mb;
		return 1;
	}
	if (!mb->name && (mb->t->kind == TY_STRUCT ||
			  mb->t->kind == TY_UNION) && f->depth < 8) {
		struct member_find sub = { f->name, { 0 }, f->c,
					   f->depth + 1 };

		if (ety_members(f->c, mb->t, member_cb, &sub) == 1) {
			f->mb = sub.mb;
			f->mb.offset += mb->offset;
			return 1;
		}
	}
	return 0;
}

static int member(struct eval_ctx *c, const struct expr *e,
		  const struct val *s, struct val *out)
{
	struct member_find f = { e->name, { 0 }, c, 0 };
	char tn[256];
	int rc;

	if (s->t->kind != TY_STRUCT && s->t->kind != TY_UNION)
		return eval_fail(c, EV_TYPE, "column %d: '%s' of a value of "
				 "type %s, not a struct or union", e->col,
				 e->name, ety_name(s->t, tn, sizeof(tn)));
	rc = ety_members(c, s->t, member_cb, &f);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return eval_fail(c, EV_UNKNOWN, "column %d: %s has no member "
				 "named '%s'", e->col,
				 ety_name(s->t, tn, sizeof(tn)), e->name);
	memset(out, 0, sizeof(*out));
	out->t = f.mb.t;
	out->bit_size = f.mb.bit_size;
	out->bit_off = f.mb.bit_off;
	if (s->kind == VAL_MEM) {
		out->kind = VAL_MEM;
		out->addr = s->addr + f.mb.offset;
		return 0;
	}
	if (f.mb.bit_size || f.mb.offset + f.mb.t->size > VAL_BYTES_MAX)
		return eval_fail(c, EV_OPTIMIZED, "column %d: member '%s' of "
				 "a value in registers: <optimized out>",
				 e->col, e->name);
	out->kind = VAL_BYTES;
	memcpy(out->bytes, s->bytes + f.mb.offset, f.mb.t->size);
	return 0;
}

/* *p: the lvalue p points to */
static int deref(struct eval_ctx *c, const struct expr *e,
		 const struct val *p, struct val *out)
{
	struct ety *pt = decay(c, p->t);
	uint64_t addr;
	char tn[256];

	if (!pt)
		return -1;
	if (pt->kind != TY_PTR)
		return eval_fail(c, EV_TYPE, "column %d: cannot dereference "
				 "a value of type %s", e->col,
				 ety_name(p->t, tn, sizeof(tn)));
	if (!pt->target || pt->target->kind == TY_VOID)
		return eval_fail(c, EV_TYPE, "column %d: cannot dereference "
				 "a void pointer (cast it first)", e->col);
	if (raw_u64(c, p, &addr) < 0)
		return -1;
	if (!addr)
		return eval_fail(c, EV_MEMORY, "column %d: NULL pointer "
				 "dereferenced (cannot access memory at "
				 "address 0x0)", e->col);
	memset(out, 0, sizeof(*out));
	out->t = pt->target;
	out->kind = VAL_MEM;
	out->addr = addr;
	return 0;
}

static int literal(struct eval_ctx *c, const struct expr *e,
		   struct val *out)
{
	const char *tn;

	if (e->kind == EX_FLOAT)
		return mk_double(c, out, ety_builtin(c, "double"), e->fval);
	if (e->kind == EX_CHAR)
		return mk_u64(c, out, ety_builtin(c, "char"), e->ival);
	if (e->is_unsigned)
		tn = e->ival <= UINT32_MAX && !e->is_long ? "unsigned int" :
		     "unsigned long";
	else if (e->ival <= INT32_MAX && !e->is_long)
		tn = "int";
	else if (e->ival <= INT64_MAX)
		tn = "long";
	else
		tn = "unsigned long";
	return mk_u64(c, out, ety_builtin(c, tn), e->ival);
}

int eval_expr(struct eval_ctx *c, const struct expr *e, struct val *out)
{
	struct val a, b;
	struct ety *t;
	int64_t i;
	int truth;
	char tn[256];

	switch (e->kind) {
	case EX_INT:
	case EX_FLOAT:
	case EX_CHAR:
		return literal(c, e, out);
	case EX_IDENT:
		return eval_lookup(c, e->name, out);
	case EX_MEMBER:
		if (eval_expr(c, e->a, &a) < 0)
			return -1;
		return member(c, e, &a, out);
	case EX_ARROW:
		if (eval_expr(c, e->a, &a) < 0)
			return -1;
		if (a.t->kind != TY_PTR)
			return eval_fail(c, EV_TYPE, "column %d: '->%s' on a "
					 "value of type %s, not a pointer "
					 "(use '.')", e->col, e->name,
					 ety_name(a.t, tn, sizeof(tn)));
		if (deref(c, e, &a, &b) < 0)
			return -1;
		return member(c, e, &b, out);
	case EX_INDEX:
		if (eval_expr(c, e->a, &a) < 0 || eval_expr(c, e->b, &b) < 0)
			return -1;
		if (!ety_is_integer(b.t))
			return eval_fail(c, EV_TYPE, "column %d: the index is "
					 "not an integer", e->col);
		if (a.t->kind != TY_ARRAY && a.t->kind != TY_PTR)
			return eval_fail(c, EV_TYPE, "column %d: cannot index "
					 "a value of type %s", e->col,
					 ety_name(a.t, tn, sizeof(tn)));
		if (eval_int(c, &b, &i) < 0)
			return -1;
		if (a.t->kind == TY_ARRAY && a.kind != VAL_MEM)
			return eval_fail(c, EV_OPTIMIZED, "column %d: array "
					 "in registers: <optimized out>",
					 e->col);
		{
			uint64_t base, es;
			struct ety *pt = decay(c, a.t);

			if (!pt || raw_u64(c, &a, &base) < 0)
				return -1;
			if (!pt->target || pt->target->kind == TY_VOID)
				return eval_fail(c, EV_TYPE, "column %d: "
						 "cannot index a void "
						 "pointer", e->col);
			es = pt->target->size;
			memset(out, 0, sizeof(*out));
			out->t = pt->target;
			out->kind = VAL_MEM;
			out->addr = base + (uint64_t)i * es;
			if (!base)
				return eval_fail(c, EV_MEMORY, "column %d: "
						 "NULL pointer indexed",
						 e->col);
			return 0;
		}
	case EX_UNARY:
		if (eval_expr(c, e->a, &a) < 0)
			return -1;
		switch (e->op) {
		case '*':
			return deref(c, e, &a, out);
		case '&':
			if (a.kind != VAL_MEM || a.bit_size)
				return eval_fail(c, EV_TYPE, "column %d: "
						 "cannot take the address of "
						 "this value (not in memory)",
						 e->col);
			t = ety_ptr(c, a.t);
			return mk_u64(c, out, t, a.addr);
		case '!':
			if (eval_truth(c, &a, &truth) < 0)
				return -1;
			return mk_u64(c, out, ety_builtin(c, "int"), !truth);
		case '-':
		case '+':
		case '~':
			if (need_type(c, &a) < 0)
				return -1;
			if (a.t->kind == TY_FLOAT && e->op != '~') {
				double d;

				if (get_double(c, &a, &d) < 0)
					return -1;
				return mk_double(c, out, a.t,
						 e->op == '-' ? -d : d);
			}
			if (!ety_is_integer(a.t))
				return eval_fail(c, EV_TYPE, "column %d: "
						 "unary '%s' needs a number",
						 e->col, expr_op_name(e->op));
			t = arith_type(c, a.t, a.t);
			if (!t || convert(c, &a, t, &b) < 0)
				return -1;
			{
				uint64_t u;

				memcpy(&u, b.bytes, 8);
				u = e->op == '-' ? -u : e->op == '~' ? ~u : u;
				if (t->size == 4)
					u = t->is_signed ?
					    (uint64_t)(int64_t)(int32_t)u :
					    (uint32_t)u;
				return mk_u64(c, out, t, u);
			}
		}
		return eval_fail(c, EV_TYPE, "column %d: bad operator",
				 e->col);
	case EX_BINARY:
		return binary(c, e, out);
	case EX_CAST:
		t = eval_find_type(c, &e->type);
		if (!t || eval_expr(c, e->a, &a) < 0)
			return -1;
		if (a.t->kind == TY_NODEBUG && a.kind == VAL_MEM) {
			/* gdb: (T)var reads var's memory as a T */
			c->err[0] = '\0';
			memset(out, 0, sizeof(*out));
			out->t = t;
			out->kind = VAL_MEM;
			out->addr = a.addr;
			return 0;
		}
		if (ety_is_scalar(t) &&
		    (ety_is_scalar(a.t) || is_ptrish(a.t)))
			return convert(c, &a, t, out);
		if (t->kind == TY_VOID) {
			memset(out, 0, sizeof(*out));
			out->t = t;
			out->kind = VAL_BYTES;
			return 0;
		}
		if (a.kind == VAL_MEM && t->size == a.t->size) {
			*out = a;
			out->t = t;
			return 0;
		}
		return eval_fail(c, EV_TYPE, "column %d: cannot cast %s to %s",
				 e->col, ety_name(a.t, tn, sizeof(tn)),
				 e->type.base);
	case EX_SIZEOF_TYPE:
		t = eval_find_type(c, &e->type);
		if (!t)
			return -1;
		return mk_u64(c, out, ety_builtin(c, "unsigned long"),
			      t->size);
	case EX_SIZEOF_EXPR:
		if (eval_expr(c, e->a, &a) < 0)
			return -1;
		if (need_type(c, &a) < 0)
			return -1;
		return mk_u64(c, out, ety_builtin(c, "unsigned long"),
			      a.t->size);
	}
	return eval_fail(c, EV_TYPE, "bad expression");
}

int eval_string(struct eval_ctx *c, const char *src, struct val *out)
{
	char err[256];
	struct expr *e = expr_parse(src, eval_is_typedef, c, err,
				    sizeof(err));
	int rc;

	if (!e)
		return eval_fail(c, EV_SYNTAX, "syntax error: %s", err);
	rc = eval_expr(c, e, out);
	expr_free(e);
	return rc;
}

int eval_exit_code(const struct eval_ctx *c)
{
	switch (c->code) {
	case EV_OK: return INSP_EXIT_OK;
	case EV_SYNTAX: return INSP_EXIT_USAGE;
	case EV_IMAGE: return INSP_EXIT_IMAGE;
	default: return INSP_EXIT_NOTFOUND;
	}
}
