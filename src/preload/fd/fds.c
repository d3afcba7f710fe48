/*
 * fds.c - file descriptors of a single process.
 *
 * Checkpoint: every fd below our protected range is recorded with its
 * path, kind, flags and offset (regular files also get a FILE record,
 * with their contents when deleted: fd-files.c, doc/files.md).  Restart:
 * regular files, directories and devices are reopened by path at the
 * same number and offset (deleted ones were recreated unlinked by
 * dmtcp_restart, missing ones recreated at their path); fds 0-2
 * that were a terminal, pipe or socket are taken from the restart's own
 * stdin/stdout/stderr.  A pipe whose both ends are in this process is
 * drained at checkpoint (and refilled at once), then recreated with its
 * data at restart.  Other kinds that need the whole computation (pipes
 * to other processes, sockets, event fds) become placeholders that read
 * EOF.
 */
#include "config.h"
#include "fd/fd.h"
#include "fd/socket.h"
#include "log.h"
#include "base/sys.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>


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
	memset(r, 0, offsetof(struct dmtcp_fdrec, path));
	r->internal_pipe = 0;
	r->pipe_leader = 0;
	r->rec.owner = 0;
	r->rec.owner_fd = -1;
	r->dup_of = -1;
	r->data_off = r->data_len = 0;
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
	/* dup()s share one offset: remember which fd this one copies */
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *o = &dmtcp_ps.fds[i];

		if (o->rec.inode == r->rec.inode && o->rec.dev == r->rec.dev &&
		    o->dup_of < 0 &&
		    rsys5(SYS_kcmp, rsys_getpid(), rsys_getpid(),
			  0 /* KCMP_FILE */, o->rec.fd, fd) == 0) {
			r->dup_of = i;
			break;
		}
	}
	dmtcp_ps.nfds++;
}

#define PIPE_DATA_MAX (16u << 20)


static int pipe_data_init(void)
{
	dmtcp_ps.pipe_data_len = 0;
	if (dmtcp_ps.pipe_data)
		return 0;
	dmtcp_ps.pipe_data = mmap(NULL, PIPE_DATA_MAX, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
	if (dmtcp_ps.pipe_data == MAP_FAILED) {
		dmtcp_ps.pipe_data = NULL;
		return -1;
	}
	return 0;
}

static int is_reader(const struct dmtcp_fdrec *r)
{
	return r->rec.kind == IMG_FD_PIPE &&
	       (r->rec.flags & O_ACCMODE) != O_WRONLY;
}

/*
 * Leader election, as DMTCP does it: an fd shared by several processes
 * (after fork) is one open file description, with one F_SETOWN owner.
 * Every holder writes its pid there; after the barrier the pid that
 * stuck names the description (img_fd.owner) and, for a pipe, the
 * process that drains it.
 */
static int electable(const struct dmtcp_fdrec *r)
{
	return r->dup_of < 0 && (r->rec.kind == IMG_FD_PIPE ||
				 r->rec.kind == IMG_FD_FILE ||
				 r->rec.kind == IMG_FD_PTY ||
				 r->rec.kind == IMG_FD_DIR ||
				 dmtcp_sk_connected(r));
}

static void bid_for_pipes(void)
{
	int pid = rsys_getpid();

	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];

		if (!electable(r))
			continue;
		r->old_owner = fcntl(r->rec.fd, F_GETOWN);
		fcntl(r->rec.fd, F_SETOWN, pid);
	}
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

/*
 * The lowest fd number process `owner` has for the description behind
 * our fd r (kcmp against each of its fds), or -1.
 */
struct owner_walk {
	int self, owner, fd, best;
};

static int owner_one(int fd, int dirfd, void *arg)
{
	struct owner_walk *w = arg;

	(void)dirfd;
	if ((w->best < 0 || fd < w->best) &&
	    rsys5(SYS_kcmp, w->self, w->owner, 0 /* KCMP_FILE */, w->fd,
		  fd) == 0)
		w->best = fd;
	return 0;
}

static int owner_fd_of(const struct dmtcp_fdrec *r, int owner)
{
	struct owner_walk w = { rsys_getpid(), owner, r->rec.fd, -1 };
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd", owner);
	if (dmtcp_each_number(path, owner_one, &w) < 0)
		return -1;
	return w.best;
}

void dmtcp_drain_fds(void)
{
	int pid = rsys_getpid();

	if (!dmtcp_ps.pipe_data)
		return;
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];

		if (electable(r)) {
			r->rec.owner = fcntl(r->rec.fd, F_GETOWN);
			r->rec.owner_fd = r->rec.owner == pid ? r->rec.fd :
					  owner_fd_of(r, r->rec.owner);
		}
	}
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];

		if (r->dup_of >= 0) {
			r->rec.owner = dmtcp_ps.fds[r->dup_of].rec.owner;
			r->rec.owner_fd = dmtcp_ps.fds[r->dup_of].rec.owner_fd;
		}
	}
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		int fl;

		if (dmtcp_sk_connected(r) && r->dup_of < 0 &&
		    r->rec.owner == pid)
			dmtcp_sk_drain(r);	/* MSG_PEEK: nothing to refill */
		if (!is_reader(r) || r->dup_of >= 0 || r->rec.owner != pid)
			continue;
		r->pipe_leader = 1;
		r->pipe_size = fcntl(r->rec.fd, F_GETPIPE_SZ);
		r->data_off = dmtcp_ps.pipe_data_len;
		fl = fcntl(r->rec.fd, F_GETFL);
		fcntl(r->rec.fd, F_SETFL, fl | O_NONBLOCK);
		for (;;) {
			ssize_t n;

			if (dmtcp_ps.pipe_data_len >= PIPE_DATA_MAX)
				break;
			n = read(r->rec.fd,
				 dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len,
				 PIPE_DATA_MAX - dmtcp_ps.pipe_data_len);
			if (n <= 0)
				break;
			dmtcp_ps.pipe_data_len += n;
		}
		fcntl(r->rec.fd, F_SETFL, fl);
		r->data_len = dmtcp_ps.pipe_data_len - r->data_off;
		/* the running computation must not notice */
		refill(r);
	}
	dmtcp_pty_drain();	/* fd-pty.c: bytes in flight in ptys */
	dmtcp_mq_drain();
}

void dmtcp_drain_done(void)
{
	dmtcp_mq_drain_done();
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];

		if (electable(r))
			fcntl(r->rec.fd, F_SETOWN, r->old_owner);
	}
}

static int record_one(int fd, int dirfd, void *arg)
{
	(void)arg;
	if (fd != dirfd && fd < DMTCP_FD_PROTECTED)
		record_fd(fd);
	return 0;
}

int dmtcp_capture_fds(char *why, size_t cap)
{
	dmtcp_ps.nfds = 0;
	if (ensure_table() < 0)
		return 0;
	dmtcp_each_number("/proc/self/fd", record_one, NULL);
	if (pipe_data_init() == 0)
		for (int i = 0; i < dmtcp_ps.nfds; i++) {
			dmtcp_fdx_capture(&dmtcp_ps.fds[i]);
			if (dmtcp_ps.fds[i].rec.kind == IMG_FD_SOCKET)
				dmtcp_sk_capture(&dmtcp_ps.fds[i]);
		}
	dmtcp_mq_capture();	/* kind, attributes, drain bids */
	dmtcp_files_capture();	/* fd-files.c: deleted files, the limit */
	dmtcp_fdt_capture_end();
	bid_for_pipes();
	return dmtcp_fds_refused(why, cap);
}

static int same_file(const struct dmtcp_fdrec *f)
{
	struct stat st;

	return fstat(f->rec.fd, &st) == 0 && st.st_ino == f->rec.inode &&
	       st.st_dev == f->rec.dev;
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
static void restore_pipe(int i)
{
	const struct dmtcp_fdrec *f = &dmtcp_ps.fds[i];
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		pr_warn("fd %d: cannot recreate pipe: %s", f->rec.fd,
			strerror(errno));
		return;
	}
	/* out of the way of the numbers we are about to fill */
	for (int k = 0; k < 2; k++) {
		int hi = fcntl(p[k], F_DUPFD_CLOEXEC, DMTCP_FD_PIPE_TMP);

		if (hi >= 0) {
			close(p[k]);
			p[k] = hi;
		}
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
		dup2(src, b->rec.fd);
		fcntl(b->rec.fd, F_SETFL, b->rec.flags);
		fcntl(b->rec.fd, F_SETFD, b->rec.fdflags);
		b->internal_pipe = 2;	/* done */
	}
	close(p[0]);
	close(p[1]);
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
	int fd;

	if (f->rec.kind == IMG_FD_FILE)	/* made by O_TMPFILE, then linked */
		flags &= ~O_TMPFILE;
	fd = open(f->path, flags | O_NOCTTY);

	if (fd < 0)
		return -1;
	/* O_APPEND files too: writes go to the end, reads and lseek see
	   the position the program left */
	if (f->rec.offset > 0 && lseek(fd, f->rec.offset, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int placeholder(const struct dmtcp_fdrec *f)
{
	if (f->rec.kind == IMG_FD_SOCKET) {
		/* a socket nothing reconnected (not connected yet, or its
		   peer could not be recreated): a fresh one of the same
		   family and type, so connect()/bind() still make sense */
		int s = socket(f->rec.sk_domain, f->rec.sk_type | SOCK_CLOEXEC,
			       f->rec.sk_protocol);

		if (s >= 0)
			return s;
		return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	return open("/dev/null", (f->rec.flags & O_ACCMODE) | O_CLOEXEC);
}

void dmtcp_restore_fds(void)
{
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *f = &dmtcp_ps.fds[i];
		int inherited = fcntl(f->rec.fd, F_GETFD) >= 0;
		int fd = -1;

		if (dmtcp_pty_prepared(f))
			continue;	/* dmtcp_restart made the pty pair */
		if (f->rec.kind == IMG_FD_SOCKET && inherited &&
		    dmtcp_sk_prepared(f))
			continue;	/* dmtcp_restart reconnected it */
		if (f->rec.kind == IMG_FD_PIPE && f->dup_of < 0 && inherited &&
		    is_fifo(f->rec.fd)) {
			/* dmtcp_restart recreated it, shared as before */
			fcntl(f->rec.fd, F_SETFL, f->rec.flags);
			fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
			if (f->pipe_leader)
				refill(f);
			continue;
		}
		if (f->rec.kind == IMG_FD_PIPE && f->dup_of < 0 &&
		    pipe_both_ends_here(f)) {
			if (f->internal_pipe != 2)
				restore_pipe(i);
			continue;
		}
		if (f->rec.kind == IMG_FD_FILE && inherited &&
		    dmtcp_files_prepared(f)) {
			/* a deleted file dmtcp_restart recreated unlinked */
			fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
			continue;
		}
		if ((f->rec.kind == IMG_FD_FILE || f->rec.kind == IMG_FD_DIR) &&
		    inherited && same_file(f)) {
			/* dmtcp_restart opened it: shared, offset set */
			fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
			continue;
		}
		if (f->dup_of >= 0) {
			/* the original comes first: share its description */
			dup2(dmtcp_ps.fds[f->dup_of].rec.fd, f->rec.fd);
			fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
			continue;
		}

		if (f->rec.fd <= 2 && inherited &&
		    !(dmtcp_handoff.prepared_stdio & (1u << f->rec.fd)) &&
		    (f->rec.kind == IMG_FD_TTY || f->rec.kind == IMG_FD_PIPE ||
		     f->rec.kind == IMG_FD_SOCKET ||
		     f->rec.kind == IMG_FD_OTHER)) {
			fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
			continue;	/* the restart's own stdio */
		}
		switch (f->rec.kind) {
		case IMG_FD_FILE:
			if (dmtcp_files_is_ghost(f)) {
				pr_warn("fd %d: the deleted file %s was not "
					"recreated (dmtcp_restart said why); "
					"it now reads from /dev/null",
					f->rec.fd, f->path);
				break;
			}
			/* fall through */
		case IMG_FD_DIR:
		case IMG_FD_CHR:
		case IMG_FD_TTY:
			fd = reopen(f);
			if (fd < 0)
				pr_warn("fd %d: cannot reopen %s: %s; it now "
					"reads from /dev/null", f->rec.fd,
					f->path, strerror(errno));
			break;
		case IMG_FD_MQUEUE:
			fd = dmtcp_mq_restore(f);
			break;
		default:
			fd = dmtcp_fdx_restore(f);
			if (fd < 0)
				pr_debug("fd %d (%s): not restorable in a "
					 "single process yet; placeholder",
					 f->rec.fd, f->path);
			break;
		}
		if (fd < 0)
			fd = placeholder(f);
		if (fd >= 0)
			place(fd, &f->rec);
	}
	for (int i = 0; i < dmtcp_ps.nfds; i++)
		dmtcp_fdx_late(&dmtcp_ps.fds[i]);
	dmtcp_pty_late();	/* termios, controlling terminal */
}
