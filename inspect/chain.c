/*
 * chain.c - dmtcp_inspect and incremental images: the chain part of
 * `info` (image id, parent, every image of the chain).  The memory of a
 * delta image is read through its chain by mem.c, page by page.
 */
#include "session.h"
#include "img-chain.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void chain_text(const struct img_meta *m, const struct img_chain *c)
{
	char hex[33];

	printf("parent:       %s (generation %u, depth %u)\n",
	       m->parent_name, m->parent.parent_generation, m->parent.depth);
	if (!c)
		return;
	printf("chain:        %d images, newest first\n", c->n);
	for (int k = 0; k < c->n; k++)
		printf("  %s  generation %u  id %s  %s\n", c->path[k],
		       c->m[k] ? c->m[k]->proc.generation : m->proc.generation,
		       img_id_hex(c->m[k] ? c->m[k]->hdr.image_id :
				  m->hdr.image_id, hex),
		       k == c->n - 1 ? "full" : "incremental");
	printf("chain bytes:  %llu (stored bytes of the merged image)\n",
	       (unsigned long long)c->bytes);
}

static void chain_json(const struct img_meta *m, const struct img_chain *c,
		       const char *err)
{
	char hex[33];

	printf(", \"parent\": {\"name\": ");
	insp_json_str(stdout, m->parent_name);
	printf(", \"generation\": %u, \"depth\": %u, \"image_id\": \"%s\"}",
	       m->parent.parent_generation, m->parent.depth,
	       img_id_hex(m->parent.parent_id, hex));
	if (!c) {
		printf(", \"chain_error\": ");
		insp_json_str(stdout, err);
		return;
	}
	printf(", \"chain\": [");
	for (int k = 0; k < c->n; k++) {
		printf("%s{\"image\": ", k ? ", " : "");
		insp_json_str(stdout, c->path[k]);
		printf(", \"generation\": %u, \"image_id\": \"%s\", "
		       "\"incremental\": %s}", c->m[k]->proc.generation,
		       img_id_hex(c->m[k]->hdr.image_id, hex),
		       k == c->n - 1 ? "false" : "true");
	}
	printf("], \"chain_bytes\": %llu",
	       (unsigned long long)c->bytes);
}

int insp_chain_info(const struct img_meta *m, int json)
{
	char hex[33], err[2048] = "";
	struct img_chain *c = NULL;

	if (json)
		printf(", \"image_id\": \"%s\", \"incremental\": %s",
		       img_id_hex(m->hdr.image_id, hex),
		       (m->hdr.flags & IMG_F_DELTA) ? "true" : "false");
	else
		printf("image id:     %s\n", img_id_hex(m->hdr.image_id, hex));
	if (!(m->hdr.flags & IMG_F_DELTA))
		return INSP_EXIT_OK;
	c = img_chain_open(m->path, err, sizeof(err));
	if (json)
		chain_json(m, c, err);
	else
		chain_text(m, c);
	if (!c) {
		if (!json)
			printf("chain:        broken (see the message)\n");
		fflush(stdout);
		insp_err("%s", err);
		return INSP_EXIT_IMAGE;
	}
	img_chain_close(c);
	return INSP_EXIT_OK;
}
