/*
 * out.c - dmtcp_inspect's messages and the small formatting helpers all
 * commands share (JSON strings, sizes, names of enum values).
 */
#include "inspect.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void insp_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("dmtcp_inspect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void insp_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("dmtcp_inspect: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define INSP_TERM(a) ((a)[sizeof(a) - 1] = '\0')

/* The writer NUL-terminates the fixed strings, but a damaged image need
 * not: make sure every later printf stops inside the array. */
static void insp_terminate_strings(struct img_meta *m)
{
	struct img_proc *p = &m->proc;
	size_t i;

	INSP_TERM(p->comp_id);
	INSP_TERM(p->unique_id);
	INSP_TERM(p->progname);
	INSP_TERM(p->hostname);
	INSP_TERM(p->kernel);
	INSP_TERM(p->exe);
	INSP_TERM(p->cwd);
	INSP_TERM(p->coord_host);
	for (i = 0; i < m->nthreads; i++)
		INSP_TERM(m->threads[i].name);
}

int insp_load(const char *path, struct img_meta **m)
{
	char err[1024];

	err[0] = '\0';
	if (img_load_meta(path, m, err, sizeof(err)) < 0) {
		*m = NULL;
		insp_err("%s", err[0] ? err : strerror(errno));
		return INSP_EXIT_IMAGE;
	}
	insp_terminate_strings(*m);
	return INSP_EXIT_OK;
}

void insp_json_strn(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void insp_json_str(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		insp_json_strn(f, s, strlen(s));
}

char *insp_hex(char *buf, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * n] = '\0';
	return buf;
}

const char *insp_size(char *buf, size_t cap, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, "%.1f %s", v, units[u]);
	return buf;
}

const char *insp_name_of(const char *const *names, size_t n, uint64_t v,
			 const char *none)
{
	return v < n && names[v] ? names[v] : none;
}

const char *insp_area_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[IMG_AREA_ANON] = "anon",
		[IMG_AREA_FILE] = "file",
		[IMG_AREA_SHARED_FILE] = "shared-file",
		[IMG_AREA_SHARED_ANON] = "shared-anon",
		[IMG_AREA_DELETED] = "deleted",
		[IMG_AREA_SPECIAL] = "special",
	};

	return INSP_NAME_OF(names, kind, "?");
}

const char *insp_fd_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[IMG_FD_FILE] = "file",
		[IMG_FD_DIR] = "dir",
		[IMG_FD_CHR] = "chr",
		[IMG_FD_PIPE] = "pipe",
		[IMG_FD_SOCKET] = "socket",
		[IMG_FD_OTHER] = "other",
		[IMG_FD_TTY] = "tty",
		[IMG_FD_MQUEUE] = "mqueue",
		[IMG_FD_PTY] = "pty-master",
	};

	return INSP_NAME_OF(names, kind, "?");
}

const char *insp_thread_state_name(uint32_t state)
{
	static const char *const names[] = {
		[IMG_THREAD_USER] = "user",
		[IMG_THREAD_CKPT] = "ckpt",
	};

	return INSP_NAME_OF(names, state, "?");
}

char *insp_perms(char *buf, const struct img_area *a)
{
	buf[0] = a->prot & IMG_PROT_READ ? 'r' : '-';
	buf[1] = a->prot & IMG_PROT_WRITE ? 'w' : '-';
	buf[2] = a->prot & IMG_PROT_EXEC ? 'x' : '-';
	buf[3] = a->flags & IMG_AF_SHARED ? 's' : 'p';
	buf[4] = '\0';
	return buf;
}

const char *insp_area_name(const struct img_meta_area *ma)
{
	if (ma->path && ma->path[0])
		return ma->path;
	if (ma->area.flags & IMG_AF_HEAP)
		return "[heap]";
	if (ma->area.flags & IMG_AF_STACK)
		return "[stack]";
	return "[anon]";
}

void insp_json_thread(const struct img_meta *m, const struct img_thread *t)
{
	printf("{\"tid\": %u, \"name\": ", t->tid);
	insp_json_str(stdout, t->name);
	printf(", \"state\": \"%s\", \"main\": %s",
	       insp_thread_state_name(t->state),
	       t->tid == m->proc.pid ? "true" : "false");
}

long insp_find_area(const struct img_meta *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nareas;

	/* areas are sorted and disjoint (checked by img_load_meta) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct img_area *a = &m->areas[mid].area;

		if (addr < a->start)
			hi = mid;
		else if (addr >= a->end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

int insp_parse_addr(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}
