/*
 * base/procdir.c - /proc readers: walk the entries (or the numeric
 * entries: tasks, fds) of a directory with getdents64 and a stack
 * buffer, and read /proc/self/fdinfo (util_read_small): no allocation,
 * usable while other threads are frozen.
 */
#include "config.h"
#include "base/state.h"
#include "base/sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int dmtcp_each_name(int dfd, int (*fn)(int dirfd, const char *name,
					void *arg), void *arg)
{
	char buf[4096];
	int rc = 0;

	while (rc == 0) {
		long n = rsys3(SYS_getdents64, dfd, (long)buf, sizeof(buf));

		if (n <= 0)
			break;
		for (long off = 0; off < n && rc == 0;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			rc = fn(dfd, d->d_name, arg);
		}
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

struct each_number {
	int (*fn)(int n, int dirfd, void *arg);
	void *arg;
};

static int number_entry(int dfd, const char *name, void *arg)
{
	const struct each_number *w = arg;
	int num = 0;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	for (const char *p = name; *p >= '0' && *p <= '9'; p++)
		num = num * 10 + (*p - '0');
	return w->fn(num, dfd, w->arg);
}

int dmtcp_each_number(const char *path, int (*fn)(int n, int dirfd, void *arg),
		      void *arg)
{
	struct each_number w = { fn, arg };
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (dfd < 0)
		return -1;
	rc = dmtcp_each_name(dfd, number_entry, &w);
	close(dfd);
	return rc;
}

ssize_t dmtcp_read_fdinfo(int fd, char *buf, size_t cap)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return util_read_small(AT_FDCWD, path, buf, cap);
}
