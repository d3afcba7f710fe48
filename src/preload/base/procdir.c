/*
 * base/procdir.c - walk the numeric entries of a /proc directory (tasks, fds)
 * with getdents64 and a stack buffer: no allocation, usable while other
 * threads are frozen.
 */
#include "config.h"
#include "base/state.h"
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int dmtcp_each_number(const char *path, int (*fn)(int n, int dirfd, void *arg),
		      void *arg)
{
	char buf[4096];
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (dfd < 0)
		return -1;
	while (rc == 0) {
		long n = rsys3(SYS_getdents64, dfd, (long)buf, sizeof(buf));

		if (n <= 0)
			break;
		for (long off = 0; off < n && rc == 0;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int num = 0;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			for (const char *p = d->d_name; *p >= '0' && *p <= '9';
			     p++)
				num = num * 10 + (*p - '0');
			rc = fn(num, dfd, arg);
		}
	}
	close(dfd);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}
