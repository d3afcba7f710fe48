/* restart-sockets.h - connected sockets of a restart (restart-sockets.c) */
#ifndef DMTCP_RESTART_SOCKETS_H
#define DMTCP_RESTART_SOCKETS_H

#include <stddef.h>

struct img_meta;
struct img_fd;

/* recreate every connected socket of the images, with its queued data */
int rst_prepare_sockets(struct img_meta **metas, int n, char *err,
			size_t errcap);
/* the socket to put at f->fd, or -1 (not a recreated socket) */
int rst_socket_for(const struct img_fd *f);
void rst_close_sockets(void);

#endif
