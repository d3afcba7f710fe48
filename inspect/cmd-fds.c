/*
 * cmd-fds.c - `dmtcp_inspect fds IMG`: the file descriptors the process
 * had open, with kind, access mode, offset and path.
 */
#include "session.h"

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

int insp_cmd_fds(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	char mode[48];
	size_t i;

	if (!s->o->json)
		printf("%4s %-6s %-20s %10s  %s\n", "FD", "KIND", "MODE",
		       "OFFSET", "PATH");
	for (i = 0; i < m->nfds; i++) {
		const struct img_fd *f = &m->fds[i].fd;

		fds_mode(mode, sizeof(mode), f->flags, f->fdflags);
		if (s->o->json) {
			insp_json_next(s);
			printf("{\"fd\": %d, \"kind\": \"%s\", "
			       "\"mode\": \"%s\", \"flags\": %u, "
			       "\"offset\": %lld, \"size\": %llu, "
			       "\"inode\": %llu, \"path\": ", f->fd,
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
	return INSP_EXIT_OK;
}
