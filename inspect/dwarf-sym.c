/*
 * dwarf-sym.c - what an identifier of a print/bisect expression names
 * (eval.h): a local variable or parameter of the selected frame (the
 * scopes libdw gives for its pc, innermost first; the location
 * expression at that pc evaluated with the frame's registers, its
 * DW_AT_frame_base and its CFA from the module's CFI), else a global or
 * a file/function static of the frame's module, the program, then every
 * library (DWARF found by build-id as for backtrace), else an
 * enumerator; ELF symbols without DWARF are "no debug info" values a
 * cast can read.  Also the named types of casts.
 */
#include "eval.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_DEPTH_MAX	32

/* --- frames --------------------------------------------------------- */

static const char *die_name(Dwarf_Die *d);

/* The scopes holding pc, innermost first (functions, inlined calls,
 * blocks): libdw's dwarf_getscopes follows an inlined call into its
 * abstract definition instead of the caller, whose locals we want. */
static void scopes_walk(struct eval_ctx *c, Dwarf_Die *die, Dwarf_Addr pc,
			int depth)
{
	Dwarf_Die ch;

	if (depth > SCOPE_DEPTH_MAX || dwarf_child(die, &ch) != 0)
		return;
	do {
		int tag = dwarf_tag(&ch);

		if (tag == DW_TAG_namespace) {
			scopes_walk(c, &ch, pc, depth + 1);
			continue;
		}
		if ((tag != DW_TAG_subprogram &&
		     tag != DW_TAG_inlined_subroutine &&
		     tag != DW_TAG_lexical_block) || dwarf_haspc(&ch, pc) <= 0)
			continue;
		if (c->nscopes < SCOPE_DEPTH_MAX)
			c->scopes[c->nscopes++] = ch;
		scopes_walk(c, &ch, pc, depth + 1);
		return;
	} while (dwarf_siblingof(&ch, &ch) == 0);
}

static void frame_scopes(struct eval_ctx *c, Dwarf_Die *cu, Dwarf_Addr pc)
{
	c->nscopes = 0;
	c->scopes = calloc(SCOPE_DEPTH_MAX, sizeof(*c->scopes));
	if (!c->scopes)
		return;
	scopes_walk(c, cu, pc, 0);
	for (int i = 0; i < c->nscopes / 2; i++) {	/* innermost first */
		Dwarf_Die t = c->scopes[i];

		c->scopes[i] = c->scopes[c->nscopes - 1 - i];
		c->scopes[c->nscopes - 1 - i] = t;
	}
}

int eval_select_frame(struct eval_ctx *c, uint32_t tid, int n)
{
	const struct img_thread *t = NULL;
	struct insp_frame fr[256];
	Dwfl_Module *main_mod;
	char why[256];
	int nfr = 0, k;

	/* a crash image: the thread that got the signal by default */
	if (!tid && c->m->has_snap && (c->m->snap.flags & IMG_SNAPF_SIGINFO))
		for (size_t i = 0; i < c->m->nthreads; i++)
			if (c->m->threads[i].tid == c->m->snap.sig_tid)
				t = &c->m->threads[i];
	for (size_t i = 0; i < c->m->nthreads && !t; i++) {
		const struct img_thread *x = &c->m->threads[i];

		if (tid ? x->tid == tid : x->state == IMG_THREAD_USER)
			t = x;
	}
	if (!t)
		return tid ? eval_fail(c, EV_FRAME, "no thread %u in %s (see "
				       "`dmtcp_inspect threads`)", tid,
				       c->m->path) :
			     eval_fail(c, EV_FRAME, "%s: no application "
				       "thread", c->m->path);
	insp_dwfl_unwind(c->d, t, fr, 256, &nfr, why, sizeof(why));
	if (nfr == 0)
		return eval_fail(c, EV_FRAME, "thread %u of %s cannot be "
				 "unwound: %s", t->tid, c->m->path, why);
	if (n < 0) {
		/* the innermost frame of the program's own code */
		main_mod = insp_dwfl_main_module(c->d);
		for (k = 0; k < nfr; k++) {
			uint64_t pc = fr[k].activation || !fr[k].pc ?
				      fr[k].pc : fr[k].pc - 1;

			if (main_mod &&
			    dwfl_addrmodule(c->dwfl, pc) == main_mod)
				break;
		}
		if (k == nfr)
			k = 0;
	} else if (n >= nfr) {
		return eval_fail(c, EV_FRAME, "thread %u of %s has %d frames "
				 "(0..%d): no frame %d", t->tid, c->m->path,
				 nfr, nfr - 1, n);
	} else {
		k = n;
	}
	c->have_frame = 1;
	c->pc = fr[k].pc;
	c->lookup_pc = fr[k].activation || !fr[k].pc ? fr[k].pc :
		       fr[k].pc - 1;
	memcpy(c->regs, fr[k].regs, sizeof(c->regs));
	c->regmask = fr[k].regmask;
	if (k + 1 < nfr && (fr[k + 1].regmask & (1u << 7))) {
		c->next_sp = fr[k + 1].regs[7];
		c->has_next_sp = 1;
	}
	c->fmod = dwfl_addrmodule(c->dwfl, c->lookup_pc);
	if (c->fmod) {
		Dwarf_Die *cu = dwfl_module_addrdie(c->fmod, c->lookup_pc,
						    &c->fbias);

		if (cu) {
			c->cudie = *cu;
			frame_scopes(c, cu, c->lookup_pc - c->fbias);
		}
	}
	return 0;
}

/* --- location expressions ------------------------------------------ */

struct loc {
	int in_reg;		/* the value is register reg */
	int reg;
	int is_value;		/* DW_OP_stack_value: value is the value */
	uint64_t value;		/* address, or the value */
	int pieces;
	unsigned char bytes[VAL_BYTES_MAX];	/* pieces assembled */
	size_t nbytes;
};

static int reg_get(struct eval_ctx *c, const char *name, unsigned r,
		   uint64_t *v)
{
	*v = 0;
	if (r >= EV_NREGS || !(c->regmask & (1u << r)))
		return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out> (its "
				 "register %u is not saved in this frame)",
				 name, r);
	*v = c->regs[r];
	return 0;
}

static int frame_cfa(struct eval_ctx *c, const char *name, uint64_t *cfa);

static int run_ops(struct eval_ctx *c, const char *name, Dwarf_Op *ops,
		   size_t nops, struct loc *l, int depth);

static int frame_base(struct eval_ctx *c, const char *name, uint64_t *fb)
{
	for (int i = 0; i < c->nscopes; i++) {
		Dwarf_Attribute a;
		Dwarf_Op *ops;
		size_t nops;
		struct loc l;

		if (dwarf_tag(&c->scopes[i]) != DW_TAG_subprogram ||
		    !dwarf_attr_integrate(&c->scopes[i], DW_AT_frame_base,
					  &a))
			continue;
		if (dwarf_getlocation_addr(&a, c->lookup_pc - c->fbias,
					   &ops, &nops, 1) != 1)
			break;
		memset(&l, 0, sizeof(l));
		if (run_ops(c, name, ops, nops, &l, 1) < 0)
			return -1;
		if (l.in_reg)
			return reg_get(c, name, (unsigned)l.reg, fb);
		*fb = l.value;
		return 0;
	}
	return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out> (no frame "
			 "base)", name);
}

static int frame_cfa(struct eval_ctx *c, const char *name, uint64_t *cfa)
{
	Dwarf_CFI *cfis[2];
	Dwarf_Addr bias;

	if (!c->fmod)
		goto next_sp;
	cfis[0] = dwfl_module_dwarf_cfi(c->fmod, &bias);
	cfis[1] = dwfl_module_eh_cfi(c->fmod, &bias);
	for (int i = 0; i < 2; i++) {
		Dwarf_Frame *f = NULL;
		Dwarf_Op *ops;
		size_t nops;
		struct loc l;
		int rc;

		if (!cfis[i] || dwarf_cfi_addrframe(cfis[i], c->lookup_pc -
						    bias, &f) != 0)
			continue;
		rc = dwarf_frame_cfa(f, &ops, &nops);
		if (rc == 0 && nops > 0) {
			memset(&l, 0, sizeof(l));
			rc = run_ops(c, name, ops, nops, &l, 1);
			free(f);
			if (rc < 0)
				return -1;
			*cfa = l.value;
			return 0;
		}
		free(f);
	}
next_sp:
	if (c->has_next_sp) {
		*cfa = c->next_sp;
		return 0;
	}
	return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out> (no call "
			 "frame information for pc %#llx)", name,
			 (unsigned long long)c->pc);
}

#define PUSH(v) do { if (sp >= 64) goto overflow; st[sp++] = (v); } while (0)
#define POP(v) do { if (!sp) goto underflow; (v) = st[--sp]; } while (0)

static int run_ops(struct eval_ctx *c, const char *name, Dwarf_Op *ops,
		   size_t nops, struct loc *l, int depth)
{
	uint64_t st[64], a = 0, b = 0;
	int sp = 0;

	for (size_t i = 0; i < nops; i++) {
		uint8_t op = ops[i].atom;

		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			PUSH((uint64_t)(op - DW_OP_lit0));
		} else if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
			if (reg_get(c, name, op - DW_OP_breg0, &a) < 0)
				return -1;
			PUSH(a + (uint64_t)(int64_t)ops[i].number);
		} else if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			l->in_reg = 1;
			l->reg = op - DW_OP_reg0;
		} else {
			switch (op) {
			case DW_OP_addr:
				PUSH(ops[i].number + c->fbias_sym);
				break;
			case DW_OP_const1u: case DW_OP_const2u:
			case DW_OP_const4u: case DW_OP_const8u:
			case DW_OP_constu:
				PUSH(ops[i].number);
				break;
			case DW_OP_const1s: case DW_OP_const2s:
			case DW_OP_const4s: case DW_OP_const8s:
			case DW_OP_consts:
				PUSH((uint64_t)(int64_t)ops[i].number);
				break;
			case DW_OP_regx:
				l->in_reg = 1;
				l->reg = (int)ops[i].number;
				break;
			case DW_OP_bregx:
				if (reg_get(c, name, (unsigned)ops[i].number,
					    &a) < 0)
					return -1;
				PUSH(a + (uint64_t)(int64_t)ops[i].number2);
				break;
			case DW_OP_fbreg:
				if (depth > 0)
					goto unsupported;
				if (frame_base(c, name, &a) < 0)
					return -1;
				PUSH(a + (uint64_t)(int64_t)ops[i].number);
				break;
			case DW_OP_call_frame_cfa:
				if (frame_cfa(c, name, &a) < 0)
					return -1;
				PUSH(a);
				break;
			case DW_OP_plus_uconst:
				POP(a);
				PUSH(a + ops[i].number);
				break;
			case DW_OP_plus:
				POP(b); POP(a); PUSH(a + b);
				break;
			case DW_OP_minus:
				POP(b); POP(a); PUSH(a - b);
				break;
			case DW_OP_and:
				POP(b); POP(a); PUSH(a & b);
				break;
			case DW_OP_dup:
				POP(a); PUSH(a); PUSH(a);
				break;
			case DW_OP_drop:
				POP(a);
				break;
			case DW_OP_deref:
				POP(a);
				if (eval_read(c, a, &b, 8) < 0)
					return -1;
				PUSH(b);
				break;
			case DW_OP_stack_value:
				l->is_value = 1;
				break;
			case DW_OP_piece:
				/* only whole values in one piece */
				if (nops == 2 && i == 1)
					break;
				return eval_fail(c, EV_OPTIMIZED, "'%s': "
						 "<optimized out> (split in "
						 "pieces)", name);
			case DW_OP_entry_value:
			case DW_OP_GNU_entry_value:
			case DW_OP_GNU_parameter_ref:
				return eval_fail(c, EV_OPTIMIZED, "'%s': "
						 "<optimized out> (its value "
						 "at the function's entry)",
						 name);
			default:
				goto unsupported;
			}
		}
	}
	if (!l->in_reg) {
		if (!sp)
			return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized "
					 "out>", name);
		l->value = st[sp - 1];
	}
	return 0;
unsupported:
	return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out> (DWARF "
			 "operation %#x not supported)", name,
			 ops[0].atom);
overflow:
	return eval_fail(c, EV_IMAGE, "'%s': location expression too deep "
			 "(corrupt DWARF?)", name);
underflow:
	return eval_fail(c, EV_IMAGE, "'%s': bad location expression "
			 "(corrupt DWARF?)", name);
}

/* The value of variable die (its DW_AT_location, or DW_AT_const_value)
 * in module bias; local: evaluated at the frame's pc. */
static int var_value(struct eval_ctx *c, const char *name, Dwarf_Die *die,
		     Dwarf_Addr bias, int local, struct val *out)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t nops;
	struct loc l;
	int n;

	memset(out, 0, sizeof(*out));
	out->t = ety_of(c, die);
	if (!out->t)
		return -1;
	if (dwarf_attr_integrate(die, DW_AT_const_value, &a)) {
		Dwarf_Sword sv;
		Dwarf_Block blk;

		out->kind = VAL_BYTES;
		if (dwarf_formsdata(&a, &sv) == 0) {
			memcpy(out->bytes, &sv, sizeof(sv));
			return 0;
		}
		if (dwarf_formblock(&a, &blk) == 0 &&
		    blk.length <= VAL_BYTES_MAX) {
			memcpy(out->bytes, blk.data, blk.length);
			return 0;
		}
		return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out> "
				 "(constant not understood)", name);
	}
	if (!dwarf_attr_integrate(die, DW_AT_location, &a))
		return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out>",
				 name);
	c->fbias_sym = bias;
	n = local ? dwarf_getlocation_addr(&a, c->lookup_pc - bias, &ops,
					   &nops, 1) :
		    (dwarf_getlocation(&a, &ops, &nops) == 0 ? 1 : -1);
	if (n <= 0 || nops == 0)
		return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized out>%s",
				 name, n == 0 ? " at this pc" : "");
	memset(&l, 0, sizeof(l));
	if (run_ops(c, name, ops, nops, &l, 0) < 0)
		return -1;
	if (l.in_reg) {
		uint64_t v = 0;

		if (reg_get(c, name, (unsigned)l.reg, &v) < 0)
			return -1;
		if (out->t->kind == TY_FLOAT)
			return eval_fail(c, EV_OPTIMIZED, "'%s': <optimized "
					 "out> (in a vector register)", name);
		out->kind = VAL_BYTES;
		memcpy(out->bytes, &v, sizeof(v));
		return 0;
	}
	if (l.is_value) {
		out->kind = VAL_BYTES;
		memcpy(out->bytes, &l.value, sizeof(l.value));
		return 0;
	}
	out->kind = VAL_MEM;
	out->addr = l.value;
	return 0;
}

/* --- lookups -------------------------------------------------------- */

/* The DIE's name, through DW_AT_abstract_origin (inlined and cloned
 * functions' locals name only their origin) */
static const char *die_name(Dwarf_Die *d)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(d, DW_AT_name, &a));
}

static int name_is(Dwarf_Die *d, const char *name)
{
	const char *n = die_name(d);

	return n && !strcmp(n, name);
}

static int is_decl(Dwarf_Die *d)
{
	Dwarf_Attribute a;
	bool f;

	return dwarf_attr(d, DW_AT_declaration, &a) &&
	       dwarf_formflag(&a, &f) == 0 && f;
}

struct found {
	Dwarf_Die die;
	Dwarf_Die enum_die;	/* kind 2: the enumeration type */
	Dwarf_Addr bias;
	int kind;		/* 1 variable, 2 enumerator */
};

/* Statics in a function's body (lexical blocks included) */
static int search_body(Dwarf_Die *die, const char *name, struct found *f,
		       int depth)
{
	Dwarf_Die ch;

	if (depth > SCOPE_DEPTH_MAX || dwarf_child(die, &ch) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&ch);

		if (tag == DW_TAG_variable && name_is(&ch, name) &&
		    !is_decl(&ch)) {
			Dwarf_Attribute a;
			Dwarf_Op *ops;
			size_t nops;

			/* a static: its location is an address */
			if (dwarf_attr(&ch, DW_AT_location, &a) &&
			    dwarf_getlocation(&a, &ops, &nops) == 0 &&
			    nops == 1 && ops[0].atom == DW_OP_addr) {
				f->die = ch;
				f->kind = 1;
				return 1;
			}
		} else if (tag == DW_TAG_lexical_block ||
			   tag == DW_TAG_subprogram) {
			if (search_body(&ch, name, f, depth + 1))
				return 1;
		}
	} while (dwarf_siblingof(&ch, &ch) == 0);
	return 0;
}

/* Globals, file statics, enumerators, then function statics of a CU */
static int search_cu(Dwarf_Die *cu, const char *name, struct found *f,
		     int statics)
{
	Dwarf_Die ch;

	if (dwarf_child(cu, &ch) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&ch);

		if (tag == DW_TAG_variable && name_is(&ch, name) &&
		    !is_decl(&ch) &&
		    (dwarf_hasattr_integrate(&ch, DW_AT_location) ||
		     dwarf_hasattr_integrate(&ch, DW_AT_const_value))) {
			f->die = ch;
			f->kind = 1;
			return 1;
		}
		if (tag == DW_TAG_enumeration_type && !f->kind) {
			Dwarf_Die e;

			if (dwarf_child(&ch, &e) == 0) {
				do {
					if (name_is(&e, name)) {
						/* keep looking for a variable */
						f->die = e;
						f->enum_die = ch;
						f->kind = 2;
						break;
					}
				} while (dwarf_siblingof(&e, &e) == 0);
			}
		}
		if (statics && tag == DW_TAG_subprogram &&
		    search_body(&ch, name, f, 0))
			return 1;
	} while (dwarf_siblingof(&ch, &ch) == 0);
	return 0;
}

static int search_module(Dwfl_Module *mod, const char *name,
			 struct found *f)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = NULL;

	for (int statics = 0; statics < 2; statics++) {
		cu = NULL;
		while ((cu = dwfl_module_nextcu(mod, cu, &bias))) {
			if (search_cu(cu, name, f, statics)) {
				f->bias = bias;
				return 1;
			}
		}
	}
	return 0;
}

struct mod_search {
	const char *name;
	Dwfl_Module *skip1, *skip2;
	struct found *f;
	Dwfl_Module *hit;
	/* ELF symbols, when no DWARF has it */
	GElf_Addr sym_addr;
	GElf_Sym sym;
	Dwfl_Module *sym_mod;
	int enum_hit;
};

static int mod_cb(Dwfl_Module *mod, void **ud, const char *mname,
		  Dwarf_Addr start, void *arg)
{
	struct mod_search *s = arg;
	int n;

	(void)ud;
	(void)mname;
	(void)start;
	if (mod == s->skip1 || mod == s->skip2)
		return DWARF_CB_OK;
	if (search_module(mod, s->name, s->f) && s->f->kind == 1) {
		s->hit = mod;
		return DWARF_CB_ABORT;
	}
	if (s->f->kind == 2 && !s->hit) {
		s->hit = mod;
		s->enum_hit = 1;
	}
	if (s->sym_mod)
		return DWARF_CB_OK;
	n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *sn = dwfl_module_getsym_info(mod, i, &sym, &addr,
							 NULL, NULL, NULL);

		if (sn && GELF_ST_TYPE(sym.st_info) == STT_OBJECT &&
		    sym.st_shndx != SHN_UNDEF && !strcmp(sn, s->name)) {
			s->sym_addr = addr;
			s->sym = sym;
			s->sym_mod = mod;
			break;
		}
	}
	return DWARF_CB_OK;
}

static int local_lookup(struct eval_ctx *c, const char *name,
			struct val *out)
{
	for (int i = 0; i < c->nscopes; i++) {
		int stag = dwarf_tag(&c->scopes[i]);
		int concrete = dwarf_hasattr(&c->scopes[i], DW_AT_low_pc) ||
			       dwarf_hasattr(&c->scopes[i], DW_AT_ranges);
		Dwarf_Die ch;

		/* an inlined function's abstract definition follows its
		   inlined instance: its DIEs have no locations */
		if (stag == DW_TAG_subprogram && !concrete)
			continue;
		if (dwarf_child(&c->scopes[i], &ch) != 0)
			continue;
		do {
			int tag = dwarf_tag(&ch);

			if ((tag == DW_TAG_variable ||
			     tag == DW_TAG_formal_parameter) &&
			    name_is(&ch, name) && !is_decl(&ch))
				return var_value(c, name, &ch, c->fbias, 1,
						 out) < 0 ? -1 : 1;
		} while (dwarf_siblingof(&ch, &ch) == 0);
		/* the function's scope ends the locals */
		if (dwarf_tag(&c->scopes[i]) == DW_TAG_subprogram)
			break;
	}
	return 0;
}

static int enum_value(struct eval_ctx *c, Dwarf_Die *e, Dwarf_Die *type,
		      struct val *out)
{
	Dwarf_Attribute a;
	Dwarf_Sword sv;

	memset(out, 0, sizeof(*out));
	out->kind = VAL_BYTES;
	if (!dwarf_attr(e, DW_AT_const_value, &a) ||
	    dwarf_formsdata(&a, &sv) != 0)
		return eval_fail(c, EV_IMAGE, "enumerator %s: no value",
				 dwarf_diename(e));
	memcpy(out->bytes, &sv, sizeof(sv));
	out->t = ety_from_die(c, type);	/* the enumeration */
	return out->t ? 0 : -1;
}

/* Names the modules without DWARF (for the unknown-identifier error) */
static void no_debug_note(struct eval_ctx *c, char *buf, size_t cap)
{
	Dwfl_Module *mm = insp_dwfl_main_module(c->d);
	Dwarf_Addr bias;
	const unsigned char *bid;
	GElf_Addr vaddr;
	char hex[2 * 64 + 1] = "";
	int n;

	buf[0] = '\0';
	if (!mm || dwfl_module_getdwarf(mm, &bias))
		return;
	n = dwfl_module_build_id(mm, &bid, &vaddr);
	if (n > 0 && n <= 64)
		insp_hex(hex, bid, (size_t)n);
	snprintf(buf, cap, " (no debug info for %s, build-id %s)",
		 dwfl_module_info(mm, NULL, NULL, NULL, NULL, NULL, NULL,
				  NULL),
		 hex[0] ? hex : "none");
}

int eval_lookup(struct eval_ctx *c, const char *name, struct val *out)
{
	struct found f = { 0 };
	struct mod_search s = { 0 };
	Dwfl_Module *main_mod;
	char note[512];
	int rc;

	if (!c->dwfl)
		return eval_fail(c, EV_NODEBUG, "no symbols for %s",
				 c->m->path);
	if (c->have_frame) {
		rc = local_lookup(c, name, out);
		if (rc)
			return rc < 0 ? -1 : 0;
		if (search_cu(&c->cudie, name, &f, 1) && f.kind == 1)
			return var_value(c, name, &f.die, c->fbias, 0, out);
	}
	main_mod = insp_dwfl_main_module(c->d);
	s.name = name;
	s.f = &f;
	if (main_mod && main_mod != c->fmod) {
		if (search_module(main_mod, name, &f) && f.kind == 1) {
			Dwarf_Addr bias;

			dwfl_module_getdwarf(main_mod, &bias);
			return var_value(c, name, &f.die, bias, 0, out);
		}
	}
	s.skip1 = c->have_frame ? c->fmod : NULL;
	s.skip2 = main_mod;
	dwfl_getmodules(c->dwfl, mod_cb, &s, 0);
	if (f.kind == 1 && s.hit) {
		Dwarf_Addr bias;

		dwfl_module_getdwarf(s.hit, &bias);
		return var_value(c, name, &f.die, bias, 0, out);
	}
	if (f.kind == 2)
		return enum_value(c, &f.die, &f.enum_die, out);
	if (s.sym_mod) {
		const unsigned char *bid;
		GElf_Addr vaddr;
		char hex[129] = "";
		int n = dwfl_module_build_id(s.sym_mod, &bid, &vaddr);

		if (n > 0 && n <= 64)
			insp_hex(hex, bid, (size_t)n);
		memset(out, 0, sizeof(*out));
		out->kind = VAL_MEM;
		out->addr = s.sym_addr;
		out->t = ety_new(c, TY_NODEBUG, s.sym.st_size);
		if (!out->t)
			return -1;
		/* the message if it is used without a cast */
		snprintf(c->err, sizeof(c->err), "'%s' has unknown type: no "
			 "debug info for %s (build-id %s); cast it to its "
			 "declared type, e.g. (long)%s", name,
			 dwfl_module_info(s.sym_mod, NULL, NULL, NULL, NULL,
					  NULL, NULL, NULL),
			 hex[0] ? hex : "none", name);
		out->t->name = "<no debug info>";
		return 0;
	}
	no_debug_note(c, note, sizeof(note));
	return eval_fail(c, EV_UNKNOWN, "no symbol '%s' in the current "
			 "context%s", name, note);
}

/* --- named types ---------------------------------------------------- */

struct type_search {
	const char *kw;		/* "struct", "union", "enum" or NULL */
	const char *name;
	int want_tag;
	Dwarf_Die die;
	int found;
};

static int cu_type(Dwarf_Die *cu, struct type_search *ts)
{
	Dwarf_Die ch;

	if (dwarf_child(cu, &ch) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&ch);

		if (tag == ts->want_tag && name_is(&ch, ts->name) &&
		    !is_decl(&ch)) {
			ts->die = ch;
			ts->found = 1;
			return 1;
		}
	} while (dwarf_siblingof(&ch, &ch) == 0);
	return 0;
}

static int type_mod_cb(Dwfl_Module *mod, void **ud, const char *mname,
		       Dwarf_Addr start, void *arg)
{
	struct type_search *ts = arg;
	Dwarf_Addr bias;
	Dwarf_Die *cu = NULL;

	(void)ud;
	(void)mname;
	(void)start;
	while ((cu = dwfl_module_nextcu(mod, cu, &bias)))
		if (cu_type(cu, ts))
			return DWARF_CB_ABORT;
	return DWARF_CB_OK;
}

static int find_type_die(struct eval_ctx *c, struct type_search *ts)
{
	Dwfl_Module *mm;

	if (!c->dwfl)
		return 0;
	if (c->have_frame && cu_type(&c->cudie, ts))
		return 1;
	mm = insp_dwfl_main_module(c->d);
	if (mm)
		type_mod_cb(mm, NULL, NULL, 0, ts);
	if (!ts->found)
		dwfl_getmodules(c->dwfl, type_mod_cb, ts, 0);
	return ts->found;
}

int eval_is_typedef(const char *name, void *arg)
{
	struct type_search ts = { NULL, name, DW_TAG_typedef, { 0 }, 0 };

	return find_type_die(arg, &ts);
}

struct ety *eval_find_type(struct eval_ctx *c, const struct expr_type *et)
{
	struct type_search ts = { 0 };
	const char *sp = strchr(et->base, ' ');
	struct ety *t = NULL;

	if (sp && (!strncmp(et->base, "struct ", 7) ||
		   !strncmp(et->base, "union ", 6) ||
		   !strncmp(et->base, "enum ", 5))) {
		ts.name = sp + 1;
		ts.want_tag = et->base[0] == 's' ? DW_TAG_structure_type :
			      et->base[0] == 'u' ? DW_TAG_union_type :
			      DW_TAG_enumeration_type;
	} else {
		t = ety_builtin(c, et->base);
		if (!t && !c->code) {
			ts.name = et->base;
			ts.want_tag = DW_TAG_typedef;
		}
	}
	if (!t && ts.name) {
		if (!find_type_die(c, &ts)) {
			eval_fail(c, EV_UNKNOWN, "no type named '%s'",
				  et->base);
			return NULL;
		}
		t = ety_from_die(c, &ts.die);
	}
	for (int i = 0; t && i < et->ptr; i++)
		t = ety_ptr(c, t);
	return t;
}
