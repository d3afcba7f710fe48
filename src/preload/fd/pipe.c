/*
 * fd/pipe.c - the pipe kind: pipes and FIFOs.  The reader that won the
 * owner election drains the bytes in flight at checkpoint (and puts them
 * straight back: the running computation must not notice).  Restart:
 * dmtcp_restart recreated a pipe shared with other processes (this
 * process refills it if it drained it); a pipe whose both ends are in
 * this process is made again here, with its data, at every fd that had
 * it.  Its bytes live in dmtcp_ps.pipe_data (saved with the image).
 */
#include "config.h"
#include "fd/buf.h"
#include "fd/kind.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_reader(const struct dmtcp_fdrec *r)
{
	return r->rec.kind == IMG_FD_PIPE &&
	       (r->rec.flags & O_ACCMODE) != O_WRONLY;
}

/* A write end for pipe inode: one of ours, else a new one via /proc. */
static int pipe_writer(uint64_t inode, int rfd, int *opened)
{
	char path[64];

	*opened = 0;
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *w = &dmtcp_ps.fds[i];

		if (w->rec.kind == IMG_FD_PIPE && w->rec.inode == inode &&
		    (w->rec.flags & O_ACCMODE) != O_RDONLY)
			return w->rec.fd;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rfd);
	*opened = 1;
	return open(path, O_WRONLY | O_CLOEXEC);
}

static void refill(const struct dmtcp_fdrec *r)
{
	int opened, wfd, fl, cap;

	/* a restart's new pipe has the default size: give it back the one
	   it had (F_SETPIPE_SZ), or more than 64 KiB of data would not fit
	   and the write below would wait for a reader that is frozen */
	cap = fcntl(r->rec.fd, F_GETPIPE_SZ);
	if (r->pipe_size > cap &&
	    fcntl(r->rec.fd, F_SETPIPE_SZ, r->pipe_size) >= r->pipe_size)
		cap = r->pipe_size;
	if (!r->data_len)
		return;
	wfd = pipe_writer(r->rec.inode, r->rec.fd, &opened);
	if (wfd < 0) {
		pr_warn("fd %d: cannot refill %llu bytes into the pipe: %s",
			r->rec.fd, (unsigned long long)r->data_len,
			strerror(errno));
		return;
	}
	fl = fcntl(wfd, F_GETFL);
	if (cap < 0 || (uint64_t)cap >= r->data_len) {
		fcntl(wfd, F_SETFL, fl & ~O_NONBLOCK);
		util_write_all(wfd, dmtcp_ps.pipe_data + r->data_off,
			       r->data_len);
	} else {
		ssize_t n;

		fcntl(wfd, F_SETFL, fl | O_NONBLOCK);
		n = write(wfd, dmtcp_ps.pipe_data + r->data_off, r->data_len);
		pr_warn("fd %d: the pipe holds %d bytes (F_SETPIPE_SZ %d "
			"refused: %s): %llu of %llu bytes in flight are lost",
			r->rec.fd, cap, r->pipe_size, strerror(errno),
			(unsigned long long)(r->data_len - (n > 0 ? n : 0)),
			(unsigned long long)r->data_len);
	}
	fcntl(wfd, F_SETFL, fl);
	if (opened)
		close(wfd);
}

static int is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static int pipe_both_ends_here(const struct dmtcp_fdrec *f)
{
	int r = 0, w = 0;

	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *o = &dmtcp_ps.fds[i];

		if (o->rec.kind != IMG_FD_PIPE || o->rec.inode != f->rec.inode)
			continue;
		if ((o->rec.flags & O_ACCMODE) == O_WRONLY)
			w = 1;
		else
			r = 1;
	}
	return r && w;
}

/*
 * Without dmtcp_restart's help (the fd is not there): recreate a pipe
 * whose both ends are ours, at every fd that had it, with its data.
 */
static void restore_pipe(const struct dmtcp_fdrec *f)
{
	int i = (int)(f - dmtcp_ps.fds);
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		pr_warn("fd %d: cannot recreate pipe: %s", f->rec.fd,
			strerror(errno));
		return;
	}
	/* out of the way of the numbers we are about to fill */
	for (int k = 0; k < 2; k++) {
		p[k] = dmtcp_fd_above(p[k], DMTCP_FD_PIPE_TMP, "a new pipe");
	}
	for (int j = 0; j < dmtcp_ps.nfds; j++) {
		const struct dmtcp_fdrec *l = &dmtcp_ps.fds[j];

		if (l->rec.inode != f->rec.inode || !l->pipe_leader)
			continue;
		if (l->pipe_size > 0)
			fcntl(p[1], F_SETPIPE_SZ, l->pipe_size);
		util_write_all(p[1], dmtcp_ps.pipe_data + l->data_off,
			       l->data_len);
	}
	for (int j = i; j < dmtcp_ps.nfds; j++) {
		struct dmtcp_fdrec *b = &dmtcp_ps.fds[j];
		int src;

		if (b->rec.kind != IMG_FD_PIPE || b->rec.inode != f->rec.inode)
			continue;
		src = (b->rec.flags & O_ACCMODE) == O_RDONLY ? p[0] : p[1];
		if (dmtcp_place_fd(src, b->rec.fd, "a recreated pipe") < 0)
			continue;
		fcntl(b->rec.fd, F_SETFL, b->rec.flags);
		fcntl(b->rec.fd, F_SETFD, b->rec.fdflags);
		b->internal_pipe = 2;	/* done */
	}
	close(p[0]);
	close(p[1]);
}

/* The owner of a pipe's read end: take the bytes in flight, put them back. */
static void drain(struct dmtcp_fdrec *r)
{
	int fl;

	if (!is_reader(r))
		return;
	r->pipe_leader = 1;
	r->pipe_size = fcntl(r->rec.fd, F_GETPIPE_SZ);
	r->data_off = dmtcp_ps.pipe_data_len;
	fl = fcntl(r->rec.fd, F_GETFL);
	fcntl(r->rec.fd, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		uint64_t room = dmtcp_fd_data_room(dmtcp_ps.pipe_data_len);
		ssize_t n;

		if (!room)
			break;
		n = read(r->rec.fd, dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len,
			 room);
		if (n <= 0)
			break;
		dmtcp_ps.pipe_data_len += n;
	}
	fcntl(r->rec.fd, F_SETFL, fl);
	r->data_len = dmtcp_ps.pipe_data_len - r->data_off;
	/* the running computation must not notice */
	refill(r);
}

static int prepared(const struct dmtcp_fdrec *f, int inherited)
{
	if (f->dup_of >= 0)
		return 0;
	if (inherited && is_fifo(f->rec.fd)) {
		/* dmtcp_restart recreated it, shared as before */
		fcntl(f->rec.fd, F_SETFL, f->rec.flags);
		fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
		if (f->pipe_leader)
			refill(f);
		return 1;
	}
	if (pipe_both_ends_here(f)) {
		if (f->internal_pipe != 2)
			restore_pipe(f);
		return 1;
	}
	return 0;
}

const struct fd_kind fd_kind_pipe = {
	.name = "pipe", .kinds = FD_KINDS(IMG_FD_PIPE),
	.electable = dmtcp_fd_kind_always, .drain = drain, .prepared = prepared,
};
