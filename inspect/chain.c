/*
 * chain.c - dmtcp_inspect and incremental images: the chain part of
 * `info` (image id, parent, every image of the chain), and the memory
 * of a delta image for the commands that read memory: its chain merged
 * (img-chain.h) into an unnamed raw image in $TMPDIR, which the memory
 * reader (mem.c) then reads as it reads any full image.
 */
#include "session.h"
#include "img-chain.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* an unnamed file for the merged image: O_TMPFILE in $DMTCP_TMPDIR,
   $TMPDIR or /tmp, else a memfd */
static int tmp_data_fd(void)
{
	const char *d = getenv("DMTCP_TMPDIR");
	int fd;

	if (!d || !*d)
		d = getenv("TMPDIR");
	if (!d || !*d)
		d = "/tmp";
	fd = open(d, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = memfd_create("dmtcp_inspect-merged", MFD_CLOEXEC);
	return fd;
}

int insp_chain_data(const struct img_meta *m, int *fd, char *data_path,
		    size_t cap)
{
	char err[2048];
	struct img_chain *c;
	int rc;

	*fd = -1;
	c = img_chain_open(m->path, err, sizeof(err));
	if (!c) {
		insp_err("%s", err);
		return INSP_EXIT_IMAGE;
	}
	*fd = tmp_data_fd();
	if (*fd < 0) {
		insp_err("%s: no temporary file for its merged memory: %s",
			 m->path, strerror(errno));
		img_chain_close(c);
		return INSP_EXIT_IMAGE;
	}
	rc = img_chain_write(c, *fd, 0, err, sizeof(err));
	img_chain_close(c);
	if (rc < 0) {
		insp_err("%s", err);
		return INSP_EXIT_IMAGE;
	}
	snprintf(data_path, cap, "/proc/self/fd/%d", *fd);
	return INSP_EXIT_OK;
}

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
