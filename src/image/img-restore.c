/*
 * img-restore.c - the restore checks (dmtcp/restore-check.h) for the
 * tools: on loaded metadata (dmtcp_restart, before it starts anything)
 * and on a whole raw image file, the way mtcp_restart walks it (tests,
 * fuzzers).
 */
#include "config.h"
#include "img-int.h"
#include "dmtcp/restore-check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *path, const struct rchk *c, char *err,
		size_t errcap)
{
	snprintf(err, errcap, "%s: cannot restore: %s (corrupt or crafted "
		 "image)", path, c->msg);
	errno = EINVAL;
	return -1;
}

int img_check_restore(const struct img_meta *m, char *err, size_t errcap)
{
	struct rchk *c = malloc(sizeof(*c));
	int rc = -1;

	if (!c) {
		snprintf(err, errcap, "%s: out of memory", m->path);
		errno = ENOMEM;
		return -1;
	}
	rchk_init(c, 0, RCHK_META);
	if (rchk_header(c, &m->hdr) < 0 || rchk_proc(c, &m->proc) < 0)
		goto out;
	for (size_t i = 0; i < m->nthreads; i++)
		if (rchk_thread(c, &m->threads[i]) < 0)
			goto out;
	if (m->auxv && rchk_auxv(c, m->auxv, m->auxv_len * 8) < 0)
		goto out;
	for (size_t i = 0; i < m->nareas; i++)
		if (rchk_area(c, &m->areas[i].area, m->areas[i].path) < 0)
			goto out;
	if (rchk_end(c, NULL) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fail(m->path, c, err, errcap);
	free(c);
	return rc;
}

struct file_in {
	int fd;
};

static long file_read1(void *ctx, void *buf, uint64_t n)
{
	struct file_in *f = ctx;
	ssize_t k = read(f->fd, buf, n);

	return k < 0 ? -errno : k;
}

static int file_read(void *ctx, void *buf, uint64_t n)
{
	return rchk_read_all(file_read1, ctx, buf, n) ? -1 : 0;
}

static int file_skip(void *ctx, uint64_t n)
{
	struct file_in *f = ctx;

	if (n > (uint64_t)1 << 62)
		return -1;
	return lseek(f->fd, (off_t)n, SEEK_CUR) < 0 ? -1 : 0;
}

int img_check_restore_file(const char *path, char *err, size_t errcap)
{
	struct file_in f;
	struct stat st;
	struct rchk *c;
	int rc;

	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0 || fstat(f.fd, &st) < 0) {
		snprintf(err, errcap, "%s: cannot open: %s", path,
			 strerror(errno));
		if (f.fd >= 0)
			close(f.fd);
		return -1;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		close(f.fd);
		snprintf(err, errcap, "%s: out of memory", path);
		errno = ENOMEM;
		return -1;
	}
	rchk_init(c, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0,
		  RCHK_RAW_ONLY);
	rc = rchk_walk(c, file_read, file_skip, &f);
	if (rc < 0)
		fail(path, c, err, errcap);
	free(c);
	close(f.fd);
	return rc;
}
