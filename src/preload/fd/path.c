/*
 * fd/path.c - the kind of descriptors a restart opens again by their
 * path: directories (same offset), character devices and terminals that
 * are not a pty of the computation.
 */
#include "config.h"
#include "fd/kind.h"

#include <fcntl.h>

static int electable(const struct dmtcp_fdrec *r)
{
	return r->rec.kind == IMG_FD_DIR;	/* shared offset */
}

static int prepared(const struct dmtcp_fdrec *f, int inherited)
{
	/* dmtcp_restart opened it: shared, offset set */
	if (f->rec.kind != IMG_FD_DIR || !inherited || !dmtcp_fd_same_file(f))
		return 0;
	fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
	return 1;
}

const struct fd_kind fd_kind_path = {
	.name = "path",
	.kinds = FD_KINDS(IMG_FD_DIR) | FD_KINDS(IMG_FD_CHR) |
		 FD_KINDS(IMG_FD_TTY),
	.electable = electable, .prepared = prepared,
	.restore = dmtcp_fd_reopen_or_warn,
};
