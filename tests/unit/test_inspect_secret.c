/*
 * test_inspect_secret.c - unit tests of dmtcp_inspect's secret masking
 * (inspect/secret.c): which variable names are secrets (the coordinator
 * secret, *SECRET*, *PASSWORD*, *TOKEN*, *_KEY in any case), their
 * values collected from an image's environment, hidden in printed text
 * and overwritten with 'x' in memory (after NAME= and every copy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../inspect/inspect.h"

static int is_secret(const char *name)
{
	return insp_is_secret_name(name, strlen(name));
}

static void test_names(void **state)
{
	(void)state;
	assert_true(is_secret("DMTCP_COORD_SECRET"));
	assert_true(is_secret("AWS_SECRET_ACCESS_KEY"));
	assert_true(is_secret("DB_PASSWORD"));
	assert_true(is_secret("github_token"));
	assert_true(is_secret("API_TOKEN"));
	assert_true(is_secret("SSH_KEY"));
	assert_true(is_secret("my_key"));
	assert_false(is_secret("PATH"));
	assert_false(is_secret("HOME"));
	assert_false(is_secret("KEYBOARD"));
	assert_false(is_secret("KEY"));
	assert_false(is_secret("MONKEY"));
	assert_false(is_secret(""));
	assert_true(insp_is_secret_var("DB_PASSWORD=x"));
	assert_false(insp_is_secret_var("DB_PASSWORD"));	/* no '=' */
	assert_false(insp_is_secret_var("PATH=/bin:/usr/bin"));
}

static char env[] = "PATH=/bin\0DB_PASSWORD=hunter2hunter2\0"
		    "API_TOKEN=tok_0123456789\0SHORT_KEY=abc\0"
		    "DMTCP_COORD_SECRET=coordsecret42\0";

static void fake_meta(struct img_meta *m, char **envv)
{
	char *p = env;
	int n = 0;

	memset(m, 0, sizeof(*m));
	while (p < env + sizeof(env) - 1) {
		envv[n++] = p;
		p += strlen(p) + 1;
	}
	envv[n] = NULL;
	m->envv = envv;
	m->env = env;
	m->env_len = sizeof(env) - 1;
}

static void test_values(void **state)
{
	struct img_meta m;
	char *envv[8], *h;
	struct insp_secrets s;

	(void)state;
	fake_meta(&m, envv);
	insp_secrets_init(&s, &m);
	/* SHORT_KEY's value is too short to be looked for in memory */
	assert_int_equal(s.n, 3);
	h = insp_secrets_hide(&s, "user hunter2hunter2 tok_0123456789 abc");
	assert_non_null(h);
	assert_string_equal(h, "user <hidden> <hidden> abc");
	free(h);
	insp_secrets_free(&s);
}

static void test_mask(void **state)
{
	struct img_meta m;
	char *envv[8];
	struct insp_secrets s;
	int found = 0;
	char buf[] = "A DB_PASSWORD=hunter2hunter2 B api_key=zz9zz9zz9 "
		     "PATH=/bin copy:hunter2hunter2 OTHER_KEY=q";
	char want[] = "A DB_PASSWORD=xxxxxxxxxxxxxx B api_key=xxxxxxxxx "
		      "PATH=/bin copy:xxxxxxxxxxxxxx OTHER_KEY=x";

	(void)state;
	fake_meta(&m, envv);
	insp_secrets_init(&s, &m);
	assert_true(insp_secrets_mask(&s, (unsigned char *)buf,
				      sizeof(buf) - 1, &found) > 0);
	assert_string_equal(buf, want);
	/* api_key's value was new: it is looked for from now on */
	assert_int_equal(found, 1);
	{
		char *h = insp_secrets_hide(&s, "v=zz9zz9zz9");

		assert_string_equal(h, "v=<hidden>");
		free(h);
	}
	insp_secrets_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
