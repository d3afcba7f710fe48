/*
 * fd/file.c - regular files behind the process's fds, beyond their path
 * and offset (doc/files.md):
 *  - every file gets a FILE record (owner, mode, size, mtime), so that
 *    dmtcp_restart can recreate one that was deleted or renamed since
 *    the checkpoint with its mode and owner;
 *  - an unlinked file (tmpfile(), open + unlink, O_TMPFILE: a "ghost")
 *    and a memfd have their contents saved (FILEDATA records), so that
 *    dmtcp_restart can recreate them unlinked; a ghost with more data
 *    than the ghost limit (dmtcp_launch --ghost-limit, DMTCP_GHOST_LIMIT,
 *    default 64 MiB) fails the checkpoint, naming process, fd and file,
 *    unless --ghost-over-limit=drop (DMTCP_GHOST_OVER_LIMIT=drop);
 *  - with --ckpt-open-files (DMTCP_CKPT_OPEN_FILES=1), files open for
 *    writing have their contents saved too.
 * Contents are saved by the process that owns the open file description
 * (the F_SETOWN election of fds.c), once per file and process; data
 * extents only (SEEK_DATA/SEEK_HOLE), holes stay holes.
 * At restart the library keeps the fd dmtcp_restart recreated for a
 * ghost (restart-files.c).
 */
#include "config.h"
#include "fd/kind.h"
#include "img.h"
#include "log.h"
#include "sizearg.h"
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define DELETED_SUFFIX	" (deleted)"
#define MAX_EXTENTS	(64u << 10)	/* beyond: the rest is one extent */

/* configuration (dmtcp_launch options), read once at load time and kept
   across restarts with the rest of the library's memory */
static uint64_t ghost_limit = 64ull << 20;
static int ghost_drop;		/* --ghost-over-limit=drop */
static int ckpt_open_files;	/* --ckpt-open-files */

__attribute__((constructor)) static void files_config(void)
{
	const char *v = getenv("DMTCP_GHOST_LIMIT");
	uint64_t n;

	if (v && *v) {
		if (sizearg_parse(v, &n) == 0)
			ghost_limit = n;
		else
			pr_warn("DMTCP_GHOST_LIMIT=%s is not a size (like 64M "
				"or unlimited); using %llu bytes", v,
				(unsigned long long)ghost_limit);
	}
	v = getenv("DMTCP_GHOST_OVER_LIMIT");
	if (v && *v) {
		if (strcmp(v, "drop") == 0)
			ghost_drop = 1;
		else if (strcmp(v, "fail") != 0)
			pr_warn("DMTCP_GHOST_OVER_LIMIT=%s: expected fail or "
				"drop; using fail", v);
	}
	v = getenv("DMTCP_CKPT_OPEN_FILES");
	ckpt_open_files = v && atoi(v) > 0;
}

enum { FF_NONE, FF_META, FF_GHOST, FF_SAVE };

/* per entry of dmtcp_ps.fds, from the last capture */
static struct ffile {
	uint8_t kind;		/* FF_* */
	uint8_t memfd;
	uint8_t over;		/* ghost over the limit: no contents */
} ff[DMTCP_MAX_FDS];

static char refusal[2048];
static int nrefused;

/* a file of the kernel's (/proc, /sys, cgroups, ...): no FILE record,
   never saved; the restored process opens it again by path */
static int kernel_file(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return 0;
	switch ((unsigned long)sfs.f_type) {
	case PROC_SUPER_MAGIC: case SYSFS_MAGIC: case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC: case DEBUGFS_MAGIC: case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC: case BPF_FS_MAGIC: case PSTOREFS_MAGIC:
	case EFIVARFS_MAGIC:
		return 1;
	}
	return 0;
}

static int is_memfd(const char *path)
{
	return strncmp(path, "/memfd:", 7) == 0;
}

/* path without the " (deleted)" the kernel appends to unlinked files */
static size_t live_path_len(const struct dmtcp_fdrec *r, int ghost)
{
	size_t n = r->rec.path_len, s = sizeof(DELETED_SUFFIX) - 1;

	if (ghost && n > s && memcmp(r->path + n - s, DELETED_SUFFIX, s) == 0)
		n -= s;
	return n;
}

/* a new description of fd's file, for reading without moving fd's
   offset (works for unlinked files too, and for write-only fds) */
static int reopen_ro(int fd)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

/*
 * Data extents of [0, size) of fd: bytes of data in total; with ext,
 * up to max [start, end) pairs (the last one then reaches size).
 * A file system without SEEK_DATA gives one extent: the whole file.
 */
static uint64_t extents(int fd, uint64_t size, uint64_t *ext, size_t max,
			size_t *n)
{
	uint64_t off = 0, total = 0;
	size_t k = 0;

	while (off < size) {
		off_t d = lseek(fd, (off_t)off, SEEK_DATA), h;

		if (d < 0 && errno == ENXIO)
			break;		/* only a hole from here */
		if (d < 0) {
			d = (off_t)off;
			h = (off_t)size;
		} else {
			h = lseek(fd, d, SEEK_HOLE);
			if (h < 0 || (uint64_t)h > size)
				h = (off_t)size;
		}
		if ((uint64_t)d >= size || h <= d)
			break;
		if (ext && k == max) {	/* no room: one last extent */
			ext[2 * k - 1] = size;
			total += size - off;
			break;
		}
		if (ext) {
			ext[2 * k] = (uint64_t)d;
			ext[2 * k + 1] = (uint64_t)h;
			k++;
		}
		total += (uint64_t)(h - d);
		off = (uint64_t)h;
	}
	if (n)
		*n = k;
	return total;
}

/* adds "fd N is the deleted file F <why>" to the refusal message */
static void refuse(const struct dmtcp_fdrec *r, const char *why)
{
	size_t len = strlen(refusal);

	if (len + 64 >= sizeof(refusal))
		return;
	if (nrefused++ == 0)
		snprintf(refusal, sizeof(refusal), "process %d (%s): ",
			 rsys_getpid(), dmtcp_cfg.progname);
	else
		snprintf(refusal + len, sizeof(refusal) - len, "; ");
	len = strlen(refusal);
	snprintf(refusal + len, sizeof(refusal) - len, "fd %d is the deleted "
		 "file %.*s %s", r->rec.fd, (int)live_path_len(r, 1), r->path,
		 why);
}

void dmtcp_files_capture(void)
{
	refusal[0] = 0;
	nrefused = 0;
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct ffile *f = &ff[i];
		struct stat st;
		char why[256];
		uint64_t data;
		int rfd;

		memset(f, 0, sizeof(*f));
		if (r->rec.kind != IMG_FD_FILE || fstat(r->rec.fd, &st) < 0 ||
		    !S_ISREG(st.st_mode) || kernel_file(r->rec.fd))
			continue;
		f->kind = FF_META;
		if (st.st_nlink > 0) {
			if (ckpt_open_files &&
			    (r->rec.flags & O_ACCMODE) != O_RDONLY)
				f->kind = FF_SAVE;
			continue;
		}
		f->kind = FF_GHOST;
		f->memfd = is_memfd(r->path);
		if (r->dup_of >= 0)
			continue;	/* its original decides */
		rfd = reopen_ro(r->rec.fd);
		if (rfd < 0) {
			snprintf(why, sizeof(why), "(%llu bytes), which cannot "
				 "be read to save it: %s",
				 (unsigned long long)st.st_size,
				 strerror(errno));
			refuse(r, why);
			continue;
		}
		data = extents(rfd, st.st_size, NULL, 0, NULL);
		close(rfd);
		if (f->memfd || data <= ghost_limit)
			continue;	/* a memfd is memory: no limit */
		f->over = 1;
		if (ghost_drop) {
			pr_warn("fd %d is the deleted file %.*s with %llu bytes "
				"of data, more than the ghost limit of %llu "
				"bytes: its contents are not saved "
				"(--ghost-over-limit=drop); a restart brings it "
				"back empty", r->rec.fd,
				(int)live_path_len(r, 1), r->path,
				(unsigned long long)data,
				(unsigned long long)ghost_limit);
			continue;
		}
		snprintf(why, sizeof(why), "with %llu bytes of data, more "
			 "than the ghost limit of %llu bytes",
			 (unsigned long long)data,
			 (unsigned long long)ghost_limit);
		refuse(r, why);
	}
	if (nrefused) {
		size_t len = strlen(refusal);

		/* short: the coordinator passes a few hundred bytes on */
		snprintf(refusal + len, sizeof(refusal) - len,
			 "; dmtcp_launch --ghost-limit SIZE raises the limit, "
			 "--ghost-over-limit drop brings such files back "
			 "empty");
	}
}

int dmtcp_files_refused(char *err, size_t cap)
{
	if (!nrefused)
		return 0;
	snprintf(err, cap, "%s", refusal);
	return 1;
}

/* ---- writing the FILE and FILEDATA records (image/write.c) ---- */

/* the contents of [ext) of rfd, read in buffer-sized pieces; a file that
   shrank meanwhile (a writer outside the computation) reads as zeros */
static int write_extents(struct img_writer *w, int rfd, const uint64_t *ext,
			 size_t n, unsigned char *buf)
{
	for (size_t k = 0; k < n; k++) {
		for (uint64_t pos = ext[2 * k]; pos < ext[2 * k + 1];) {
			uint64_t len = ext[2 * k + 1] - pos;
			size_t got = 0;

			if (len > IMG_ZCHUNK_MAX)
				len = IMG_ZCHUNK_MAX;
			while (got < len) {
				ssize_t r = pread(rfd, buf + got, len - got,
						  (off_t)(pos + got));

				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					break;
				got += r;
			}
			if (got < len)
				memset(buf + got, 0, len - got);
			if (img_write_filedata(w, pos, buf, len) < 0)
				return -1;
			pos += len;
		}
	}
	return 0;
}

/* 1 if an earlier entry than i is the same file (written already) */
static int seen_before(int i)
{
	const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];

	for (int j = 0; j < i; j++)
		if (ff[j].kind != FF_NONE &&
		    dmtcp_ps.fds[j].rec.inode == r->rec.inode &&
		    dmtcp_ps.fds[j].rec.dev == r->rec.dev)
			return 1;
	return 0;
}

/* 1 if this process saves the contents of the file of entry i: some fd
   of it that wants them, whose description this process owns */
static int saves_contents(int i)
{
	const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
	int pid = rsys_getpid();

	for (int j = i; j < dmtcp_ps.nfds; j++) {
		const struct dmtcp_fdrec *o = &dmtcp_ps.fds[j];

		if (o->rec.inode != r->rec.inode || o->rec.dev != r->rec.dev ||
		    o->dup_of >= 0 || ff[j].over)
			continue;
		if ((ff[j].kind == FF_GHOST || ff[j].kind == FF_SAVE) &&
		    (o->rec.owner == pid || o->rec.owner <= 0))
			return 1;
	}
	return 0;
}

int dmtcp_write_files(struct img_writer *w)
{
	static char path[PATH_MAX];
	uint64_t *ext = NULL;
	unsigned char *buf = NULL;
	size_t ext_len = MAX_EXTENTS * 2 * sizeof(uint64_t);
	int rc = -1, e = 0;

	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		const struct ffile *f = &ff[i];
		struct img_file fr;
		struct stat st;
		size_t next = 0;
		int rfd = -1, ghost = f->kind == FF_GHOST;

		if (f->kind == FF_NONE || seen_before(i))
			continue;
		memset(&fr, 0, sizeof(fr));
		if (saves_contents(i)) {
			rfd = reopen_ro(r->rec.fd);
			if (rfd < 0)
				pr_warn("fd %d: cannot read %.*s to save its "
					"contents: %s", r->rec.fd,
					(int)live_path_len(r, ghost), r->path,
					strerror(errno));
		}
		if (fstat(rfd >= 0 ? rfd : r->rec.fd, &st) < 0) {
			if (rfd >= 0)
				close(rfd);
			continue;	/* closed under us: nothing to say */
		}
		fr.dev = r->rec.dev;	/* the key the fds have */
		fr.inode = r->rec.inode;
		fr.size = st.st_size;
		fr.mtime_sec = st.st_mtim.tv_sec;
		fr.mtime_nsec = st.st_mtim.tv_nsec;
		fr.mode = st.st_mode;
		fr.uid = st.st_uid;
		fr.gid = st.st_gid;
		if (ghost)
			fr.flags |= IMG_FILE_UNLINKED;
		if (f->memfd) {
			int s = fcntl(r->rec.fd, F_GET_SEALS);

			fr.flags |= IMG_FILE_MEMFD;
			fr.seals = s > 0 ? (uint32_t)s : 0;
		}
		for (int j = i; j < dmtcp_ps.nfds; j++)
			if (dmtcp_ps.fds[j].rec.inode == r->rec.inode &&
			    dmtcp_ps.fds[j].rec.dev == r->rec.dev && ff[j].over)
				fr.flags |= IMG_FILE_OVER_LIMIT;
		if (rfd >= 0) {
			if (!ext) {
				ext = mmap(NULL, ext_len, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				buf = mmap(NULL, IMG_ZCHUNK_MAX,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (ext == MAP_FAILED || buf == MAP_FAILED) {
					e = ENOMEM;
					close(rfd);
					goto out;
				}
			}
			fr.flags |= IMG_FILE_CONTENTS;
			if (!ghost)
				fr.flags |= IMG_FILE_CKPT_OPEN;
			fr.data_bytes = extents(rfd, fr.size, ext, MAX_EXTENTS,
						&next);
		}
		memcpy(path, r->path, live_path_len(r, ghost));
		path[live_path_len(r, ghost)] = 0;
		if (img_write_file(w, &fr, path) < 0 ||
		    (rfd >= 0 && write_extents(w, rfd, ext, next, buf) < 0)) {
			e = errno;
			if (rfd >= 0)
				close(rfd);
			goto out;
		}
		if (rfd >= 0)
			close(rfd);
	}
	rc = 0;
out:
	if (ext && ext != MAP_FAILED)
		munmap(ext, ext_len);
	if (buf && buf != MAP_FAILED)
		munmap(buf, IMG_ZCHUNK_MAX);
	errno = e;
	return rc;
}

/* ---- restart (fds.c) ---- */

int dmtcp_files_prepared(const struct dmtcp_fdrec *r)
{
	long i = r - dmtcp_ps.fds;
	struct stat st;

	if (i < 0 || i >= dmtcp_ps.nfds || ff[i].kind != FF_GHOST)
		return 0;
	if (r->rec.fd <= 2 &&
	    !(dmtcp_handoff.prepared_stdio & (1u << r->rec.fd)))
		return 0;	/* the restart's own stdio */
	return fstat(r->rec.fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_nlink == 0;
}

int dmtcp_files_is_ghost(const struct dmtcp_fdrec *r)
{
	long i = r - dmtcp_ps.fds;

	return i >= 0 && i < dmtcp_ps.nfds && ff[i].kind == FF_GHOST;
}

static int prepared(const struct dmtcp_fdrec *f, int inherited)
{
	/* a deleted file dmtcp_restart recreated unlinked, or a file it
	   opened: shared, offset set */
	if (!inherited || (!dmtcp_files_prepared(f) && !dmtcp_fd_same_file(f)))
		return 0;
	fcntl(f->rec.fd, F_SETFD, f->rec.fdflags);
	return 1;
}

static int restore(const struct dmtcp_fdrec *f)
{
	if (dmtcp_files_is_ghost(f)) {
		pr_warn("fd %d: the deleted file %s was not recreated "
			"(dmtcp_restart said why); it now reads from /dev/null",
			f->rec.fd, f->path);
		return -1;
	}
	return dmtcp_fd_reopen_or_warn(f);
}

const struct fd_kind fd_kind_file = {
	.name = "file", .kinds = FD_KINDS(IMG_FD_FILE),
	.capture_end = dmtcp_files_capture, .refused = dmtcp_files_refused,
	.electable = dmtcp_fd_kind_always, .prepared = prepared,
	.restore = restore,
};
