/*
 * cmd-merge.c - `dmtcp_inspect merge IMG -o OUT`: the full image an
 * incremental image and its chain of parents stand for, written to OUT
 * (created exclusively, mode 0600: never over an existing file), gzip
 * if IMG is, raw with --raw.  A full image is a chain of one: merging
 * it copies it (with a new image id).
 */
#include "session.h"
#include "img-chain.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int insp_cmd_merge(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	const char *out = s->o->output;
	uint32_t flags = s->o->raw ? 0 : (m->hdr.flags & IMG_F_GZIP);
	struct img_chain *c;
	char err[2048];
	int fd, rc;

	c = img_chain_open(m->path, err, sizeof(err));
	if (!c) {
		insp_err("%s", err);
		return INSP_EXIT_IMAGE;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		insp_err("%s: %s%s", out, strerror(errno),
			 errno == EEXIST ? " (merge never overwrites a file)" :
			 "");
		img_chain_close(c);
		return INSP_EXIT_OUTPUT;
	}
	rc = img_chain_write(c, fd, flags, err, sizeof(err));
	if (rc == 0 && fsync(fd) < 0)
		snprintf(err, sizeof(err), "%s: %s", out, strerror(errno)),
		rc = -1;
	if (close(fd) < 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s: %s", out, strerror(errno));
		rc = -1;
	}
	if (rc < 0) {
		unlink(out);
		insp_err("%s", err);
		img_chain_close(c);
		return strstr(err, "writing the merged image") ||
		       strstr(err, out) == err ? INSP_EXIT_OUTPUT :
		       INSP_EXIT_IMAGE;
	}
	if (s->o->json) {
		printf("{\"image\": ");
		insp_json_str(stdout, m->path);
		printf(", \"output\": ");
		insp_json_str(stdout, out);
		printf(", \"images\": %d, \"compression\": \"%s\", "
		       "\"stored_bytes\": %llu}\n", c->n,
		       flags ? "gzip" : "raw", (unsigned long long)c->bytes);
	} else {
		printf("%s: %d image%s merged into a full %s image, %llu "
		       "bytes of memory stored\n", out, c->n,
		       c->n == 1 ? "" : "s", flags ? "gzip" : "raw",
		       (unsigned long long)c->bytes);
	}
	img_chain_close(c);
	return INSP_EXIT_OK;
}
