/*
 * eval.h - evaluating a C expression (expr.h) against an image: the
 * types (dwarf-type.c, from DWARF DIEs or synthesized for literals and
 * casts), symbols and locations (dwarf-sym.c: globals and statics of
 * every module, locals and parameters of one frame through libdw's
 * location expressions), the evaluator (expr-eval.c) and the printer
 * (expr-print.c, gdb-like text or JSON).  Used by print and bisect.
 */
#ifndef DMTCP_INSPECT_EVAL_H
#define DMTCP_INSPECT_EVAL_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdio.h>

#include "dwfl-session.h"
#include "expr.h"
#include "inspect.h"
#include "mem.h"

/* Why an evaluation failed (struct eval_ctx.code) */
enum eval_err {
	EV_OK = 0,
	EV_SYNTAX,	/* the expression does not parse */
	EV_UNKNOWN,	/* no such variable, member or type */
	EV_OPTIMIZED,	/* <optimized out> */
	EV_NODEBUG,	/* no DWARF for it */
	EV_MEMORY,	/* address not in the image */
	EV_TYPE,	/* invalid operation for the types */
	EV_ARITH,	/* division by zero */
	EV_FRAME,	/* no such thread or frame */
	EV_IMAGE,	/* corrupt image, out of memory */
};

enum ety_kind {
	TY_VOID, TY_INT, TY_BOOL, TY_FLOAT, TY_PTR, TY_ARRAY, TY_STRUCT,
	TY_UNION, TY_ENUM, TY_FUNC, TY_NODEBUG,
};

/* A type.  Allocated in the context's arena (freed with it). */
struct ety {
	enum ety_kind kind;
	uint64_t size;
	int is_signed;
	int is_char;		/* char, signed char, unsigned char */
	const char *name;	/* "int", "size_t", "struct node"; NULL for
				   unnamed pointers and arrays */
	struct ety *target;	/* PTR: pointee, ARRAY: element, FUNC:
				   return type (NULL: void) */
	uint64_t count;		/* ARRAY: elements */
	Dwarf_Die die;		/* STRUCT, UNION, ENUM: the DIE */
	int has_die;
};

enum val_kind { VAL_MEM, VAL_BYTES };

#define VAL_BYTES_MAX	64

/* A value: in the image's memory at addr (an lvalue), or bytes */
struct val {
	struct ety *t;
	enum val_kind kind;
	uint64_t addr;		/* VAL_MEM */
	unsigned char bytes[VAL_BYTES_MAX];	/* VAL_BYTES */
	int bit_size, bit_off;	/* a bit-field member (VAL_MEM) */
};

#define EV_NREGS	17	/* DWARF x86-64 0..16 (rip last) */

struct eval_ctx {
	const struct img_meta *m;
	struct insp_mem *mem;
	struct insp_dwfl *d;
	Dwfl *dwfl;
	/* the frame whose locals are visible (have_frame) */
	int have_frame;
	uint64_t pc;		/* the frame's pc (activation: exact) */
	uint64_t lookup_pc;	/* pc, or pc - 1 for a return address */
	uint64_t regs[EV_NREGS];
	uint32_t regmask;	/* bit n: regs[n] known */
	uint64_t next_sp;	/* the caller's rsp (CFA), if has_next_sp */
	int has_next_sp;
	Dwfl_Module *fmod;
	Dwarf_Addr fbias;
	Dwarf_Die cudie;
	Dwarf_Die *scopes;	/* dwarf_getscopes at lookup_pc */
	Dwarf_Addr fbias_sym;	/* bias of the variable being located */
	int nscopes;
	/* types */
	struct ety **arena;
	size_t narena, arena_cap;
	/* the error */
	enum eval_err code;
	char err[512];
};

/* --- dwarf-type.c ------------------------------------------------- */

void eval_ctx_init(struct eval_ctx *c, const struct img_meta *m,
		   struct insp_mem *mem, struct insp_dwfl *d);
void eval_ctx_free(struct eval_ctx *c);
/* Sets the error (code and message), returns -1. */
int eval_fail(struct eval_ctx *c, enum eval_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct ety *ety_new(struct eval_ctx *c, enum ety_kind k, uint64_t size);
/* Builtin types: "int", "unsigned long", "char", "double", ... */
struct ety *ety_builtin(struct eval_ctx *c, const char *words);
struct ety *ety_ptr(struct eval_ctx *c, struct ety *target);
/* The type a DIE's DW_AT_type names (void if none). */
struct ety *ety_of(struct eval_ctx *c, Dwarf_Die *die);
/* The type a DIE is. */
struct ety *ety_from_die(struct eval_ctx *c, Dwarf_Die *die);
/* Typedefs and qualifiers are resolved already; this is the display
 * name: "struct node *", "int [4]". */
char *ety_name(const struct ety *t, char *buf, size_t cap);
int ety_is_scalar(const struct ety *t);	/* INT BOOL FLOAT PTR ENUM */
int ety_is_integer(const struct ety *t);	/* INT BOOL ENUM */

/* One member of a struct or union */
struct ety_member {
	const char *name;	/* NULL for an anonymous member */
	struct ety *t;
	uint64_t offset;
	int bit_size, bit_off;	/* bit-fields: bits and first bit */
};
/* Calls fn for every member of STRUCT/UNION t in order; stops when fn
 * returns non-zero (that value is returned).  -1 on a DWARF error. */
int ety_members(struct eval_ctx *c, const struct ety *t,
		int (*fn)(const struct ety_member *mb, void *arg), void *arg);
/* The enumerator of ENUM t with value v, or NULL. */
const char *ety_enum_name(const struct ety *t, int64_t v);

/* --- dwarf-sym.c -------------------------------------------------- */

/* Selects frame n of thread tid (tid 0: the thread that crashed in a
 * crash image, else the first application thread; n < 0: the innermost
 * frame in the program's own code). */
int eval_select_frame(struct eval_ctx *c, uint32_t tid, int n);
/* An identifier: a local or parameter of the frame, a global or
 * static of the program or a library, an enumerator. */
int eval_lookup(struct eval_ctx *c, const char *name, struct val *out);
/* A type named in a cast: builtin words, "struct TAG", a typedef. */
struct ety *eval_find_type(struct eval_ctx *c, const struct expr_type *t);
/* expr_is_type_fn over the DWARF: is name a typedef. */
int eval_is_typedef(const char *name, void *arg);

/* --- expr-eval.c -------------------------------------------------- */

/* Evaluates e into out.  0, or -1 with c->code and c->err. */
int eval_expr(struct eval_ctx *c, const struct expr *e, struct val *out);
/* Reads n bytes at addr: 0 or -1 (EV_MEMORY error naming the address) */
int eval_read(struct eval_ctx *c, uint64_t addr, void *buf, size_t n);
/* A scalar's value as integer / double (reads memory). */
int eval_int(struct eval_ctx *c, const struct val *v, int64_t *out);
int eval_truth(struct eval_ctx *c, const struct val *v, int *out);

/* --- expr-print.c ------------------------------------------------- */

/* gdb-like "(TYPE) VALUE" (top) or the JSON value into f.  0, or -1
 * (a scalar at the top could not be read: the error is set). */
int eval_print(struct eval_ctx *c, const struct val *v, FILE *f);
int eval_print_json(struct eval_ctx *c, const struct val *v, FILE *f);
/* Just the value, no type (bisect's lines). */
int eval_print_value(struct eval_ctx *c, const struct val *v, FILE *f);

/*
 * Parses and evaluates src in the image (frame selected already if
 * wanted): 0, or -1 with the error in c.
 */
int eval_string(struct eval_ctx *c, const char *src, struct val *out);
/* INSP_EXIT_* for an error code: syntax 1, image 2, the rest 3. */
int eval_exit_code(const struct eval_ctx *c);

#endif /* DMTCP_INSPECT_EVAL_H */
