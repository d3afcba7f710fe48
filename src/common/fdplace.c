/*
 * fdplace.c - put a descriptor at one of the numbers the tool reserves
 * (include/dmtcp/fds.h), checked: a dup2 that did not give the number
 * asked for is an error with a message, never a silent wrong fd.
 */
#include "config.h"
#include "dmtcp/fds.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int dmtcp_place_fd(int fd, int want, const char *what)
{
	int r, e;

	if (fd == want)
		return want;
	r = dup2(fd, want);
	if (r != want) {
		e = r < 0 ? errno : EBADF;
		pr_err("cannot put %s (fd %d) at fd %d: %s", what, fd, want,
		       strerror(e));
		errno = e;
		return -1;
	}
	return want;
}

int dmtcp_fd_above(int fd, int base, const char *what)
{
	int hi;

	if (fd < 0 || fd >= base)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, base);
	if (hi < 0) {
		pr_warn("cannot move %s (fd %d) to fd %d or above: %s", what,
			fd, base, strerror(errno));
		return fd;
	}
	close(fd);
	return hi;
}
