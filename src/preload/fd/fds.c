/*
 * fd/fds.c - the descriptors of one process, the part every kind shares.
 *
 * Checkpoint: every fd below DMTCP_FD_PROTECTED is recorded (number,
 * path, flags, offset, which earlier fd shares its open file
 * description), then each kind of the table (fd/kinds.c) looks at it.
 * Descriptions that several processes may share take part in the owner
 * election, as DMTCP does it; after the election barrier each owner has
 * its kind save what is in flight.  Restart: a descriptor that is back
 * already (dmtcp_restart placed it) is kept; a dup of an earlier one
 * shares it again; fds 0-2 that were a terminal, pipe or socket are the
 * restart's own stdio; anything else its kind makes again, and what
 * cannot be made again becomes a placeholder (/dev/null, or a fresh
 * socket of the same type) with a message.
 */
#include "config.h"
#include "fd/fd.h"
#include "fd/kind.h"
#include "log.h"
#include "base/sys.h"

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
	memset(&r->x, 0, sizeof(r->x));
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

static int pipe_data_init(void)
{
	dmtcp_ps.pipe_data_len = 0;
	if (dmtcp_ps.pipe_data)
		return 0;
	dmtcp_ps.pipe_data = mmap(NULL, DMTCP_FD_DATA_MAX, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
	if (dmtcp_ps.pipe_data == MAP_FAILED) {
		dmtcp_ps.pipe_data = NULL;
		return -1;
	}
	return 0;
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
	const struct fd_kind *k = dmtcp_fd_kind_of(r);

	return r->dup_of < 0 && k && k->electable && k->electable(r);
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
		const struct fd_kind *k = dmtcp_fd_kind_of(r);

		if (k && k->drain && r->dup_of < 0 && r->rec.owner == pid)
			k->drain(r);
	}
	for (size_t k = 0; k < dmtcp_fd_nkinds; k++)
		if (dmtcp_fd_kinds[k]->drain_end)
			dmtcp_fd_kinds[k]->drain_end();
}

void dmtcp_drain_done(void)
{
	for (size_t k = 0; k < dmtcp_fd_nkinds; k++)
		if (dmtcp_fd_kinds[k]->drain_done)
			dmtcp_fd_kinds[k]->drain_done();
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
		for (int i = 0; i < dmtcp_ps.nfds; i++)
			for (size_t k = 0; k < dmtcp_fd_nkinds; k++)
				if (dmtcp_fd_kinds[k]->capture)
					dmtcp_fd_kinds[k]->capture(
						&dmtcp_ps.fds[i]);
	for (size_t k = 0; k < dmtcp_fd_nkinds; k++)
		if (dmtcp_fd_kinds[k]->capture_end)
			dmtcp_fd_kinds[k]->capture_end();
	bid_for_pipes();
	return dmtcp_fds_refused(why, cap);
}

int dmtcp_fds_refused(char *err, size_t cap)
{
	for (size_t k = 0; k < dmtcp_fd_nkinds; k++)
		if (dmtcp_fd_kinds[k]->refused &&
		    dmtcp_fd_kinds[k]->refused(err, cap))
			return 1;
	return 0;
}

int dmtcp_fd_same_file(const struct dmtcp_fdrec *f)
{
	struct stat st;

	return fstat(f->rec.fd, &st) == 0 && st.st_ino == f->rec.inode &&
	       st.st_dev == f->rec.dev;
}

/* Put `src` at number `fd` with the recorded fd flags; closes src. */
static void place(int src, const struct img_fd *r)
{
	int ok = dmtcp_place_fd(src, r->fd, "a restored descriptor") >= 0;

	if (src != r->fd)
		close(src);
	if (ok)
		fcntl(r->fd, F_SETFD, r->fdflags);
}

int dmtcp_fd_reopen(const struct dmtcp_fdrec *f)
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

/* reopen f by its path, or say why it now reads from /dev/null */
int dmtcp_fd_reopen_or_warn(const struct dmtcp_fdrec *f)
{
	int fd = dmtcp_fd_reopen(f);

	if (fd < 0)
		pr_warn("fd %d: cannot reopen %s: %s; it now reads from "
			"/dev/null", f->rec.fd, f->path, strerror(errno));
	return fd;
}

void dmtcp_restore_fds(void)
{
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *f = &dmtcp_ps.fds[i];
		const struct fd_kind *k = dmtcp_fd_kind_of(f);
		int inherited = fcntl(f->rec.fd, F_GETFD) >= 0;
		int fd = -1;

		if (k && k->prepared && k->prepared(f, inherited))
			continue;
		if (f->dup_of >= 0) {
			/* the original comes first: share its description */
			if (dmtcp_place_fd(dmtcp_ps.fds[f->dup_of].rec.fd,
					   f->rec.fd, "a dup") >= 0)
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
		if (k && k->restore)
			fd = k->restore(f);
		if (fd < 0)
			fd = placeholder(f);
		if (fd >= 0)
			place(fd, &f->rec);
	}
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct fd_kind *k = dmtcp_fd_kind_of(&dmtcp_ps.fds[i]);

		if (k && k->late)
			k->late(&dmtcp_ps.fds[i]);
	}
	for (size_t k = 0; k < dmtcp_fd_nkinds; k++)
		if (dmtcp_fd_kinds[k]->late_end)
			dmtcp_fd_kinds[k]->late_end();
}
