/*
 * expr.h - the C expressions of `dmtcp_inspect print` and `bisect`:
 * lexer and parser (expr-parse.c, pure: no image, no DWARF) building a
 * tree that the evaluator (expr-eval.c) walks over an image's memory
 * with its DWARF (dwarf-*.c).
 *
 * Grammar (C precedence): || && | ^ & (== !=) (< <= > >=) (<< >>)
 * (+ -) (* / %), unary - + ! ~ * & sizeof, casts "(TYPE)", postfix
 * [i] . -> , primaries: identifiers, integer (dec, hex, octal, with
 * u/l suffixes), float and character literals, ( EXPR ).
 * TYPE: [const|volatile] (struct|union|enum TAG | base type words |
 * typedef name) followed by '*'s.  Whether "(name)" is a cast is asked
 * of the caller's is_type callback (a typedef the DWARF knows).
 */
#ifndef DMTCP_INSPECT_EXPR_H
#define DMTCP_INSPECT_EXPR_H

#include <stddef.h>
#include <stdint.h>

enum expr_kind {
	EX_INT,		/* ival, with is_unsigned / is_long */
	EX_FLOAT,	/* fval */
	EX_CHAR,	/* ival: a 'c' literal (type char) */
	EX_IDENT,	/* name */
	EX_MEMBER,	/* a.name */
	EX_ARROW,	/* a->name */
	EX_INDEX,	/* a[b] */
	EX_UNARY,	/* op a: '-', '+', '!', '~', '*' (deref), '&' */
	EX_BINARY,	/* a op b; op: a token (enum expr_tok) */
	EX_CAST,	/* (type) a */
	EX_SIZEOF_EXPR,	/* sizeof a */
	EX_SIZEOF_TYPE,	/* sizeof (type) */
};

/* Two-character operators (single ones are their character) */
enum expr_tok {
	TK_EOF = 0,
	TK_NUM = 256, TK_FNUM, TK_CHR, TK_IDENT, TK_STR,
	TK_ARROW, TK_EQ, TK_NE, TK_LE, TK_GE, TK_AND, TK_OR, TK_SHL, TK_SHR,
	TK_SIZEOF,
};

/* A type as written in a cast: "struct node", "unsigned long",
 * "size_t", with ptr levels of '*'. */
struct expr_type {
	char base[128];		/* words joined by one space */
	int ptr;
};

struct expr {
	enum expr_kind kind;
	int op;			/* EX_UNARY, EX_BINARY */
	int col;		/* 1-based column in the source */
	uint64_t ival;
	double fval;
	int is_unsigned, is_long;
	char *name;		/* EX_IDENT, EX_MEMBER, EX_ARROW */
	struct expr_type type;	/* EX_CAST, EX_SIZEOF_TYPE */
	struct expr *a, *b;
};

/* Is name a type (a typedef) for the caller?  NULL: none are. */
typedef int (*expr_is_type_fn)(const char *name, void *arg);

/*
 * Parses src.  Returns the tree (free with expr_free), or NULL with
 * "column N: what is wrong" in err.
 */
struct expr *expr_parse(const char *src, expr_is_type_fn is_type, void *arg,
			char *err, size_t errcap);
void expr_free(struct expr *e);

/* The operator of an EX_UNARY/EX_BINARY node as written ("==", "-"). */
const char *expr_op_name(int op);

/* Writes the tree back as a fully parenthesized string (tests, debug). */
char *expr_format(const struct expr *e, char *buf, size_t cap);

/* --- expr-lex.c: the tokens (used by the parser) ----------------- */

struct expr_lex {
	const char *src, *p;
	int tok;		/* enum expr_tok or a character */
	int col;		/* column of tok */
	uint64_t ival;
	double fval;
	int is_unsigned, is_long;
	char ident[128];
	char *err;
	size_t errcap;
	int failed;
};

void expr_lex_init(struct expr_lex *l, const char *src, char *err,
		   size_t errcap);
/* Advances to the next token: 0, or -1 with the message in err. */
int expr_lex_next(struct expr_lex *l);

#endif /* DMTCP_INSPECT_EXPR_H */
