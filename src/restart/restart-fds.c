/*
 * restart-fds.c - descriptors shared between the processes of a restart.
 *
 * A pipe or file opened before a fork is one open file description held
 * by several processes (one offset, one pipe).  Every pipe named in any
 * image (by inode) and every regular file or directory (by dev, inode
 * and description key, img_fd.owner) is opened once here, before the
 * processes exist (for a deleted file: a description of the unlinked
 * file restart-files.c recreated, for every fd that had it); each
 * process, before it becomes mtcp_restart, puts it at each fd number
 * its image had and closes everything else.  The restored library keeps
 * those fds and refills pipe data that was in flight (see
 * src/preload/fds.c).
 */
#include "config.h"
#include "restart.h"
#include "restart-files.h"
#include "restart-pty.h"
#include "restart-sockets.h"
#include "dmtcp/fds.h"
#include "img.h"
#include "log.h"
#include "dmtcp/restore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PREP_FD_BASE 500	/* our copies live above the app's fds */
#define SHM_FD_BASE 900		/* shared memory objects for mtcp_restart */
#define MAX_SHM 64
#define MAX_PIPES 256

struct prep {
	uint64_t dev, inode;
	int32_t owner, owner_fd;	/* files: description key */
	const struct img_meta *solo_m;	/* a deleted file without a known
					   description key: its only fd */
	int32_t solo_fd;
	int is_pipe;
	int images;		/* how many images hold it */
	int last_image;
	int rfd, wfd;		/* files: both the same fd */
};

static struct prep preps[MAX_PIPES];
static int is_shm_fd(int fd);
static int nprep;

static int unkeyed(const struct img_fd *f)
{
	return f->owner <= 0 || f->owner_fd < 0;
}

static struct prep *find_prep_in(const struct img_meta *m,
				 const struct img_fd *f)
{
	for (int j = 0; j < nprep; j++) {
		struct prep *p = &preps[j];

		if (f->kind == IMG_FD_PIPE && p->is_pipe &&
		    p->inode == f->inode)
			return p;
		if (f->kind == IMG_FD_PIPE || p->is_pipe ||
		    p->inode != f->inode || p->dev != f->dev)
			continue;
		if (p->solo_m ? (p->solo_m == m && p->solo_fd == f->fd)
			      : (!unkeyed(f) && p->owner == f->owner &&
				 p->owner_fd == f->owner_fd))
			return p;
	}
	return NULL;
}

static int prepare_file(const struct img_meta *m,
			const struct img_meta_fd *mf, struct prep *p)
{
	const struct img_fd *f = &mf->fd;
	int flags = (f->flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_NOCTTY |
		    O_CLOEXEC;
	int ghost = f->kind == IMG_FD_FILE ? rst_ghost_fd(f->dev, f->inode)
					   : -1;
	char via[64];
	int fd;

	if (f->kind == IMG_FD_FILE)	/* F_GETFL of an O_TMPFILE file */
		flags &= ~O_TMPFILE;
	if (ghost >= 0) {
		/* a new description of the recreated unlinked file */
		snprintf(via, sizeof(via), "/proc/self/fd/%d", ghost);
		fd = open(via, flags);
	} else {
		fd = open(mf->path, flags);
	}
	if (fd < 0)
		return -1;	/* the library will say so, with a fallback */
	if (f->offset > 0)
		lseek(fd, f->offset, SEEK_SET);
	p->is_pipe = 0;
	p->dev = f->dev;
	p->inode = f->inode;
	p->owner = f->owner;
	p->owner_fd = f->owner_fd;
	p->solo_m = ghost >= 0 && unkeyed(f) ? m : NULL;
	p->solo_fd = f->fd;
	p->rfd = p->wfd = dmtcp_fd_above(fd, PREP_FD_BASE, "a file");
	return 0;
}

int rst_prepare_pipes(struct img_meta **metas, int n, char *err,
		      size_t errcap)
{
	if (rst_prepare_files(metas, n, err, errcap) < 0)
		return -1;	/* restart-files.c: ghosts, missing files */
	if (rst_pty_prepare(metas, n, err, errcap) < 0)
		return -1;	/* restart-pty.c */
	for (int i = 0; i < n; i++) {
		const struct img_meta *m = metas[i];

		for (size_t k = 0; k < m->nfds; k++) {
			const struct img_fd *f = &m->fds[k].fd;
			int p[2];

			struct prep *have;
			int ghost = f->kind == IMG_FD_FILE &&
				    rst_ghost_fd(f->dev, f->inode) >= 0;

			/* shared descriptions, and every fd of a deleted
			   file (only we can give it back) */
			if (f->kind != IMG_FD_PIPE && !ghost && (unkeyed(f) ||
			    (f->kind != IMG_FD_FILE && f->kind != IMG_FD_DIR)))
				continue;
			have = find_prep_in(m, f);
			if (have) {
				if (have->last_image != i) {
					have->images++;
					have->last_image = i;
				}
				continue;
			}
			if (nprep == MAX_PIPES) {
				snprintf(err, errcap, "more than %d shared "
					 "descriptors in %s", MAX_PIPES,
					 m->path);
				return -1;
			}
			memset(&preps[nprep], 0, sizeof(preps[nprep]));
			preps[nprep].images = 1;
			preps[nprep].last_image = i;
			if (f->kind != IMG_FD_PIPE) {
				if (prepare_file(m, &m->fds[k],
						 &preps[nprep]) == 0)
					nprep++;
				continue;
			}
			if (pipe2(p, O_CLOEXEC) < 0) {
				snprintf(err, errcap, "cannot recreate pipe "
					 "of fd %d in %s: %s", f->fd, m->path,
					 strerror(errno));
				return -1;
			}
			preps[nprep].is_pipe = 1;
			preps[nprep].inode = f->inode;
			preps[nprep].rfd = dmtcp_fd_above(p[0], PREP_FD_BASE,
							 "a pipe");
			preps[nprep].wfd = dmtcp_fd_above(p[1], PREP_FD_BASE,
							 "a pipe");
			nprep++;
		}
	}
	return rst_prepare_sockets(metas, n, err, errcap);
}

static int keep_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* the prepared pipe or file for f, or -1 (none, or stdio that comes
   from the restart) */
static int prep_src(const struct img_meta *m, const struct img_fd *f)
{
	struct prep *p = find_prep_in(m, f);

	if (!p)
		return -1;
	/*
	 * stdio that was a terminal, or a pipe to a process outside the
	 * computation, comes from the restart; a pipe between two
	 * processes of the computation (popen, a pipeline) is recreated
	 * like any other fd.
	 */
	if (f->fd < 3 && f->kind != IMG_FD_FILE &&
	    !(f->kind == IMG_FD_PIPE && p->images > 1))
		return -1;
	return (f->flags & O_ACCMODE) == O_RDONLY ? p->rfd : p->wfd;
}

/* fds 0-2 that rst_place_pipes() filled (bit n = fd n) */
unsigned rst_prepared_stdio;

void rst_place_pipes(const struct img_meta *m)
{
	int keep[1100], nkeep = 0, lo = 3;

	for (size_t k = 0; k < m->nfds; k++) {
		const struct img_fd *f = &m->fds[k].fd;
		int src;

		if (f->fd >= PREP_FD_BASE)
			continue;
		src = rst_pty_for(&m->fds[k]);	/* restart-pty.c */
		if (src < 0)
			src = rst_socket_for(f);	/* restart-sockets.c */
		if (src < 0)
			src = prep_src(m, f);
		if (src < 0 || dup2(src, f->fd) < 0)
			continue;
		if (f->fd <= 2)
			rst_prepared_stdio |= 1u << f->fd;
		else if (nkeep < 1000)
			keep[nkeep++] = f->fd;
	}
	keep[nkeep++] = 1000;	/* the image (RST_IMAGE_FD) */
	if (fcntl(829, F_GETFD) >= 0)
		keep[nkeep++] = 829;	/* RST_HOST_PROC_FD, --gdb modes */
	if (fcntl(828, F_GETFD) >= 0)
		keep[nkeep++] = 828;	/* RST_ENV_FD */
	if (fcntl(RST_STATUS_FD, F_GETFD) >= 0)
		keep[nkeep++] = RST_STATUS_FD;	/* start_tree */
	for (int fd = SHM_FD_BASE; fd < SHM_FD_BASE + MAX_SHM; fd++)
		if (is_shm_fd(fd))
			keep[nkeep++] = fd;
	qsort(keep, nkeep, sizeof(keep[0]), keep_cmp);
	for (int i = 0; i < nkeep; i++) {
		if (keep[i] > lo)
			syscall(SYS_close_range, lo, keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

/*
 * Shared memory objects (MAP_SHARED anonymous memory, memfd, deleted
 * files mapped shared) that more than one image maps: one memfd each,
 * which mtcp_restart maps in every process (--shm DEV:INODE:FD).
 */

struct shm {
	uint64_t dev, inode, size;
	int users;
	int fd;
};

static struct shm shms[MAX_SHM];
static int nshm;

static int is_shared_mem(const struct img_area *a)
{
	return (a->flags & IMG_AF_SHARED) && a->inode &&
	       (a->kind == IMG_AREA_SHARED_ANON || a->kind == IMG_AREA_DELETED);
}

int rst_prepare_shm(struct img_meta **metas, int n, char *err, size_t errcap)
{
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < metas[i]->nareas; k++) {
			const struct img_area *a = &metas[i]->areas[k].area;
			uint64_t end = a->offset + (a->end - a->start);
			int j;

			if (!is_shared_mem(a))
				continue;
			for (j = 0; j < nshm; j++)
				if (shms[j].inode == a->inode &&
				    shms[j].dev == a->dev)
					break;
			if (j == nshm) {
				if (nshm == MAX_SHM)
					continue;	/* restored unshared */
				shms[nshm].dev = a->dev;
				shms[nshm].inode = a->inode;
				shms[nshm].fd = -1;
				nshm++;
			}
			if (end > shms[j].size)
				shms[j].size = end;
			shms[j].users |= 1 << (i < 30 ? i : 30);
		}
	}
	for (int j = 0; j < nshm; j++) {
		int fd;

		if (rst_ghost_mappable(shms[j].dev, shms[j].inode)) {
			/* a deleted file an fd has too: the mapping and
			   the fd stay one file (restart-files.c made it,
			   with the saved contents) */
			fd = fcntl(rst_ghost_fd(shms[j].dev, shms[j].inode),
				   F_DUPFD_CLOEXEC, SHM_FD_BASE);
			if (fd >= 0) {
				shms[j].fd = fd;
				continue;
			}
		}
		if (!(shms[j].users & (shms[j].users - 1)))
			continue;	/* one process: plain shared memory */
		fd = memfd_create("dmtcp-shm", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, shms[j].size) < 0) {
			snprintf(err, errcap, "cannot create shared memory of "
				 "%llu bytes: %s",
				 (unsigned long long)shms[j].size,
				 strerror(errno));
			return -1;
		}
		shms[j].fd = dmtcp_fd_above(fd, SHM_FD_BASE,
					    "shared memory");
	}
	return 0;
}

/* Adds "--shm DEV:INODE:FD" arguments; returns the new argc. */
int rst_shm_args(const char **argv, int n, int max)
{
	static char buf[MAX_SHM][64];

	for (int j = 0; j < nshm && n + 2 < max; j++) {
		if (shms[j].fd < 0)
			continue;
		fcntl(shms[j].fd, F_SETFD, 0);	/* survives the exec */
		snprintf(buf[j], sizeof(buf[j]), "%llu:%llu:%d",
			 (unsigned long long)shms[j].dev,
			 (unsigned long long)shms[j].inode, shms[j].fd);
		argv[n++] = "--shm";
		argv[n++] = buf[j];
	}
	return n;
}

static int is_shm_fd(int fd)
{
	for (int j = 0; j < nshm; j++)
		if (shms[j].fd == fd)
			return 1;
	return 0;
}

void rst_close_pipes(void)
{
	rst_close_files();
	rst_pty_close();
	rst_close_sockets();
	for (int j = 0; j < nshm; j++)
		if (shms[j].fd >= 0)
			close(shms[j].fd);
	for (int j = 0; j < nprep; j++) {
		close(preps[j].rfd);
		if (preps[j].wfd != preps[j].rfd)
			close(preps[j].wfd);
	}
	nprep = 0;
}
