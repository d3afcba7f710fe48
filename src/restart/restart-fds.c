/*
 * restart-fds.c - pipes shared between the processes of a restart.
 *
 * A pipe created before a fork is held by several processes.  Every pipe
 * named in any image (by its inode) is created once here, before the
 * processes exist; each process, before it becomes mtcp_restart, puts
 * the right end at each fd number its image had for that pipe and
 * closes everything else.  The restored library keeps those fds and
 * refills data that was in flight (see src/preload/fds.c).
 */
#include "config.h"
#include "restart.h"
#include "img.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PREP_FD_BASE 500	/* our copies live above the app's fds */
#define MAX_PIPES 256

struct prep {
	uint64_t inode;
	int rfd, wfd;
};

static struct prep preps[MAX_PIPES];
static int nprep;

static int move_high(int fd)
{
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, PREP_FD_BASE);

	if (hi < 0)
		return fd;
	close(fd);
	return hi;
}

int rst_prepare_pipes(struct img_meta **metas, int n, char *err,
			   size_t errcap)
{
	for (int i = 0; i < n; i++) {
		const struct img_meta *m = metas[i];

		for (size_t k = 0; k < m->nfds; k++) {
			const struct img_fd *f = &m->fds[k].fd;
			int p[2], dup = 0;

			if (f->kind != IMG_FD_PIPE)
				continue;
			for (int j = 0; j < nprep; j++)
				if (preps[j].inode == f->inode)
					dup = 1;
			if (dup)
				continue;
			if (nprep == MAX_PIPES || pipe2(p, O_CLOEXEC) < 0) {
				snprintf(err, errcap, "cannot recreate pipe "
					 "of fd %d in %s: %s", f->fd, m->path,
					 nprep == MAX_PIPES ? "too many pipes"
							    : strerror(errno));
				return -1;
			}
			preps[nprep].inode = f->inode;
			preps[nprep].rfd = move_high(p[0]);
			preps[nprep].wfd = move_high(p[1]);
			nprep++;
		}
	}
	return 0;
}

static int keep_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void rst_place_pipes(const struct img_meta *m)
{
	int keep[1100], nkeep = 0, lo = 3;

	for (size_t k = 0; k < m->nfds; k++) {
		const struct img_fd *f = &m->fds[k].fd;

		if (f->kind != IMG_FD_PIPE || f->fd < 3 ||
		    f->fd >= PREP_FD_BASE)
			continue;
		for (int j = 0; j < nprep; j++) {
			int src;

			if (preps[j].inode != f->inode)
				continue;
			src = (f->flags & O_ACCMODE) == O_RDONLY ? preps[j].rfd
								 : preps[j].wfd;
			if (dup2(src, f->fd) >= 0 && nkeep < 1000)
				keep[nkeep++] = f->fd;
		}
	}
	keep[nkeep++] = 1000;	/* the image (RST_IMAGE_FD) */
	qsort(keep, nkeep, sizeof(keep[0]), keep_cmp);
	for (int i = 0; i < nkeep; i++) {
		if (keep[i] > lo)
			syscall(SYS_close_range, lo, keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

void rst_close_pipes(void)
{
	for (int j = 0; j < nprep; j++) {
		close(preps[j].rfd);
		close(preps[j].wfd);
	}
	nprep = 0;
}
