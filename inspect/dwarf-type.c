/*
 * dwarf-type.c - the types of dmtcp_inspect's expression evaluator
 * (eval.h): built from DWARF DIEs with libdw (typedefs keep their name,
 * qualifiers dropped, arrays with their dimensions, struct/union/enum
 * keep their DIE for members and enumerators) or synthesized for
 * literals, casts and results; their gdb-style names; the evaluation
 * context and its error.
 */
#include "eval.h"

#include <dwarf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_DEPTH_MAX	64

void eval_ctx_init(struct eval_ctx *c, const struct img_meta *m,
		   struct insp_mem *mem, struct insp_dwfl *d)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->mem = mem;
	c->d = d;
	c->dwfl = d ? insp_dwfl_handle(d) : NULL;
}

void eval_ctx_free(struct eval_ctx *c)
{
	for (size_t i = 0; i < c->narena; i++)
		free(c->arena[i]);
	free(c->arena);
	free(c->scopes);
	c->arena = NULL;
	c->scopes = NULL;
	c->narena = c->arena_cap = 0;
}

int eval_fail(struct eval_ctx *c, enum eval_err code, const char *fmt, ...)
{
	va_list ap;

	if (c->code)		/* the first error is the cause */
		return -1;
	c->code = code;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

struct ety *ety_new(struct eval_ctx *c, enum ety_kind k, uint64_t size)
{
	struct ety *t;

	if (c->narena == c->arena_cap) {
		size_t cap = c->arena_cap ? 2 * c->arena_cap : 64;
		void *p = realloc(c->arena, cap * sizeof(*c->arena));

		if (!p)
			goto oom;
		c->arena = p;
		c->arena_cap = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto oom;
	c->arena[c->narena++] = t;
	t->kind = k;
	t->size = size;
	return t;
oom:
	eval_fail(c, EV_IMAGE, "out of memory");
	return NULL;
}

struct ety *ety_ptr(struct eval_ctx *c, struct ety *target)
{
	struct ety *t = ety_new(c, TY_PTR, 8);

	if (t)
		t->target = target;
	return t;
}

/* "unsigned long int" and the like: the words counted */
struct ety *ety_builtin(struct eval_ctx *c, const char *words)
{
	int nlong = 0, nshort = 0, nchar = 0, nint = 0, nuns = 0, nsig = 0;
	int nfloat = 0, ndouble = 0, nvoid = 0, nbool = 0;
	const char *p = words;
	struct ety *t;

	while (*p) {
		size_t n = strcspn(p, " ");

#define W(s) (n == sizeof(s) - 1 && !strncmp(p, s, n))
		if (W("long")) nlong++;
		else if (W("short")) nshort++;
		else if (W("char")) nchar++;
		else if (W("int")) nint++;
		else if (W("unsigned")) nuns++;
		else if (W("signed")) nsig++;
		else if (W("float")) nfloat++;
		else if (W("double")) ndouble++;
		else if (W("void")) nvoid++;
		else if (W("_Bool")) nbool++;
		else
			return NULL;
#undef W
		p += n;
		while (*p == ' ')
			p++;
	}
	if (nvoid) {
		t = ety_new(c, TY_VOID, 1);
		if (t)
			t->name = "void";
		return t;
	}
	if (nbool) {
		t = ety_new(c, TY_BOOL, 1);
		if (t)
			t->name = "_Bool";
		return t;
	}
	if (nfloat || ndouble) {
		t = ety_new(c, TY_FLOAT, nfloat ? 4 : nlong ? 16 : 8);
		if (t) {
			t->name = nfloat ? "float" : nlong ? "long double" :
				  "double";
			t->is_signed = 1;
		}
		return t;
	}
	t = ety_new(c, TY_INT, nchar ? 1 : nshort ? 2 : nlong ? 8 : 4);
	if (!t)
		return NULL;
	t->is_signed = !nuns;
	t->is_char = !!nchar;
	if (nchar)
		t->name = nuns ? "unsigned char" : nsig ? "signed char" :
			  "char";
	else if (nshort)
		t->name = nuns ? "unsigned short" : "short";
	else if (nlong > 1)
		t->name = nuns ? "unsigned long long" : "long long";
	else if (nlong)
		t->name = nuns ? "unsigned long" : "long";
	else
		t->name = nuns ? "unsigned int" : "int";
	(void)nint;
	return t;
}

int ety_is_integer(const struct ety *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_ENUM;
}

int ety_is_scalar(const struct ety *t)
{
	return ety_is_integer(t) || t->kind == TY_FLOAT || t->kind == TY_PTR;
}

static struct ety *from_die(struct eval_ctx *c, Dwarf_Die *die, int depth);

static struct ety *of_die(struct eval_ctx *c, Dwarf_Die *die, int depth)
{
	Dwarf_Attribute a;
	Dwarf_Die td;

	if (!dwarf_attr_integrate(die, DW_AT_type, &a) ||
	    !dwarf_formref_die(&a, &td))
		return ety_builtin(c, "void");
	return from_die(c, &td, depth + 1);
}

struct ety *ety_of(struct eval_ctx *c, Dwarf_Die *die)
{
	return of_die(c, die, 0);
}

static uint64_t subrange_count(Dwarf_Die *sr)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Sword lo = 0;

	if (dwarf_attr(sr, DW_AT_count, &a) && dwarf_formudata(&a, &w) == 0)
		return w;
	if (dwarf_attr(sr, DW_AT_lower_bound, &a))
		dwarf_formsdata(&a, &lo);
	if (dwarf_attr(sr, DW_AT_upper_bound, &a) &&
	    dwarf_formudata(&a, &w) == 0 && a.form != DW_FORM_exprloc)
		return (uint64_t)((Dwarf_Sword)w - lo + 1);
	return 0;		/* flexible or variable length */
}

static struct ety *array_of(struct eval_ctx *c, Dwarf_Die *die, int depth)
{
	struct ety *elem = of_die(c, die, depth), *t;
	uint64_t dims[16];
	int nd = 0;
	Dwarf_Die ch;

	if (!elem)
		return NULL;
	if (dwarf_child(die, &ch) == 0) {
		do {
			if (dwarf_tag(&ch) == DW_TAG_subrange_type && nd < 16)
				dims[nd++] = subrange_count(&ch);
		} while (dwarf_siblingof(&ch, &ch) == 0);
	}
	if (!nd)
		dims[nd++] = 0;
	t = elem;
	while (nd--) {		/* int a[2][3]: array 2 of array 3 */
		struct ety *a = ety_new(c, TY_ARRAY, 0);

		if (!a)
			return NULL;
		a->target = t;
		a->count = dims[nd];
		a->size = t->size * dims[nd];
		t = a;
	}
	return t;
}

static const char *tagged_name(struct eval_ctx *c, const char *kw,
			       Dwarf_Die *die)
{
	const char *n = dwarf_diename(die);
	struct ety *holder;
	char *s;
	size_t len;

	len = strlen(kw) + 2 + (n ? strlen(n) : 5);
	/* the name lives in an arena type's tail: one free for both */
	holder = ety_new(c, TY_VOID, 0);
	if (!holder)
		return kw;
	s = malloc(len);
	if (!s)
		return kw;
	snprintf(s, len, "%s %s", kw, n ? n : "{...}");
	free(c->arena[c->narena - 1]);
	c->arena[c->narena - 1] = (struct ety *)s;	/* freed as memory */
	return s;
}

static struct ety *from_die(struct eval_ctx *c, Dwarf_Die *die, int depth)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	struct ety *t, *u;
	int tag = dwarf_tag(die);

	if (depth > TYPE_DEPTH_MAX) {
		eval_fail(c, EV_IMAGE, "type nested too deeply (corrupt "
			  "DWARF?)");
		return NULL;
	}
	switch (tag) {
	case DW_TAG_base_type:
		if (!dwarf_attr(die, DW_AT_encoding, &a) ||
		    dwarf_formudata(&a, &w) != 0)
			w = DW_ATE_signed;
		t = ety_new(c, TY_INT, 0);
		if (!t)
			return NULL;
		t->size = (uint64_t)(dwarf_bytesize(die) > 0 ?
				     dwarf_bytesize(die) : 0);
		t->name = dwarf_diename(die);
		switch (w) {
		case DW_ATE_boolean:
			t->kind = TY_BOOL;
			break;
		case DW_ATE_float:
			t->kind = TY_FLOAT;
			t->is_signed = 1;
			break;
		case DW_ATE_signed_char:
		case DW_ATE_unsigned_char:
			t->is_char = 1;
			t->is_signed = w == DW_ATE_signed_char;
			break;
		case DW_ATE_unsigned:
			break;
		default:
			t->is_signed = 1;
		}
		if (t->size > 16 || (t->kind == TY_FLOAT && t->size != 4 &&
				     t->size != 8 && t->size != 16))
			t->kind = TY_NODEBUG;	/* unusual: shown raw */
		return t;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		u = of_die(c, die, depth);
		return u ? ety_ptr(c, u) : NULL;
	case DW_TAG_typedef:
		u = of_die(c, die, depth);
		if (!u)
			return NULL;
		t = ety_new(c, u->kind, u->size);
		if (!t)
			return NULL;
		*t = *u;
		t->name = dwarf_diename(die);
		return t;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		return of_die(c, die, depth);
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		t = ety_new(c, tag == DW_TAG_union_type ? TY_UNION :
			    tag == DW_TAG_enumeration_type ? TY_ENUM :
			    TY_STRUCT, 0);
		if (!t)
			return NULL;
		t->size = (uint64_t)(dwarf_bytesize(die) > 0 ?
				     dwarf_bytesize(die) : 0);
		t->die = *die;
		t->has_die = 1;
		if (tag == DW_TAG_enumeration_type) {
			u = of_die(c, die, depth);
			t->is_signed = u && u->kind != TY_VOID ?
				       u->is_signed : 1;
			if (!t->size)
				t->size = 4;
		}
		t->name = tagged_name(c, tag == DW_TAG_union_type ? "union" :
				      tag == DW_TAG_enumeration_type ? "enum" :
				      "struct", die);
		return t;
	case DW_TAG_array_type:
		return array_of(c, die, depth);
	case DW_TAG_subroutine_type:
		u = of_die(c, die, depth);
		t = ety_new(c, TY_FUNC, 1);
		if (t)
			t->target = u;
		return t;
	default:
		t = ety_new(c, TY_NODEBUG, 0);
		if (t)
			t->name = "<unknown type>";
		return t;
	}
}

struct ety *ety_from_die(struct eval_ctx *c, Dwarf_Die *die)
{
	return from_die(c, die, 0);
}

/* Appends to buf at *n, truncating silently */
static void cat(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + 1 >= cap)
		return;
	if (l > cap - *n - 1)
		l = cap - *n - 1;
	memcpy(buf + *n, s, l);
	*n += l;
	buf[*n] = '\0';
}

char *ety_name(const struct ety *t, char *buf, size_t cap)
{
	char dims[128] = "", tmp[40];
	size_t n = 0, dn = 0;
	int stars = 0;

	buf[0] = '\0';
	/* int *[4]: array of pointers; pointer chains collapse to stars */
	while (t && !t->name && t->kind == TY_ARRAY) {
		snprintf(tmp, sizeof(tmp), "[%llu]",
			 (unsigned long long)t->count);
		cat(dims, sizeof(dims), &dn, tmp);
		t = t->target;
	}
	while (t && !t->name && t->kind == TY_PTR) {
		stars++;
		t = t->target;
	}
	if (!t) {
		cat(buf, cap, &n, "void");
	} else if (t->kind == TY_FUNC && !t->name) {
		char ret[128];

		ety_name(t->target ? t->target : NULL, ret, sizeof(ret));
		cat(buf, cap, &n, t->target ? ret : "void");
		cat(buf, cap, &n, " (");
		while (stars--)
			cat(buf, cap, &n, "*");
		cat(buf, cap, &n, ")()");
		stars = 0;
	} else if (t->kind == TY_ARRAY && !t->name) {
		cat(buf, cap, &n, "?");
	} else {
		cat(buf, cap, &n, t->name ? t->name : "?");
	}
	if (stars) {
		cat(buf, cap, &n, " ");
		while (stars--)
			cat(buf, cap, &n, "*");
	}
	if (dn) {
		cat(buf, cap, &n, " ");
		cat(buf, cap, &n, dims);
	}
	return buf;
}

static int member_location(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t nops;

	*off = 0;
	if (!dwarf_attr_integrate(m, DW_AT_data_member_location, &a))
		return 0;	/* union members: offset 0 */
	if (dwarf_formudata(&a, &w) == 0) {
		*off = w;
		return 0;
	}
	if (dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 &&
	    ops[0].atom == DW_OP_plus_uconst) {
		*off = ops[0].number;
		return 0;
	}
	return -1;
}

int ety_members(struct eval_ctx *c, const struct ety *t,
		int (*fn)(const struct ety_member *mb, void *arg), void *arg)
{
	Dwarf_Die die = t->die, ch;
	Dwarf_Attribute a;
	Dwarf_Word w;
	int rc;

	if (!t->has_die || dwarf_child(&die, &ch) != 0)
		return 0;
	do {
		struct ety_member mb = { 0 };

		if (dwarf_tag(&ch) != DW_TAG_member)
			continue;
		mb.name = dwarf_diename(&ch);
		mb.t = ety_of(c, &ch);
		if (!mb.t)
			return -1;
		if (member_location(&ch, &mb.offset) < 0) {
			eval_fail(c, EV_IMAGE, "member %s of %s: location "
				  "not understood", mb.name ? mb.name : "?",
				  t->name);
			return -1;
		}
		if (dwarf_attr(&ch, DW_AT_bit_size, &a) &&
		    dwarf_formudata(&a, &w) == 0 && w > 0 && w <= 64) {
			mb.bit_size = (int)w;
			if (dwarf_attr(&ch, DW_AT_data_bit_offset, &a) &&
			    dwarf_formudata(&a, &w) == 0) {
				mb.offset = w / 8;
				mb.bit_off = (int)(w % 8);
			}
		}
		rc = fn(&mb, arg);
		if (rc)
			return rc;
	} while (dwarf_siblingof(&ch, &ch) == 0);
	return 0;
}

const char *ety_enum_name(const struct ety *t, int64_t v)
{
	Dwarf_Die die = t->die, ch;
	Dwarf_Attribute a;
	Dwarf_Sword sv;

	if (!t->has_die || dwarf_child(&die, &ch) != 0)
		return NULL;
	do {
		if (dwarf_tag(&ch) == DW_TAG_enumerator &&
		    dwarf_attr(&ch, DW_AT_const_value, &a) &&
		    dwarf_formsdata(&a, &sv) == 0 && sv == v)
			return dwarf_diename(&ch);
	} while (dwarf_siblingof(&ch, &ch) == 0);
	return NULL;
}
