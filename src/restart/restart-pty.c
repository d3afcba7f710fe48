/*
 * restart-pty.c - pseudo-terminal pairs whose master is in the
 * computation (image fd kind IMG_FD_PTY, its number in img_fd.size).
 *
 * Like shared pipes, a pair is created once, before the processes
 * exist: a new master from /dev/ptmx, unlocked, and its slave (through
 * TIOCGPTPEER).  Every image fd of kind IMG_FD_PTY with that number gets
 * the master; every terminal fd whose path is /dev/pts/<number> gets the
 * slave, at fds 0-2 too (a child whose stdio was the pty).  The slave's
 * name changes (a new /dev/pts/M).  The restored library puts termios,
 * window size, the bytes in flight, the controlling terminal and the
 * foreground group back (src/preload/fd/pty.c).
 */
#include "config.h"
#include "restart-pty.h"
#include "dmtcp/fds.h"
#include "img.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define PTY_FD_BASE 600		/* our copies, above the app's fds */
#define MAX_PTY 64

static struct pty {
	uint64_t num;		/* the number at checkpoint time */
	int master, slave;
} ptys[MAX_PTY];
static int npty;

static struct pty *find(uint64_t num)
{
	for (int i = 0; i < npty; i++)
		if (ptys[i].num == num)
			return &ptys[i];
	return NULL;
}

int rst_pty_prepare(struct img_meta **metas, int n, char *err, size_t errcap)
{
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < metas[i]->nfds; k++) {
			const struct img_fd *f = &metas[i]->fds[k].fd;
			int m, s, unlock = 0, now = -1;

			if (f->kind != IMG_FD_PTY || find(f->size))
				continue;
			if (npty == MAX_PTY) {
				snprintf(err, errcap, "more than %d pseudo-"
					 "terminals in the images", MAX_PTY);
				return -1;
			}
			m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
			if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
			    (s = ioctl(m, TIOCGPTPEER,
				       O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
				snprintf(err, errcap, "cannot create a pseudo-"
					 "terminal for /dev/pts/%llu of %s: %s",
					 (unsigned long long)f->size,
					 metas[i]->path, strerror(errno));
				if (m >= 0)
					close(m);
				return -1;
			}
			ioctl(m, TIOCGPTN, &now);
			ptys[npty].num = f->size;
			ptys[npty].master = dmtcp_fd_above(m, PTY_FD_BASE,
							   "a pty master");
			ptys[npty].slave = dmtcp_fd_above(s, PTY_FD_BASE,
							  "a pty slave");
			npty++;
			pr_debug("pty /dev/pts/%llu is /dev/pts/%d now",
				 (unsigned long long)f->size, now);
		}
	}
	return 0;
}

int rst_pty_for(const struct img_meta_fd *mf)
{
	const struct img_fd *f = &mf->fd;
	const struct pty *p;
	char *end;
	unsigned long long num;

	if (f->kind == IMG_FD_PTY)
		return (p = find(f->size)) ? p->master : -1;
	if (f->kind != IMG_FD_TTY || !mf->path ||
	    strncmp(mf->path, "/dev/pts/", 9) != 0)
		return -1;
	num = strtoull(mf->path + 9, &end, 10);
	if (end == mf->path + 9 || *end)
		return -1;
	return (p = find(num)) ? p->slave : -1;
}

void rst_pty_ctty(const struct img_meta *m)
{
	for (size_t k = 0; k < m->nfds; k++) {
		int s;

		if (m->fds[k].fd.kind != IMG_FD_TTY ||
		    (s = rst_pty_for(&m->fds[k])) < 0)
			continue;
		if (ioctl(s, TIOCSCTTY, 0) < 0)
			pr_debug("TIOCSCTTY on /dev/pts/%s of %s: %s",
				 m->fds[k].path + 9, m->path, strerror(errno));
		return;
	}
}

void rst_pty_close(void)
{
	for (int i = 0; i < npty; i++) {
		close(ptys[i].master);
		close(ptys[i].slave);
	}
	npty = 0;
}
