/*
 * test_inspect_expr.c - unit tests of dmtcp_inspect's C expression
 * lexer and parser (inspect/expr-lex.c, expr-parse.c): precedence and
 * associativity, postfix chains, casts told apart from parentheses
 * (with a typedef callback), literals, sizeof, and syntax errors with
 * their column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../inspect/expr.h"

static int fake_is_type(const char *name, void *arg)
{
	(void)arg;
	return !strcmp(name, "size_t") || !strcmp(name, "node_t");
}

/* parses src and compares the fully parenthesized form with want */
static void ok(const char *src, const char *want)
{
	char err[256], buf[512];
	struct expr *e = expr_parse(src, fake_is_type, NULL, err,
				    sizeof(err));

	if (!e)
		fail_msg("'%s' did not parse: %s", src, err);
	expr_format(e, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("'%s' parsed as '%s', expected '%s'", src, buf, want);
	expr_free(e);
}

static void bad(const char *src, const char *want_err)
{
	char err[256];
	struct expr *e = expr_parse(src, fake_is_type, NULL, err,
				    sizeof(err));

	if (e) {
		expr_free(e);
		fail_msg("'%s' parsed, expected error '%s'", src, want_err);
	}
	if (!strstr(err, want_err))
		fail_msg("'%s': error '%s', expected '%s'", src, err, want_err);
}

static void test_precedence(void **state)
{
	(void)state;
	ok("1 + 2 * 3", "(1 + (2 * 3))");
	ok("1 - 2 - 3", "((1 - 2) - 3)");
	ok("a || b && c", "(a || (b && c))");
	ok("a | b ^ c & d", "(a | (b ^ (c & d)))");
	ok("a == b < c", "(a == (b < c))");
	ok("a << 2 + 1", "(a << (2 + 1))");
	ok("a >= 1 != b <= 2", "((a >= 1) != (b <= 2))");
	ok("x % 3 / 2", "((x % 3) / 2)");
	ok("(1 + 2) * 3", "((1 + 2) * 3)");
	ok("!a && ~b > -c", "((!a) && ((~b) > (-c)))");
}

static void test_postfix(void **state)
{
	(void)state;
	ok("head->next->value", "((head->next)->value)");
	ok("s.a[3].b", "(((s.a)[3]).b)");
	ok("*p->q", "(*(p->q))");
	ok("&arr[2]", "(&(arr[2]))");
	ok("**pp", "(*(*pp))");
	ok("a[i + 1][j]", "((a[(i + 1)])[j])");
}

static void test_casts(void **state)
{
	(void)state;
	ok("(struct node *)p", "((struct node *)p)");
	ok("(long)x", "((long)x)");
	ok("(unsigned long long)x + 1", "(((unsigned long long)x) + 1)");
	ok("(size_t)n", "((size_t)n)");
	ok("(node_t **)p", "((node_t **)p)");
	ok("(const char *)s", "((char *)s)");
	ok("((struct node *)p)->next", "(((struct node *)p)->next)");
	ok("(x)", "x");		/* not a type: parentheses */
	ok("(x) - 1", "(x - 1)");
	ok("sizeof(struct node)", "(sizeof (struct node))");
	ok("sizeof x + 1", "((sizeof x) + 1)");
	ok("sizeof(x)", "(sizeof x)");
	ok("sizeof (size_t)", "(sizeof (size_t))");
}

static void test_literals(void **state)
{
	char err[128], buf[64];
	struct expr *e;

	(void)state;
	ok("0x10", "16");
	ok("010", "8");
	ok("42ul", "42ul");
	ok("'A'", "'\\101'");
	ok("'\\n'", "'\\12'");
	ok("'\\x41'", "'\\101'");
	ok("1.5", "1.5");
	ok("2e3", "2000");
	e = expr_parse("18446744073709551615", NULL, NULL, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(e->kind, EX_INT);
	assert_true(e->ival == UINT64_MAX);
	expr_free(e);
	e = expr_parse("'\\''", NULL, NULL, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(e->kind, EX_CHAR);
	assert_int_equal(e->ival, '\'');
	assert_string_equal(expr_format(e, buf, sizeof(buf)), "'\\47'");
	expr_free(e);
}

static void test_errors(void **state)
{
	(void)state;
	bad("", "column 1: expected an expression at the end");
	bad("1 +", "column 4: expected an expression at the end");
	bad("a b", "column 3: unexpected 'b' after the expression");
	bad("(1 + 2", "column 7: expected ')' at the end");
	bad("a[1", "column 4: expected ']'");
	bad("p->", "column 4: expected a member name");
	bad("a $ b", "column 3: unexpected character '$'");
	bad("12abc", "column 1: bad integer constant '12abc'");
	bad("'", "column 1: empty character literal");
	bad("'ab'", "column 1: unterminated character literal");
	bad("\"s\"", "column 1: string literals are not supported");
	bad("(struct)p", "column 8: expected a tag name");
	bad("int", "column 1: a type name here needs parentheses");
	bad("99999999999999999999", "column 1: bad integer constant");
	bad("a ? b : c", "column 3: unexpected '?'");
}

static void test_deep(void **state)
{
	char src[2100], err[128];

	(void)state;
	memset(src, '-', 2000);
	strcpy(src + 2000, "1");
	assert_null(expr_parse(src, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "nested too deeply"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_postfix),
		cmocka_unit_test(test_casts),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
