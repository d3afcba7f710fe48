/*
 * test_coord_gens.c - the coordinator's pruning of old generations
 * (coordinator/gens.c, --keep-generations) with incremental images: an
 * image that a kept image's chain needs (its parent, grandparent) is
 * never removed; once the newest is a full image again, the old chain
 * goes.  Real chains from tests/unit/chain_gen.c; co, co_event and
 * co_sanitize_name are stand-ins.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "chain_gen.h"
#include "coord.h"
#include "test_image_util.h"

struct co_state co;

void co_event(int important, const char *fmt, ...)
{
	(void)important;
	(void)fmt;
}

void co_sanitize_name(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static void test_keep_chain(void **state)
{
	char *d = ti_tmpname("gens"), *p[CG_NGENS], p4[4200], p5[4200],
	     cmd[4300];
	struct cg_view v;

	(void)state;
	assert_int_equal(mkdir(d, 0700), 0);
	memset(&co, 0, sizeof(co));
	co.opts.keep_generations = 1;
	strcpy(co.comp_id, "chain-comp");
	memset(&v, 0, sizeof(v));
	/* each generation written, then committed (a sweep removes any
	   other generation of the process it finds) */
	for (unsigned g = 0; g < CG_NGENS; g++) {
		p[g] = malloc(4200);
		snprintf(p[g], 4200, "%s/ckpt_chainprog_u1_%05u.dmtcp", d,
			 g + 1);
		assert_int_equal(cg_write_gen(cg_scenario, g, p[g],
					      g ? p[g - 1] : NULL, NULL, &v),
				 0);
		co_gens_committed_set(g + 1, &p[g], 1);
		assert_true(exists(p[g]));
		if (g)		/* its parent, and the parent's parent */
			assert_true(exists(p[g - 1]));
		if (g > 1)
			assert_true(exists(p[g - 2]));
	}

	/* generation 4: a full image again; 1..3 go */
	snprintf(p4, sizeof(p4), "%s/ckpt_chainprog_u1_00004.dmtcp", d);
	assert_int_equal(cg_write_gen(cg_scenario, 0, p4, NULL, NULL, NULL), 0);
	{
		char *pp = p4;

		co_gens_committed_set(4, &pp, 1);
	}
	assert_false(exists(p[0]));
	assert_false(exists(p[1]));
	assert_false(exists(p[2]));
	assert_true(exists(p4));

	/* generation 5, a delta of 4: 4 stays, with keep = 1 */
	snprintf(p5, sizeof(p5), "%s/ckpt_chainprog_u1_00005.dmtcp", d);
	assert_int_equal(cg_write_gen(cg_scenario, 1, p5, p4, NULL, NULL), 0);
	{
		char *pp = p5;

		co_gens_committed_set(5, &pp, 1);
	}
	assert_true(exists(p4));
	assert_true(exists(p5));

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	for (int g = 0; g < CG_NGENS; g++)
		free(p[g]);
	cg_view_free(&v);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
