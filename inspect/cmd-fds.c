/*
 * cmd-fds.c - `dmtcp_inspect fds IMG`: the file descriptors the process
 * had open, with kind, access mode, offset and path.
 */
#include "inspect.h"

#include <fcntl.h>
#include <string.h>

static const char *fds_mode(char *buf, size_t cap, uint32_t flags,
			    uint32_t fdflags)
{
	const char *acc;

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		acc = "r";
		break;
	case O_WRONLY:
		acc = "w";
		break;
	case O_RDWR:
		acc = "rw";
		break;
	default:
		acc = "?";
		break;
	}
	snprintf(buf, cap, "%s%s%s%s", acc, flags & O_APPEND ? ",append" : "",
		 flags & O_NONBLOCK ? ",nonblock" : "",
		 fdflags & FD_CLOEXEC ? ",cloexec" : "");
	return buf;
}

int insp_cmd_fds(char **args, int nargs, const struct insp_opts *o)
{
	struct img_meta *m;
	char mode[48];
	size_t i;
	int rc;

	(void)nargs;
	rc = insp_load(args[0], &m);
	if (rc)
		return rc;
	if (o->json) {
		printf("{\"image\": ");
		insp_json_str(stdout, m->path);
		printf(", \"fds\": [");
	} else {
		printf("%4s %-6s %-20s %10s  %s\n", "FD", "KIND", "MODE",
		       "OFFSET", "PATH");
	}
	for (i = 0; i < m->nfds; i++) {
		const struct img_fd *f = &m->fds[i].fd;

		fds_mode(mode, sizeof(mode), f->flags, f->fdflags);
		if (o->json) {
			printf("%s\n  {\"fd\": %d, \"kind\": \"%s\", "
			       "\"mode\": \"%s\", \"flags\": %u, "
			       "\"offset\": %lld, \"size\": %llu, "
			       "\"inode\": %llu, \"path\": ",
			       i ? "," : "", f->fd,
			       insp_fd_kind_name(f->kind), mode, f->flags,
			       (long long)f->offset,
			       (unsigned long long)f->size,
			       (unsigned long long)f->inode);
			insp_json_str(stdout, m->fds[i].path);
			printf("}");
		} else {
			char off[24] = "-";

			if (f->offset >= 0)
				snprintf(off, sizeof(off), "%lld",
					 (long long)f->offset);
			printf("%4d %-6s %-20s %10s  %s\n", f->fd,
			       insp_fd_kind_name(f->kind), mode, off,
			       m->fds[i].path);
		}
	}
	if (o->json)
		printf("\n]}\n");
	img_free_meta(m);
	return INSP_EXIT_OK;
}
