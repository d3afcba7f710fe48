/*
 * fd/kinds.c - the table of descriptor kinds (fd/kind.h).  The order
 * matters twice: capture hooks run in it (a pty is recognised before a
 * plain terminal, message queues are told apart from files before the
 * files' own pass), and the first kind whose is() says yes handles a
 * descriptor from then on.  One line a kind.
 */
#include "config.h"
#include "fd/kind.h"

const struct fd_kind *const dmtcp_fd_kinds[] = {
	&fd_kind_pty,		/* pseudo-terminals, before plain terminals */
	&fd_kind_pipe,		/* pipes and FIFOs */
	&fd_kind_socket,	/* every socket */
	&fd_kind_anon,		/* eventfd, epoll, signalfd, timerfd, ... */
	&fd_kind_mqueue,	/* POSIX message queues, before files */
	&fd_kind_file,		/* regular files, deleted ones too */
	&fd_kind_path,		/* directories, devices: reopened by path */
};
const size_t dmtcp_fd_nkinds =
	sizeof(dmtcp_fd_kinds) / sizeof(dmtcp_fd_kinds[0]);

/* The kind that handles r, or NULL (a descriptor nothing knows). */
const struct fd_kind *dmtcp_fd_kind_of(const struct dmtcp_fdrec *r)
{
	for (size_t i = 0; i < dmtcp_fd_nkinds; i++) {
		const struct fd_kind *k = dmtcp_fd_kinds[i];

		if (k->is ? k->is(r) : r->rec.kind < 32 &&
				      (k->kinds & FD_KINDS(r->rec.kind)))
			return k;
	}
	return NULL;
}

int dmtcp_fd_kind_always(const struct dmtcp_fdrec *r)
{
	(void)r;
	return 1;
}
