/*
 * chain_gen_main.c - writes a synthetic chain of incremental images for
 * the e2e tests (tests/e2e/test-image-chain.sh):
 *   chain_gen DIR PREFIX [gzip]
 * makes DIR/PREFIX_00001.dmtcp (full), _00002 and _00003 (deltas; see
 * tests/unit/chain_gen.c for what changes) and DIR/PREFIX-expected.dmtcp,
 * the raw full image a merge of the chain must equal from offset 4096
 * on (the header differs only in the image id and its CRC).
 */
#include "config.h"
#include "chain_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	uint32_t flags = 0;
	char *paths[CG_NGENS], exp[4096];
	struct cg_view v;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "gzip"))) {
		fprintf(stderr, "usage: chain_gen DIR PREFIX [gzip]\n");
		return 2;
	}
	if (argc == 4)
		flags = IMG_F_GZIP;
	if (cg_write_chain(argv[1], argv[2], flags, paths, &v) < 0)
		return 1;
	snprintf(exp, sizeof(exp), "%s/%s-expected.dmtcp", argv[1], argv[2]);
	if (cg_write_expected(cg_scenario, CG_NGENS - 1, &v, exp, 0) < 0)
		return 1;
	for (int g = 0; g < CG_NGENS; g++) {
		printf("%s\n", paths[g]);
		free(paths[g]);
	}
	cg_view_free(&v);
	return 0;
}
