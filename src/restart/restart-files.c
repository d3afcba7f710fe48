/*
 * restart-files.c - the regular files of the images, before the
 * processes exist (doc/files.md).
 *
 * Every file some fd of some image had open is looked at once (by the
 * dev and inode it had at checkpoint time, the key of the FILE records
 * and of the fds):
 *  - a file that was unlinked at checkpoint time (a "ghost") is
 *    recreated unlinked (O_TMPFILE in its directory, else created and
 *    unlinked there, else the same in $TMPDIR; a memfd with
 *    memfd_create) with its saved contents, size, mode and owner; the
 *    fds that had it get descriptions of it (restart-fds.c) and
 *    MAP_SHARED areas of it map it (rst_prepare_shm);
 *  - a file that is missing now (deleted or renamed since) is recreated
 *    at its path with its mode and owner, and its contents when they
 *    were saved (--ckpt-open-files); the user is told;
 *  - a file whose contents were saved and that changed since is put
 *    back with dmtcp_restart --allow-file-overwrite, else left as it is
 *    (the user is told);
 *  - an fd whose file is now shorter than its offset is reported;
 *  - an fd whose file cannot be reopened (its directory is gone, no
 *    permission) would read /dev/null: the user is told, or with
 *    --no-placeholder-files the restart fails before anything happens.
 * The options come as DMTCP_ALLOW_FILE_OVERWRITE=1 and
 * DMTCP_NO_PLACEHOLDER_FILES=1 (restart-opts.c sets them).
 */
#include "config.h"
#include "restart-files.h"
#include "dmtcp/fds.h"
#include "img.h"
#include "log.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DELETED_SUFFIX	" (deleted)"
#define GHOST_FD_BASE	500	/* above the app's fds, like restart-fds.c */

struct rfile {
	uint64_t dev, inode;		/* at checkpoint time */
	const struct img_meta *m;	/* image of the FILE record used */
	size_t k;			/* its index in m->files */
	const struct img_meta_file *mf;	/* NULL: no FILE record */
	const struct img_meta *fd_m;	/* an image and fd that had it */
	const struct img_fd *fd_f;
	char *path;			/* live path (no " (deleted)") */
	int ghost, memfd;
	int fd;				/* ghost: the recreated file */
	int missing;			/* not ghost: ENOENT now */
	int cannot;			/* errno: cannot be reopened or
					   recreated; 0 if it can */
	const char *cannot_why;		/* a reason besides errno */
};

static struct rfile *files;
static size_t nfiles;
static int allow_overwrite, no_placeholders;

static int env_on(const char *name)
{
	const char *v = getenv(name);

	return v && atoi(v) > 0;
}

static int has_contents(const struct rfile *f)
{
	return f->mf && (f->mf->file.flags & IMG_FILE_CONTENTS);
}

static struct rfile *find(uint64_t dev, uint64_t inode)
{
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].dev == dev && files[i].inode == inode)
			return &files[i];
	return NULL;
}

static struct rfile *find_or_add(uint64_t dev, uint64_t inode)
{
	static size_t cap;
	struct rfile *f = find(dev, inode);

	if (f)
		return f;
	if (nfiles == cap) {
		size_t nc = cap ? 2 * cap : 32;
		struct rfile *n = realloc(files, nc * sizeof(*n));

		if (!n)
			return NULL;
		files = n;
		cap = nc;
	}
	f = &files[nfiles++];
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->inode = inode;
	f->fd = -1;
	return f;
}

static int ends_deleted(const char *p)
{
	size_t n = strlen(p), s = sizeof(DELETED_SUFFIX) - 1;

	return n > s && strcmp(p + n - s, DELETED_SUFFIX) == 0;
}

/* dirname of path into buf ("/" for "/x", "." for "x") */
static void dir_of(const char *path, char *buf, size_t cap)
{
	const char *s = strrchr(path, '/');

	if (!s)
		snprintf(buf, cap, ".");
	else if (s == path)
		snprintf(buf, cap, "/");
	else
		snprintf(buf, cap, "%.*s", (int)(s - path), path);
}

static const char *img_name(const struct img_meta *m)
{
	const char *s = strrchr(m->path, '/');

	return s ? s + 1 : m->path;
}

/*
 * A file of the kernel's (/proc, /sys): the process opens it again by
 * path in the restart's namespaces, where /proc/PID is the restored
 * process; it has no FILE record.  Images without FILE records at all
 * (older versions) are judged by the path.
 */
static int kernel_path(const struct img_meta *m, const struct img_fd *fd,
		       const char *path)
{
	for (size_t k = 0; k < m->nfiles; k++)
		if (m->files[k].file.dev == fd->dev &&
		    m->files[k].file.inode == fd->inode)
			return 0;
	return strncmp(path, "/proc/", 6) == 0 ||
	       strncmp(path, "/sys/", 5) == 0;
}

static int collect(struct img_meta **metas, int n)
{
	for (int i = 0; i < n; i++) {
		const struct img_meta *m = metas[i];

		for (size_t k = 0; k < m->nfiles; k++) {
			const struct img_meta_file *mf = &m->files[k];
			struct rfile *f = find_or_add(mf->file.dev,
						      mf->file.inode);

			if (!f)
				return -1;
			/* the record with the contents wins */
			if (!f->mf || (!(f->mf->file.flags & IMG_FILE_CONTENTS)
				       && (mf->file.flags & IMG_FILE_CONTENTS))) {
				f->m = m;
				f->k = k;
				f->mf = mf;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		const struct img_meta *m = metas[i];

		for (size_t k = 0; k < m->nfds; k++) {
			const struct img_fd *fd = &m->fds[k].fd;
			struct rfile *f;

			if (fd->kind != IMG_FD_FILE || kernel_path(m, fd,
						m->fds[k].path))
				continue;
			f = find_or_add(fd->dev, fd->inode);
			if (!f)
				return -1;
			if (!f->fd_m) {
				f->fd_m = m;
				f->fd_f = fd;
				f->path = strdup(m->fds[k].path);
				if (!f->path)
					return -1;
			}
		}
	}
	for (size_t i = 0; i < nfiles; i++) {
		struct rfile *f = &files[i];
		struct stat st;

		if (f->mf) {
			free(f->path);
			f->path = strdup(f->mf->path);
			if (!f->path)
				return -1;
			f->ghost = !!(f->mf->file.flags & IMG_FILE_UNLINKED);
			f->memfd = !!(f->mf->file.flags & IMG_FILE_MEMFD);
		} else if (f->path && ends_deleted(f->path) &&
			   stat(f->path, &st) < 0) {
			/* an image without FILE records (older version) */
			f->ghost = 1;
			f->path[strlen(f->path) -
				(sizeof(DELETED_SUFFIX) - 1)] = 0;
			f->memfd = strncmp(f->path, "/memfd:", 7) == 0;
		}
	}
	return 0;
}

static mode_t mode_of(const struct rfile *f)
{
	if (f->mf)
		return f->mf->file.mode & 07777;
	return f->fd_f ? (f->fd_f->mode & 07777) : 0600;
}

/* ---- checks, before anything is changed ---- */

/* the state of a non-ghost file on disk: missing, cannot */
static void look_at(struct rfile *f)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!f->path || f->ghost)
		return;
	if (stat(f->path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			f->cannot = EISDIR;
			f->cannot_why = "it is no longer a regular file";
		}
		return;
	}
	if (errno != ENOENT) {
		f->cannot = errno;
		return;
	}
	f->missing = 1;
	dir_of(f->path, dir, sizeof(dir));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		f->cannot = ENOENT;
		f->cannot_why = "its directory is gone too, so it cannot be "
				"recreated";
	}
}

/* 0, or errno when fd f of its image cannot get its file back */
static int reopen_errno(const struct img_meta_fd *mf, const struct rfile *f,
			const char **why)
{
	int fl = O_CLOEXEC | O_NOCTTY | O_NONBLOCK, fd;

	*why = NULL;
	if (mf->fd.kind == IMG_FD_DIR) {
		fd = open(mf->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	if (!f || f->ghost)
		return 0;
	if (f->cannot) {
		*why = f->cannot_why;
		return f->cannot;
	}
	if (f->missing)
		return 0;	/* recreated */
	fd = open(mf->path, (mf->fd.flags & O_ACCMODE) | fl);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static const char *ghost_loss(const struct rfile *f)
{
	if (f->mf && (f->mf->file.flags & IMG_FILE_OVER_LIMIT))
		return "it had more data than the ghost limit at checkpoint "
		       "time, and --ghost-over-limit was drop";
	if (f->mf)
		return "the image of the process that saved them is not "
		       "restarted with this one";
	return "the image was written by an older version";
}

/* Prints every fd that would not get its file back; -1 if there is one
   and --no-placeholder-files. */
static int check_placeholders(struct img_meta **metas, int n, char *err,
			      size_t errcap)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		const struct img_meta *m = metas[i];

		for (size_t k = 0; k < m->nfds; k++) {
			const struct img_meta_fd *mf = &m->fds[k];
			struct rfile *f = NULL;
			const char *why;
			char msg[PATH_MAX + 512];
			int e;

			if (mf->fd.kind != IMG_FD_FILE &&
			    mf->fd.kind != IMG_FD_DIR)
				continue;
			if (mf->fd.kind == IMG_FD_FILE)
				f = find(mf->fd.dev, mf->fd.inode);
			if (f && f->ghost) {
				if (has_contents(f))
					continue;
				snprintf(msg, sizeof(msg), "%s: fd %d: the "
					 "contents of the deleted file %s were "
					 "not saved (%s)", m->path, mf->fd.fd,
					 f->path, ghost_loss(f));
				if (no_placeholders) {
					if (!bad++)
						snprintf(err, errcap, "%s; "
							 "--no-placeholder-"
							 "files: not restarting"
							 " with an empty file in"
							 " its place", msg);
					else
						fprintf(stderr, "dmtcp_restart:"
							" %s\n", msg);
				}
				continue;	/* told when it is made */
			}
			e = reopen_errno(mf, f, &why);
			if (!e)
				continue;
			snprintf(msg, sizeof(msg), "%s: fd %d: cannot reopen "
				 "%s: %s%s%s", m->path, mf->fd.fd, mf->path,
				 strerror(e), why ? "; " : "", why ? why : "");
			if (no_placeholders) {
				if (!bad++)
					snprintf(err, errcap, "%s; --no-"
						 "placeholder-files: not "
						 "restarting with /dev/null in "
						 "its place", msg);
				else
					fprintf(stderr, "dmtcp_restart: %s\n",
						msg);
			} else {
				fprintf(stderr, "dmtcp_restart: %s; the process "
					"reads /dev/null from it instead "
					"(dmtcp_restart --no-placeholder-files "
					"refuses to restart)\n", msg);
			}
		}
	}
	if (bad > 1) {
		size_t l = strlen(err);

		snprintf(err + l, errcap - l, " (and %d more fds, listed "
			 "above)", bad - 1);
	/* err is printed by the caller */
	}
	return bad ? -1 : 0;
}

/* ---- making files ---- */

/* saved contents, size, mode, owner, mtime onto fd; 0 or -1 (err) */
static int fill(struct rfile *f, int fd, int set_mode, char *err,
		size_t errcap)
{
	const struct img_file *r = f->mf ? &f->mf->file : NULL;
	struct timespec ts[2];

	if (has_contents(f)) {
		if (img_copy_file_data(f->m, f->k, fd, err, errcap) < 0)
			return -1;
		if (ftruncate(fd, (off_t)r->size) < 0) {
			snprintf(err, errcap, "cannot set the size of %s to "
				 "%llu bytes: %s", f->path,
				 (unsigned long long)r->size, strerror(errno));
			return -1;
		}
	}
	if (set_mode && fchmod(fd, mode_of(f)) < 0)
		pr_debug("%s: fchmod %04o: %s", f->path, mode_of(f),
			 strerror(errno));
	if (set_mode && r && (r->uid != geteuid() || r->gid != getegid()) &&
	    fchown(fd, r->uid, r->gid) < 0)
		fprintf(stderr, "dmtcp_restart: %s: cannot give it back its "
			"owner %u:%u: %s\n", f->path, r->uid, r->gid,
			strerror(errno));
	if (has_contents(f)) {
		ts[0].tv_nsec = UTIME_OMIT;
		ts[0].tv_sec = 0;
		ts[1].tv_sec = r->mtime_sec;
		ts[1].tv_nsec = r->mtime_nsec;
		futimens(fd, ts);
	}
	return 0;
}

/* an unlinked file in dir (O_TMPFILE, else created and unlinked) */
static int unlinked_in(const char *dir, const char *name)
{
	char final[PATH_MAX], tmp[PATH_MAX + 64];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), e;

	if (fd >= 0)
		return fd;
	e = errno;
	if (e == ENOENT || e == ENOTDIR)
		return -1;
	/* no O_TMPFILE on this file system */
	if (snprintf(final, sizeof(final), "%s/%s", dir, name) >=
	    (int)sizeof(final))
		return -1;
	fd = safe_create_tmp(final, tmp, sizeof(tmp), 0600);
	if (fd < 0)
		return -1;
	close(fd);
	fd = open(tmp, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	e = errno;
	unlink(tmp);
	errno = e;
	return fd;
}

static int make_ghost(struct rfile *f, char *err, size_t errcap)
{
	char dir[PATH_MAX];
	const char *base = strrchr(f->path, '/'), *tmpdir;
	int fd;

	base = base ? base + 1 : f->path;
	if (f->memfd) {
		fd = memfd_create(f->path + 7, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0)
			fd = memfd_create("dmtcp-restored",
					  MFD_CLOEXEC | MFD_ALLOW_SEALING);
	} else {
		dir_of(f->path, dir, sizeof(dir));
		fd = unlinked_in(dir, base);
		if (fd < 0) {
			int e = errno;

			tmpdir = getenv("TMPDIR");
			if (!tmpdir || !*tmpdir)
				tmpdir = "/tmp";
			fd = unlinked_in(tmpdir, base);
			if (fd >= 0)
				fprintf(stderr, "dmtcp_restart: the deleted "
					"file %s cannot come back in %s (%s): "
					"it is recreated in %s, still "
					"unlinked\n", f->path, dir,
					strerror(e), tmpdir);
		}
	}
	if (fd < 0) {
		snprintf(err, errcap, "cannot recreate the deleted file %s "
			 "(fd %d of %s): %s", f->path,
			 f->fd_f ? f->fd_f->fd : -1,
			 f->fd_m ? f->fd_m->path : "?", strerror(errno));
		return -1;
	}
	if (fill(f, fd, 1, err, errcap) < 0) {
		close(fd);
		return -1;
	}
	if (f->memfd && f->mf && f->mf->file.seals &&
	    fcntl(fd, F_ADD_SEALS, (int)f->mf->file.seals) < 0)
		pr_debug("%s: F_ADD_SEALS %#x: %s", f->path,
			 f->mf->file.seals, strerror(errno));
	if (!has_contents(f))
		fprintf(stderr, "dmtcp_restart: the deleted file %s (fd %d of "
			"%s) comes back empty: its contents were not saved "
			"(%s)\n", f->path, f->fd_f ? f->fd_f->fd : -1,
			f->fd_m ? img_name(f->fd_m) : "?", ghost_loss(f));
	fd = dmtcp_fd_above(fd, GHOST_FD_BASE, f->path);
	f->fd = fd;
	pr_debug("deleted file %s recreated unlinked (fd %d, %llu bytes)",
		 f->path, fd, (unsigned long long)(f->mf ? f->mf->file.size
						   : 0));
	return 0;
}

static void say_recreated(const struct rfile *f, int saved)
{
	fprintf(stderr, "dmtcp_restart: %s was deleted or renamed since the "
		"checkpoint: recreated at its path (mode %04o) %s\n", f->path,
		mode_of(f),
		saved ? "with its contents as they were at checkpoint time" :
		"empty: its contents were not saved (dmtcp_launch "
		"--ckpt-open-files saves the files open for writing)");
}

static int recreate(struct rfile *f, char *err, size_t errcap)
{
	int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0600);

	if (fd < 0) {
		f->cannot = errno;
		if (no_placeholders) {
			snprintf(err, errcap, "%s was deleted or renamed since "
				 "the checkpoint and cannot be recreated: %s; "
				 "--no-placeholder-files: not restarting with "
				 "/dev/null in its place", f->path,
				 strerror(errno));
			return -1;
		}
		fprintf(stderr, "dmtcp_restart: %s was deleted or renamed since "
			"the checkpoint and cannot be recreated: %s; the "
			"process reads /dev/null from it instead\n",
			f->path, strerror(errno));
		return 0;
	}
	if (fill(f, fd, 1, err, errcap) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	say_recreated(f, has_contents(f));
	return 0;
}

/* a file saved with --ckpt-open-files that exists: changed since? */
static int put_back(struct rfile *f, char *err, size_t errcap)
{
	const struct img_file *r = &f->mf->file;
	struct stat st;
	int fd;

	if (stat(f->path, &st) < 0)
		return 0;
	if ((uint64_t)st.st_size == r->size &&
	    st.st_mtim.tv_sec == r->mtime_sec &&
	    st.st_mtim.tv_nsec == r->mtime_nsec)
		return 0;	/* as it was */
	if (!allow_overwrite) {
		fprintf(stderr, "dmtcp_restart: %s changed since the checkpoint "
			"(%lld bytes now, %llu then): left as it is; "
			"dmtcp_restart --allow-file-overwrite puts back its "
			"contents as they were at checkpoint time\n", f->path,
			(long long)st.st_size, (unsigned long long)r->size);
		return 0;
	}
	fd = open(f->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) < 0) {
		snprintf(err, errcap, "--allow-file-overwrite: cannot write "
			 "%s: %s", f->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fill(f, fd, 0, err, errcap) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	fprintf(stderr, "dmtcp_restart: %s changed since the checkpoint: put "
		"back as it was then (%llu bytes; --allow-file-overwrite)\n",
		f->path, (unsigned long long)r->size);
	return 0;
}

/* fds whose file is now shorter than their offset */
static void check_offsets(struct img_meta **metas, int n)
{
	for (int i = 0; i < n; i++) {
		const struct img_meta *m = metas[i];

		for (size_t k = 0; k < m->nfds; k++) {
			const struct img_meta_fd *mf = &m->fds[k];
			const struct rfile *f;
			struct stat st;

			if (mf->fd.kind != IMG_FD_FILE || mf->fd.offset <= 0)
				continue;
			f = find(mf->fd.dev, mf->fd.inode);
			if (!f || f->ghost || f->cannot ||
			    stat(f->path, &st) < 0 ||
			    st.st_size >= mf->fd.offset)
				continue;
			fprintf(stderr, "dmtcp_restart: %s: fd %d: %s is now "
				"%lld bytes, shorter than the offset %lld the "
				"fd had at checkpoint time; the offset is kept "
				"(%s)\n", img_name(m), mf->fd.fd, f->path,
				(long long)st.st_size,
				(long long)mf->fd.offset,
				(mf->fd.flags & O_APPEND) ?
				"its writes go to the end of the file" :
				(mf->fd.flags & O_ACCMODE) == O_WRONLY ?
				"writes there leave a hole of zeros before" :
				"reads there see the end of the file");
		}
	}
}

int rst_prepare_files(struct img_meta **metas, int n, char *err,
		      size_t errcap)
{
	allow_overwrite = env_on("DMTCP_ALLOW_FILE_OVERWRITE");
	no_placeholders = env_on("DMTCP_NO_PLACEHOLDER_FILES");
	if (collect(metas, n) < 0) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nfiles; i++)
		look_at(&files[i]);
	if (check_placeholders(metas, n, err, errcap) < 0)
		return -1;
	for (size_t i = 0; i < nfiles; i++) {
		struct rfile *f = &files[i];

		if (!f->path)
			continue;
		if (f->ghost) {
			if (make_ghost(f, err, errcap) < 0)
				return -1;
		} else if (f->missing && !f->cannot) {
			if (recreate(f, err, errcap) < 0)
				return -1;
		} else if (!f->cannot && has_contents(f)) {
			if (put_back(f, err, errcap) < 0)
				return -1;
		}
	}
	check_offsets(metas, n);
	return 0;
}

int rst_ghost_fd(uint64_t dev, uint64_t inode)
{
	const struct rfile *f = find(dev, inode);

	return f && f->ghost ? f->fd : -1;
}

int rst_ghost_mappable(uint64_t dev, uint64_t inode)
{
	const struct rfile *f = find(dev, inode);

	if (!f || !f->ghost || f->fd < 0)
		return 0;
	return !(f->mf && (f->mf->file.seals &
			   (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)));
}

void rst_close_files(void)
{
	for (size_t i = 0; i < nfiles; i++) {
		if (files[i].fd >= 0)
			close(files[i].fd);
		files[i].fd = -1;
	}
}
