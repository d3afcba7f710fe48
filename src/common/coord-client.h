/*
 * coord-client.h - connecting to a coordinator and finding its secret.
 *
 * The coordinator writes a random secret to a 0600 file
 *   $DMTCP_TMPDIR/dmtcp-$USER@$HOST/coordinator-<port>.secret
 * Clients on the same host read it from there (dmtcp_command,
 * dmtcp_launch, dmtcp_restart); launched processes get it in the
 * environment variable DMTCP_COORD_SECRET.
 */
#ifndef DMTCP_COORD_CLIENT_H
#define DMTCP_COORD_CLIENT_H

#include <stddef.h>

/* TCP connect with a timeout in ms.  Returns fd (CLOEXEC) or -1. */
int coord_connect(const char *host, int port, int timeout_ms);
/* Path of the secret file for a coordinator port.  0 or -1. */
int coord_secret_path(int port, char *buf, size_t cap);
/*
 * Secret to present: DMTCP_COORD_SECRET if set, else the secret file of
 * that port; "" if neither.  Always NUL-terminated.  0 or -1.
 */
int coord_get_secret(int port, char *buf, size_t cap);

#endif /* DMTCP_COORD_CLIENT_H */
