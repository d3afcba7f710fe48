/* util.c - small shared helpers; see util.h. */
#include "config.h"
#include "util.h"
#include "fullio.h"
#include "safefile.h"
#include "dmtcp/protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int util_write_all(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return full_writev(fd, &iov, 1);
}

ssize_t util_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

ssize_t util_read_small(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd;
	ssize_t n;

	if (cap == 0)
		return -1;	/* no room even for the NUL */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : util_read_all(fd, buf, cap - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* The number after "\nKEY" in a status file's text, or 0. */
static unsigned long status_num(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

int util_proc_status(int dirfd, const char *path, struct util_proc_status *st)
{
	char buf[4096];
	const char *p;

	memset(st, 0, sizeof(*st));
	if (util_read_small(dirfd, path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "\nState:");
	if (p) {
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		st->state = *p;
	}
	st->tracer = (int)status_num(buf, "\nTracerPid:");
	st->vcs = status_num(buf, "\nvoluntary_ctxt_switches:");
	return 0;
}

const char *util_tmpdir(void)
{
	const char *d = getenv("DMTCP_TMPDIR");

	if (!d || !*d)
		d = getenv("TMPDIR");
	if (!d || !*d)
		d = "/tmp";
	return d;
}

int util_state_dir(char *buf, size_t cap)
{
	char host[256] = "localhost";
	const char *user = getenv("USER");
	char ubuf[32], why[160];
	static int warned;
	int n;

	gethostname(host, sizeof(host) - 1);
	if (!user || !*user) {
		snprintf(ubuf, sizeof(ubuf), "%d", (int)getuid());
		user = ubuf;
	}
	n = snprintf(buf, cap, "%s/dmtcp-%s@%s", util_tmpdir(), user, host);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (safe_private_dir(buf, why, sizeof(why)) < 0) {
		int e = errno;

		if (e == EPERM && !warned) {
			/* another user may have made it to take us over */
			warned = 1;
			fprintf(stderr, "dmtcp: refusing state directory %s: "
				"%s; remove it, or set DMTCP_TMPDIR to a "
				"directory of your own\n", buf, why);
		}
		errno = e;
		return -1;
	}
	return 0;
}

int util_exe_dir(char *buf, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
	char *slash;

	if (n < 0)
		return -1;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		return -1;
	*slash = 0;
	return 0;
}

int util_find_file(char *buf, size_t cap, const char *rel1,
		   const char *rel2, const char *fallback)
{
	char dir[PATH_MAX];

	if (util_exe_dir(dir, sizeof(dir)) == 0) {
		const char *rels[2] = { rel1, rel2 };

		for (int i = 0; i < 2; i++) {
			if (!rels[i])
				continue;
			snprintf(buf, cap, "%s/%s", dir, rels[i]);
			if (access(buf, F_OK) == 0)
				return 0;
		}
	}
	if (fallback && access(fallback, F_OK) == 0) {
		snprintf(buf, cap, "%s", fallback);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

const char *util_coord_host(const char *opt)
{
	const char *h = opt;

	if (!h || !*h)
		h = getenv("DMTCP_COORD_HOST");
	if (!h || !*h)
		h = getenv("DMTCP_HOST");	/* older DMTCP name */
	if (!h || !*h)
		h = "localhost";
	return h;
}

long util_parse_ulong(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	return v;
}

int util_parse_port(const char *s)
{
	long v = util_parse_ulong(s);

	return (v < 0 || v > 65535) ? -1 : (int)v;
}

int util_coord_port(int opt)
{
	const char *e;

	if (opt >= 0)
		return opt;
	e = getenv("DMTCP_COORD_PORT");
	if (!e || !*e)
		e = getenv("DMTCP_PORT");	/* older DMTCP name */
	if (e && *e)
		return util_parse_port(e);
	return DMTCP_DEFAULT_PORT;
}

int util_abspath(const char *path, char *buf, size_t cap)
{
	int n;

	if (path[0] == '/') {
		n = snprintf(buf, cap, "%s", path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return -1;
		n = snprintf(buf, cap, "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int util_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap == 0)
		return -1;
	if (n >= cap) {
		memcpy(dst, src, cap - 1);
		dst[cap - 1] = 0;
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}
