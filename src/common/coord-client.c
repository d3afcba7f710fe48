/* coord-client.c - connect to a coordinator; see coord-client.h. */
#include "config.h"
#include "coord-client.h"
#include "util.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
			SOCK_NONBLOCK, ai->ai_protocol);
	int one = 1, err = 0;
	socklen_t elen = sizeof(err);
	struct pollfd pfd;

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			int r = poll(&pfd, 1, timeout_ms);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				errno = r == 0 ? ETIMEDOUT : errno;
				goto fail;
			}
			break;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			goto fail;
		if (err) {
			errno = err;
			goto fail;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * Numeric addresses and "localhost" are connected without getaddrinfo(),
 * which allocates: the checkpoint thread of a restarted process connects
 * while the application's threads are frozen, maybe inside malloc.
 */
static int connect_numeric(const char *host, int port, int timeout_ms,
			   int *fd)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct addrinfo ai;

	memset(&ai, 0, sizeof(ai));
	ai.ai_socktype = SOCK_STREAM;
	memset(&a4, 0, sizeof(a4));
	a4.sin_family = AF_INET;
	a4.sin_port = htons(port);
	if (strcmp(host, "localhost") == 0)
		a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &a4.sin_addr) != 1)
		goto v6;
	ai.ai_family = AF_INET;
	ai.ai_addr = (struct sockaddr *)&a4;
	ai.ai_addrlen = sizeof(a4);
	*fd = connect_one(&ai, timeout_ms);
	return 1;
v6:
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	a6.sin6_port = htons(port);
	if (inet_pton(AF_INET6, host, &a6.sin6_addr) != 1)
		return 0;
	ai.ai_family = AF_INET6;
	ai.ai_addr = (struct sockaddr *)&a6;
	ai.ai_addrlen = sizeof(a6);
	*fd = connect_one(&ai, timeout_ms);
	return 1;
}

int coord_connect(const char *host, int port, int timeout_ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, rc, err = ECONNREFUSED;

	if (connect_numeric(host, port, timeout_ms, &fd))
		return fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_ms);
		if (fd >= 0)
			break;
		err = errno;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = err;
	return fd;
}

int coord_secret_path(int port, char *buf, size_t cap)
{
	char dir[512];
	int n;

	if (util_state_dir(dir, sizeof(dir)) < 0)
		return -1;
	n = snprintf(buf, cap, "%s/coordinator-%d.secret", dir, port);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

int coord_get_secret(int port, char *buf, size_t cap)
{
	const char *env = getenv("DMTCP_COORD_SECRET");
	char path[600], why[160];
	int fd;
	ssize_t n;

	buf[0] = 0;
	if (env && *env)
		return util_strlcpy(buf, env, cap);
	if (coord_secret_path(port, path, sizeof(path)) < 0)
		return -1;
	/* only a file of ours that nobody else could have written */
	fd = safe_open_own(path, O_RDONLY, 0, why, sizeof(why));
	if (fd < 0) {
		if (errno == EPERM)
			fprintf(stderr, "dmtcp: ignoring secret file %s: %s\n",
				path, why);
		return -1;
	}
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0) {
		buf[0] = 0;
		return -1;
	}
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}
