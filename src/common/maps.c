/* maps.c - /proc/PID/maps parser; see maps.h. */
#include "config.h"
#include "maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int parse_hex(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (*p < end) {
		char c = **p;
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (digits >= 16)
			return -1;
		v = (v << 4) | d;
		digits++;
		(*p)++;
	}
	*out = v;
	return digits ? 0 : -1;
}

static int parse_dec(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		digits++;
		(*p)++;
	}
	*out = v;
	return digits ? 0 : -1;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

int maps_parse_line(const char *line, size_t len, struct maps_entry *e)
{
	const char *p = line, *end = line + len;
	uint64_t v;
	size_t plen;
	static const char deleted[] = " (deleted)";

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	memset(e, 0, offsetof(struct maps_entry, path));
	e->path[0] = 0;
	if (parse_hex(&p, end, &e->start) || expect(&p, end, '-') ||
	    parse_hex(&p, end, &e->end) || expect(&p, end, ' '))
		return -1;
	if (e->end < e->start || end - p < 5)
		return -1;
	/* "rwxp": each letter or '-' (bit i of prot), then 's' or 'p' */
	for (int i = 0; i < 3; i++) {
		if (p[i] == "rwx"[i])
			e->prot |= 1 << i;
		else if (p[i] != '-')
			return -1;
	}
	if (p[3] == 's')
		e->shared = 1;
	else if (p[3] != 'p')
		return -1;
	p += 4;
	if (expect(&p, end, ' ') || parse_hex(&p, end, &e->offset) ||
	    expect(&p, end, ' '))
		return -1;
	if (parse_hex(&p, end, &v) || expect(&p, end, ':'))
		return -1;
	e->dev_major = v;
	if (parse_hex(&p, end, &v))
		return -1;
	e->dev_minor = v;
	if (expect(&p, end, ' ') || parse_dec(&p, end, &e->inode))
		return -1;
	skip_spaces(&p, end);
	plen = end - p;
	if (plen >= MAPS_PATH_MAX)
		return -1;
	if (plen > sizeof(deleted) - 1 && e->inode &&
	    memcmp(end - (sizeof(deleted) - 1), deleted,
		   sizeof(deleted) - 1) == 0) {
		e->deleted = 1;
		plen -= sizeof(deleted) - 1;
	}
	memcpy(e->path, p, plen);
	e->path[plen] = 0;
	return 0;
}

int maps_next(const char *buf, size_t len, size_t *pos,
	      struct maps_entry *e)
{
	const char *line, *nl;

	if (*pos >= len)
		return 0;
	line = buf + *pos;
	nl = memchr(line, '\n', len - *pos);
	if (!nl)
		nl = buf + len;
	*pos = (nl - buf) + 1;
	if (maps_parse_line(line, nl - line, e) < 0)
		return -1;
	return 1;
}

long maps_read_file(const char *path, char **bufp, size_t *capp)
{
	size_t cap = *capp ? *capp : (1 << 20);
	char *buf = *bufp;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -1;
	if (!buf) {
		buf = mmap(NULL, cap, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			close(fd);
			return -1;
		}
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = mremap(buf, cap, cap * 2, MREMAP_MAYMOVE);

			if (nb == MAP_FAILED) {
				close(fd);
				munmap(buf, cap);
				*bufp = NULL;
				*capp = 0;
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			*bufp = buf;
			*capp = cap;
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	*bufp = buf;
	*capp = cap;
	return len;
}

void maps_free_buf(char *buf, size_t cap)
{
	if (buf)
		munmap(buf, cap);
}

int maps_stream_open(struct maps_stream *s, const char *path, char *buf,
		     size_t cap)
{
	memset(s, 0, sizeof(*s));
	if (cap < MAPS_LINE_MAX) {
		s->fd = -1;
		errno = EINVAL;
		return -1;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	s->buf = buf;
	s->cap = cap;
	return s->fd < 0 ? -1 : 0;
}

int maps_stream_next(struct maps_stream *s, struct maps_entry *e)
{
	for (;;) {
		char *line = s->buf + s->pos;
		char *nl = memchr(line, '\n', s->len - s->pos);
		ssize_t n;

		if (nl || (s->eof && s->pos < s->len)) {
			size_t l = nl ? (size_t)(nl - line) : s->len - s->pos;

			s->pos += l + (nl != NULL);
			if (maps_parse_line(line, l, e) < 0) {
				errno = EPROTO;
				return -1;
			}
			return 1;
		}
		if (s->eof)
			return 0;
		/* keep the unfinished line, read more behind it */
		memmove(s->buf, line, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
		if (s->len == s->cap) {
			errno = EPROTO;		/* a line longer than cap */
			return -1;
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			s->eof = 1;
		s->len += n;
	}
}

void maps_stream_close(struct maps_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
