/* fd-sockets.h - connected sockets (fd-sockets.c), used by fds.c. */
#ifndef DMTCP_PRELOAD_FD_SOCKETS_H
#define DMTCP_PRELOAD_FD_SOCKETS_H

struct dmtcp_fdrec;

/* after fd-kinds.c's capture of a socket: peer, state, buffer sizes */
void dmtcp_sk_capture(struct dmtcp_fdrec *r) HIDDEN;
/* a connected socket (takes part in the owner election) */
int dmtcp_sk_connected(const struct dmtcp_fdrec *r) HIDDEN;
/* the owner: copy the receive queue (MSG_PEEK) into pipe_data */
void dmtcp_sk_drain(struct dmtcp_fdrec *r) HIDDEN;
/* restart: 1 if dmtcp_restart placed this socket at its fd (kept) */
int dmtcp_sk_prepared(const struct dmtcp_fdrec *r) HIDDEN;

#endif
