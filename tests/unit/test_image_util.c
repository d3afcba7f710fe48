/*
 * test_image_util.c - builds and writes the synthetic image shared by
 * the image library tests (see test_image_util.h).
 */
#include "config.h"
#include "test_image_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

uint64_t ti_xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void add_fd(struct ti_image *t, int fd, uint32_t kind,
		   const char *path)
{
	struct img_fd f = { 0 };

	f.fd = fd;
	f.kind = kind;
	f.flags = 02;
	f.offset = 1234 * fd;
	f.mode = 0100644;
	f.path_len = strlen(path);
	memcpy(t->fds + t->fds_len, &f, sizeof(f));
	memcpy(t->fds + t->fds_len + sizeof(f), path, f.path_len);
	t->fds_len += sizeof(f) + f.path_len;
}

static void set_area(struct ti_area *a, uint64_t start, unsigned npages,
		     uint32_t kind, const char *path, int compressible)
{
	size_t len = (size_t)npages * IMG_PAGE_SIZE, i;
	unsigned r;

	a->a.start = start;
	a->a.end = start + len;
	a->a.kind = kind;
	a->a.prot = IMG_PROT_READ | IMG_PROT_WRITE;
	a->path = path;
	a->mem = malloc(len);
	for (i = 0; i < len; i += 8) {
		uint64_t v = compressible ? (i / 64) * 0x0101010101ull :
			ti_xorshift(&rng);

		memcpy(a->mem + i, &v, 8);
	}
	a->a.stored_bytes = 0;
	for (r = 0; r < a->nranges; r++)
		a->a.stored_bytes += (uint64_t)a->ranges[r][1] * IMG_PAGE_SIZE;
}

void ti_build(struct ti_image *t, int small)
{
	unsigned i;

	memset(t, 0, sizeof(*t));
	rng = 0x9e3779b97f4a7c15ull;
	t->ctime = 1700000000;
	t->proc.pid = 4242;
	t->proc.ppid = 1;
	t->proc.nthreads = TI_NTHREADS;
	t->proc.nareas = TI_NAREAS;
	t->proc.generation = 1;
	t->proc.restore_entry = 0x7f0000001000ull;
	strcpy(t->proc.comp_id, "comp-1");
	strcpy(t->proc.unique_id, "abc-4242");
	strcpy(t->proc.progname, "a.out");
	strcpy(t->proc.hostname, "node1");
	strcpy(t->proc.kernel, "6.1.0");
	strcpy(t->proc.exe, "/home/u/a.out");
	strcpy(t->proc.cwd, "/home/u");
	strcpy(t->proc.coord_host, "127.0.0.1");
	t->proc.coord_port = 7779;
	for (i = 0; i < TI_NTHREADS; i++) {
		t->threads[i].tid = 4242 + i;
		t->threads[i].state = i ? IMG_THREAD_CKPT : IMG_THREAD_USER;
		snprintf(t->threads[i].name, sizeof(t->threads[i].name),
			 "thr%u", i);
		t->threads[i].regs.rip = 0x401000 + i;
		t->threads[i].regs.rsp = 0x7ffd0000 - 64 * i;
		memset(t->threads[i].fpregs, 0x5a + i, 512);
		t->threads[i].sigmask = 1ull << 9;
	}
	t->fd_paths[0] = "/dev/pts/3";
	t->fd_paths[1] = "/tmp/with space/out.txt";
	add_fd(t, 1, IMG_FD_TTY, t->fd_paths[0]);
	add_fd(t, 5, IMG_FD_FILE, t->fd_paths[1]);
	memcpy(t->env, "HOME=/home/u\0PATH=/bin\0X=1\0", 27);
	t->env_len = 27;
	t->auxv[0] = 6;		/* AT_PAGESZ */
	t->auxv[1] = 4096;
	t->auxv[2] = 25;	/* AT_RANDOM */
	t->auxv[3] = 0x7ffd1234;
	t->auxv[4] = 0;
	t->auxv[5] = 0;
	memcpy(t->cmdline, "./a.out\0--flag\0arg two\0", 23);
	t->cmdline_len = 23;

	/* heap-like: compressible, two stored ranges of 80 pages */
	t->areas[0].nranges = 2;
	t->areas[0].ranges[0][0] = 0;
	t->areas[0].ranges[0][1] = 20;
	t->areas[0].ranges[1][0] = 30;
	t->areas[0].ranges[1][1] = 44;
	set_area(&t->areas[0], 0x10000000, 80, IMG_AREA_ANON, "[heap]", 1);
	t->areas[0].a.flags = IMG_AF_HEAP;
	/* a clean file mapping, nothing stored */
	t->areas[1].nranges = 0;
	set_area(&t->areas[1], 0x20000000, 16, IMG_AREA_FILE,
		 "/usr/lib/with space/libfoo.so", 1);
	t->areas[1].a.offset = 0x3000;
	t->areas[1].a.build_id_len = 20;
	memset(t->areas[1].a.build_id, 0xab, 20);
	/* random data, several zlib chunks, three ranges */
	t->areas[2].nranges = 3;
	t->areas[2].ranges[0][0] = 0;
	t->areas[2].ranges[0][1] = 1;
	t->areas[2].ranges[1][0] = 1;
	t->areas[2].ranges[1][1] = 700;
	t->areas[2].ranges[2][0] = 900;
	t->areas[2].ranges[2][1] = 3;
	if (small) {
		t->areas[2].ranges[1][1] = 7;
		t->areas[2].ranges[2][0] = 9;
	}
	set_area(&t->areas[2], 0x30000000, small ? 12 : 1000, IMG_AREA_ANON,
		 NULL, 0);
	/* a stack */
	t->areas[3].nranges = 1;
	t->areas[3].ranges[0][0] = 2;
	t->areas[3].ranges[0][1] = 2;
	set_area(&t->areas[3], 0x7ffd0000000ull, 4, IMG_AREA_ANON,
		 "[stack]", 0);
	t->areas[3].a.flags = IMG_AF_STACK | IMG_AF_GROWSDOWN;
}

struct ti_ctx *ti_ctx_new(int small)
{
	struct ti_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	ti_build(&c->t, small);
	c->raw = ti_tmpname("raw");
	c->gz = ti_tmpname("gz");
	if (ti_write(&c->t, c->raw, 0) < 0 ||
	    ti_write(&c->t, c->gz, IMG_F_GZIP) < 0) {
		ti_ctx_free(c);
		return NULL;
	}
	return c;
}

void ti_ctx_free(struct ti_ctx *c)
{
	unlink(c->raw);
	unlink(c->gz);
	free(c->raw);
	free(c->gz);
	ti_free(&c->t);
	free(c);
}

void ti_free(struct ti_image *t)
{
	unsigned i;

	for (i = 0; i < TI_NAREAS; i++)
		free(t->areas[i].mem);
}

int (*ti_write_files)(struct img_writer *w);
unsigned ti_pages_per_rec;

int ti_write_fd(const struct ti_image *t, int fd, uint32_t flags)
{
	struct img_writer w;
	unsigned i, r;
	int rc = -1;

	if (img_writer_open(&w, fd, flags, t->ctime) < 0)
		goto out_close;
	if (img_write_rec(&w, IMG_REC_PROC, &t->proc, sizeof(t->proc)) < 0)
		goto out_close;
	for (i = 0; i < TI_NTHREADS; i++)
		if (img_write_rec(&w, IMG_REC_THREAD, &t->threads[i],
				  sizeof(t->threads[i])) < 0)
			goto out_close;
	if (img_write_rec(&w, IMG_REC_FDS, t->fds, t->fds_len) < 0 ||
	    img_write_rec(&w, IMG_REC_ENV, t->env, t->env_len) < 0 ||
	    img_write_rec(&w, IMG_REC_AUXV, t->auxv, sizeof(t->auxv)) < 0 ||
	    img_write_rec(&w, IMG_REC_CMDLINE, t->cmdline,
			  t->cmdline_len) < 0)
		goto out_close;
	if (ti_write_files && ti_write_files(&w) < 0)
		goto out_close;
	for (i = 0; i < TI_NAREAS; i++) {
		const struct ti_area *a = &t->areas[i];

		if (img_write_area(&w, &a->a, a->path) < 0)
			goto out_close;
		for (r = 0; r < a->nranges; r++) {
			size_t off = (size_t)a->ranges[r][0] * IMG_PAGE_SIZE;
			size_t len = (size_t)a->ranges[r][1] * IMG_PAGE_SIZE;

			size_t step = ti_pages_per_rec ?
				      ti_pages_per_rec * IMG_PAGE_SIZE : len;

			for (size_t o = 0; o < len; o += step)
				if (img_write_pages(&w, a->a.start + off + o,
						    a->mem + off + o,
						    len - o < step ? len - o :
						    step, i == 1 ?
						    IMG_PF_FILE_CLEAN : 0) < 0)
					goto out_close;
		}
	}
	if (img_writer_finish(&w) < 0)
		goto out_close;
	rc = 0;

out_close:
	img_writer_close(&w);
	return rc;
}

int ti_write(const struct ti_image *t, const char *path, uint32_t flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = ti_write_fd(t, fd, flags);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

unsigned char *ti_slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0) {
		buf = malloc(st.st_size + 1);
		if (buf && read(fd, buf, st.st_size) != st.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = st.st_size;
	}
	close(fd);
	return buf;
}

int ti_spit(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

char *ti_tmpname(const char *tag)
{
	const char *dir = getenv("TMPDIR");
	static unsigned n;
	char *p;

	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(&p, "%s/test_image-%d-%u-%s.dmtcp", dir, (int)getpid(),
		     n++, tag) < 0)
		return NULL;
	return p;
}
