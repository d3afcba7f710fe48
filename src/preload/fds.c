/*
 * fds.c - file descriptors of a single process.
 *
 * Checkpoint: every fd below our protected range is recorded with its
 * path, kind, flags and offset.  Restart: regular files, directories and
 * devices are reopened by path at the same number and offset; fds 0-2
 * that were a terminal, pipe or socket are taken from the restart's own
 * stdin/stdout/stderr; other kinds that need the whole computation
 * (pipes, sockets, event fds) become placeholders that read EOF.
 */
#include "config.h"
#include "internal.h"
#include "log.h"
#include "sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int ensure_table(void)
{
	if (dmtcp_ps.fds)
		return 0;
	dmtcp_ps.fds = mmap(NULL, DMTCP_MAX_FDS * sizeof(*dmtcp_ps.fds),
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dmtcp_ps.fds == MAP_FAILED) {
		dmtcp_ps.fds = NULL;
		return -1;
	}
	return 0;
}

static void record_fd(int fd)
{
	struct dmtcp_fdrec *r;
	char link[64];
	struct stat st;
	ssize_t n;

	if (dmtcp_ps.nfds >= DMTCP_MAX_FDS)
		return;
	r = &dmtcp_ps.fds[dmtcp_ps.nfds];
	memset(&r->rec, 0, sizeof(r->rec));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, r->path, sizeof(r->path) - 1);
	if (n < 0)
		return;
	r->path[n] = 0;
	if (fstat(fd, &st) < 0)
		return;
	r->rec.fd = fd;
	r->rec.flags = fcntl(fd, F_GETFL);
	r->rec.fdflags = fcntl(fd, F_GETFD);
	r->rec.offset = -1;
	r->rec.dev = st.st_dev;
	r->rec.inode = st.st_ino;
	r->rec.size = st.st_size;
	r->rec.mode = st.st_mode;
	r->rec.path_len = n;
	if (S_ISREG(st.st_mode)) {
		r->rec.kind = IMG_FD_FILE;
		r->rec.offset = lseek(fd, 0, SEEK_CUR);
	} else if (S_ISDIR(st.st_mode)) {
		r->rec.kind = IMG_FD_DIR;
		r->rec.offset = lseek(fd, 0, SEEK_CUR);
	} else if (S_ISCHR(st.st_mode)) {
		r->rec.kind = isatty(fd) ? IMG_FD_TTY : IMG_FD_CHR;
	} else if (S_ISFIFO(st.st_mode)) {
		r->rec.kind = IMG_FD_PIPE;
	} else if (S_ISSOCK(st.st_mode)) {
		r->rec.kind = IMG_FD_SOCKET;
	} else {
		r->rec.kind = IMG_FD_OTHER;
	}
	dmtcp_ps.nfds++;
}

void dmtcp_capture_fds(void)
{
	char buf[4096];
	int dfd;

	dmtcp_ps.nfds = 0;
	if (ensure_table() < 0)
		return;
	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	for (;;) {
		long n = rsys3(SYS_getdents64, dfd, (long)buf, sizeof(buf));

		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int fd = 0;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			for (const char *p = d->d_name; *p; p++)
				fd = fd * 10 + (*p - '0');
			if (fd == dfd || fd >= DMTCP_PROTECTED_FD_BASE)
				continue;
			record_fd(fd);
		}
	}
	close(dfd);
}

/* Put `src` at number `fd` with the recorded fd flags; closes src. */
static void place(int src, const struct img_fd *r)
{
	if (src != r->fd) {
		dup2(src, r->fd);
		close(src);
	}
	fcntl(r->fd, F_SETFD, r->fdflags);
}

static int reopen(const struct dmtcp_fdrec *f)
{
	int flags = f->rec.flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	int fd = open(f->path, flags | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (f->rec.offset > 0 && !(f->rec.flags & O_APPEND) &&
	    lseek(fd, f->rec.offset, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int placeholder(const struct dmtcp_fdrec *f)
{
	if (f->rec.kind == IMG_FD_SOCKET)
		return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return open("/dev/null", (f->rec.flags & O_ACCMODE) | O_CLOEXEC);
}

void dmtcp_restore_fds(void)
{
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *f = &dmtcp_ps.fds[i];
		int inherited = fcntl(f->rec.fd, F_GETFD) >= 0;
		int fd = -1;

		if (f->rec.fd <= 2 && inherited &&
		    (f->rec.kind == IMG_FD_TTY || f->rec.kind == IMG_FD_PIPE ||
		     f->rec.kind == IMG_FD_SOCKET ||
		     f->rec.kind == IMG_FD_OTHER)) {
			fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
			continue;	/* the restart's own stdio */
		}
		switch (f->rec.kind) {
		case IMG_FD_FILE:
		case IMG_FD_DIR:
		case IMG_FD_CHR:
		case IMG_FD_TTY:
			fd = reopen(f);
			if (fd < 0)
				pr_warn("fd %d: cannot reopen %s: %s; it now "
					"reads from /dev/null", f->rec.fd,
					f->path, strerror(errno));
			break;
		default:
			pr_debug("fd %d (%s): not restorable in a single "
				 "process yet; placeholder", f->rec.fd,
				 f->path);
			break;
		}
		if (fd < 0)
			fd = placeholder(f);
		if (fd >= 0)
			place(fd, &f->rec);
	}
}
