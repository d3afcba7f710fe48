/*
 * test_image_zpool.c - gzip images written with zlib worker threads
 * (src/image/img-zpool.c): mixed content (random, zero, text-like pages;
 * big records of many chunks, many small records, FILEDATA of odd
 * sizes) gives the same file bytes with 1 to 4 threads, reads back byte
 * for byte, stores random chunks and compresses the rest; the threads
 * exist only between open and close, with every signal blocked; a writer
 * opened before a fork is finished by the child (forked checkpoints); a
 * write error mid-way (/dev/full, a closed fd) or a close without finish
 * fails cleanly and leaves no thread behind.
 */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_image_util.h"

#define NPAGES		(24u << 8)	/* 24 MiB of "memory" */
#define BASE		0x40000000ull
#define F_SIZE		(3u << 20)	/* the saved file */
#define MAX_RECS	1024

enum { P_ZERO, P_RANDOM, P_TEXT };

static unsigned char *mem;		/* NPAGES pages */
static unsigned char kind[NPAGES];
static unsigned char *fdata;		/* F_SIZE bytes */
static const uint64_t fext[][2] = {	/* FILEDATA records: off, len */
	{ 0, 1 }, { 10, 5000 }, { 8192, (2u << 20) + 123 },
	{ F_SIZE - 7, 7 },
};
#define NFEXT	(sizeof(fext) / sizeof(fext[0]))
static struct { uint32_t first, n; } rec[MAX_RECS];	/* PAGES records */
static unsigned nrec;

static void fill_page(unsigned char *p, int k, uint64_t *x)
{
	static const char *w[] = { "struct ", "page ", "0x7f00a0 ", "ret ",
				   "int ", "a ", "\n", "checkpoint " };

	if (k == P_ZERO) {
		memset(p, 0, IMG_PAGE_SIZE);
	} else if (k == P_RANDOM) {
		for (int i = 0; i < IMG_PAGE_SIZE; i += 8) {
			uint64_t v = ti_xorshift(x);

			memcpy(p + i, &v, 8);
		}
	} else {
		for (size_t o = 0; o < IMG_PAGE_SIZE;) {
			const char *s = w[ti_xorshift(x) % 8];
			size_t l = strlen(s);

			if (l > IMG_PAGE_SIZE - o)
				l = IMG_PAGE_SIZE - o;
			memcpy(p + o, s, l);
			o += l;
		}
	}
}

static void add_rec(uint32_t first, uint32_t n)
{
	assert_true(nrec < MAX_RECS);
	rec[nrec].first = first;
	rec[nrec].n = n;
	nrec++;
}

/*
 * pages [0, 1536): 6 MiB random, one record (6 chunks);
 * [1536, 2560): 4 MiB of text, random and zero pages in turn, one record;
 * [2560, 3200): 2.5 MiB text, one record (a short last chunk);
 * [3200, NPAGES): records of 1..3 pages, one page left out between them
 * (as zero pages are), random or text by turns.
 */
static int setup(void **state)
{
	uint64_t x = 777;
	uint32_t p;

	(void)state;
	mem = malloc((size_t)NPAGES * IMG_PAGE_SIZE);
	fdata = malloc(F_SIZE);
	if (!mem || !fdata)
		return -1;
	for (p = 0; p < NPAGES; p++) {
		if (p < 1536)
			kind[p] = P_RANDOM;
		else if (p < 2560)
			kind[p] = (p % 3 == 0) ? P_TEXT :
				  (p % 3 == 1) ? P_RANDOM : P_ZERO;
		else if (p < 3200)
			kind[p] = P_TEXT;
		else
			kind[p] = ((p / 4) % 2) ? P_TEXT : P_RANDOM;
		fill_page(mem + (size_t)p * IMG_PAGE_SIZE, kind[p], &x);
	}
	add_rec(0, 1536);
	add_rec(1536, 1024);
	add_rec(2560, 640);
	for (p = 3200; p < NPAGES;) {
		uint32_t n = 1 + ti_xorshift(&x) % 3;

		if (n > NPAGES - p)
			n = NPAGES - p;
		add_rec(p, n);
		p += n + 1;
	}
	for (size_t i = 0; i < F_SIZE; i += IMG_PAGE_SIZE)
		fill_page(fdata + i, (i >> 12) % 2 ? P_RANDOM : P_TEXT, &x);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	free(fdata);
	return 0;
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* the SigBlk line of every thread but this one: all blocked that can be */
static int check_worker_masks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char path[300], line[256];
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.' || atoi(e->d_name) == gettid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 e->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "SigBlk:", 7) == 0) {
				/* every signal but SIGKILL and SIGSTOP */
				assert_string_equal(line + 7,
						    "\tfffffffffffbfeff\n");
				n++;
			}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* write_image forks before PAGES record fork_at (-1: never); the
   parent closes its writer and returns 0 at once (forked: the child),
   the child goes on and exits 0 if all went well and no thread is
   left */
static int fork_at = -1;
static pid_t forked;

static uint64_t stored_bytes(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nrec; i++)
		n += (uint64_t)rec[i].n * IMG_PAGE_SIZE;
	return n;
}

/* the whole image through a writer with nthreads; 0 or an errno value
   (the first failing call's); *tasks: threads seen while it is open */
static int write_image(int fd, int nthreads, int *tasks)
{
	struct img_proc proc = { .nareas = 1 };
	struct img_file f = { .size = F_SIZE, .mode = 0100644,
			       .flags = IMG_FILE_CONTENTS };
	struct img_area a = { .start = BASE, .kind = IMG_AREA_ANON,
			      .prot = 3 };
	struct img_writer w;
	int err = 0;

	a.end = BASE + (uint64_t)NPAGES * IMG_PAGE_SIZE;
	a.stored_bytes = stored_bytes();
	for (unsigned i = 0; i < NFEXT; i++)
		f.data_bytes += fext[i][1];
	if (img_writer_open_mt(&w, fd, IMG_F_GZIP, 7, nthreads) < 0)
		return errno;
	if (tasks)
		*tasks = count_tasks();
	if (img_write_rec(&w, IMG_REC_PROC, &proc, sizeof(proc)) < 0 ||
	    img_write_file(&w, &f, "/saved/file") < 0)
		goto fail;
	for (unsigned i = 0; i < NFEXT; i++)
		if (img_write_filedata(&w, fext[i][0], fdata + fext[i][0],
				       fext[i][1]) < 0)
			goto fail;
	if (img_write_area(&w, &a, NULL) < 0)
		goto fail;
	for (unsigned i = 0; i < nrec; i++) {
		size_t off = (size_t)rec[i].first * IMG_PAGE_SIZE;

		if ((int)i == fork_at) {
			forked = fork();
			if (forked < 0)
				goto fail;
			if (forked > 0) {
				img_writer_close(&w);
				return 0;
			}
			alarm(120);	/* a hang fails the test */
		}
		if (img_write_pages(&w, BASE + off, mem + off,
				    (size_t)rec[i].n * IMG_PAGE_SIZE, 0) < 0)
			goto fail;
	}
	if (img_writer_finish(&w) < 0)
		goto fail;
	img_writer_close(&w);
	if (fork_at >= 0 && forked == 0)
		_exit(count_tasks() == 1 ? 0 : 2);
	return 0;
fail:
	err = errno;
	img_writer_close(&w);
	if (fork_at >= 0 && forked == 0)
		_exit(1);
	return err;
}

static char *write_file(int nthreads, int *tasks)
{
	char *path = ti_tmpname("zpool");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write_image(fd, nthreads, tasks), 0);
	close(fd);
	return path;
}

/* the file header's random image_id and the CRC over it, zeroed: the
   rest must be the same bytes from any writer */
static void mask_id(unsigned char *b, size_t len)
{
	assert_true(len >= sizeof(struct img_file_header));
	memset(b + offsetof(struct img_file_header, hdr_crc), 0, 4);
	memset(b + offsetof(struct img_file_header, image_id), 0, 16);
}

static int all_kind(uint32_t first, uint32_t n, int k)
{
	for (uint32_t i = 0; i < n; i++)
		if (kind[first + i] != k)
			return 0;
	return 1;
}

/* every record back, every byte compared; random records stored (no
   smaller than raw), text records compressed */
static void check_back(const char *path)
{
	char err[512];
	struct img_reader r;
	struct img_rec h;
	unsigned char *buf = malloc(8u << 20);
	unsigned ipages = 0, ifile = 0, nstored = 0, nsmall = 0;
	int rc;

	if (img_validate(path, 1, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(img_reader_open(&r, path, err, sizeof(err)), 0);
	while ((rc = img_reader_next(&r, &h)) > 0) {
		const unsigned char *want;
		size_t got = 0, len;
		ssize_t k;

		if (h.type == IMG_REC_FILEDATA) {
			assert_true(ifile < NFEXT);
			assert_int_equal(h.arg0, fext[ifile][0]);
			want = fdata + fext[ifile][0];
			len = fext[ifile][1];
			ifile++;
		} else if (h.type == IMG_REC_PAGES) {
			uint32_t first = rec[ipages].first, n = rec[ipages].n;

			assert_true(ipages < nrec);
			assert_int_equal(h.arg0,
					 BASE + (uint64_t)first * IMG_PAGE_SIZE);
			want = mem + (size_t)first * IMG_PAGE_SIZE;
			len = (size_t)n * IMG_PAGE_SIZE;
			if (all_kind(first, n, P_RANDOM)) {
				assert_true(h.size >= h.raw_size);
				nstored++;
			}
			if (all_kind(first, n, P_TEXT)) {
				assert_true(h.size < h.raw_size / 2);
				nsmall++;
			}
			/* text, random, zero pages in turn: the random
			   third stored, the rest compressed */
			if (first == 1536) {
				assert_true(h.size > h.raw_size / 3);
				assert_true(h.size < h.raw_size / 3 +
						     h.raw_size / 12);
			}
			ipages++;
		} else {
			continue;
		}
		assert_int_equal(h.flags, IMG_RF_ZCHUNKS);
		assert_int_equal(h.raw_size, len);
		while ((k = img_reader_read(&r, buf + got, 100000)) > 0)
			got += k;
		assert_int_equal(k, 0);
		assert_int_equal(got, len);
		assert_memory_equal(buf, want, len);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(ipages, nrec);
	assert_int_equal(ifile, NFEXT);
	assert_true(nstored > 100);	/* the big one and small ones */
	assert_true(nsmall > 100);
	img_reader_close(&r);
	free(buf);
}

static void test_same_bytes_any_threads(void **state)
{
	size_t l1, ln;
	unsigned char *b1, *bn;
	char *p1;
	int base = count_tasks(), tasks;

	(void)state;
	p1 = write_file(1, &tasks);
	assert_int_equal(tasks, base);		/* no thread with 1 */
	check_back(p1);
	b1 = ti_slurp(p1, &l1);
	assert_non_null(b1);
	mask_id(b1, l1);
	for (int n = 2; n <= 4; n++) {
		char *pn = write_file(n, &tasks);

		assert_int_equal(tasks, base + n);
		assert_int_equal(count_tasks(), base);
		bn = ti_slurp(pn, &ln);
		assert_non_null(bn);
		mask_id(bn, ln);
		assert_int_equal(ln, l1);
		assert_memory_equal(bn, b1, l1);
		check_back(pn);
		free(bn);
		unlink(pn);
		free(pn);
	}
	unlink(p1);
	free(p1);
	free(b1);
}

/* 0: as many threads as CPUs (at most IMG_ZTHREADS_MAX) */
static void test_auto_threads(void **state)
{
	int base = count_tasks(), tasks;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char *p;

	(void)state;
	if (cpus > IMG_ZTHREADS_MAX)
		cpus = IMG_ZTHREADS_MAX;
	p = write_file(0, &tasks);
	/* sched_getaffinity may allow fewer than online CPUs */
	assert_true(tasks <= base + cpus);
	assert_true(cpus < 2 || tasks >= base + 2 || tasks == base);
	assert_int_equal(count_tasks(), base);
	check_back(p);
	unlink(p);
	free(p);
}

static void test_workers_block_signals(void **state)
{
	int fd = open("/dev/null", O_WRONLY), base = count_tasks();
	struct img_writer w;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(img_writer_open_mt(&w, fd, IMG_F_GZIP, 1, 3), 0);
	assert_int_equal(count_tasks(), base + 3);
	assert_int_equal(check_worker_masks(), 3);
	img_writer_close(&w);
	assert_int_equal(count_tasks(), base);
	/* raw images have no workers */
	assert_int_equal(img_writer_open_mt(&w, fd, 0, 1, 3), 0);
	assert_int_equal(count_tasks(), base);
	img_writer_close(&w);
	close(fd);
}

/* a full disk: the failure comes back (from a later call: the chunk was
   with a worker), the writer is dead, the threads are gone */
static void test_error_full_disk(void **state)
{
	int fd = open("/dev/full", O_WRONLY), base = count_tasks(), tasks;

	(void)state;
	assert_true(fd >= 0);
	for (int n = 1; n <= 4; n++) {
		assert_int_equal(write_image(fd, n, &tasks), ENOSPC);
		assert_int_equal(tasks, base + (n > 1 ? n : 0));
		assert_int_equal(count_tasks(), base);
	}
	close(fd);
}

/* the fd closed under the writer half way: EBADF, no thread left */
static void test_error_closed_fd(void **state)
{
	struct img_proc proc = { .nareas = 1 };
	struct img_area a = { .start = BASE, .kind = IMG_AREA_ANON };
	char *path = ti_tmpname("zclosed");
	int base = count_tasks(), fd, rc = 0;
	struct img_writer w;

	(void)state;
	a.end = BASE + (uint64_t)NPAGES * IMG_PAGE_SIZE;
	a.stored_bytes = (uint64_t)NPAGES * IMG_PAGE_SIZE;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(img_writer_open_mt(&w, fd, IMG_F_GZIP, 1, 2), 0);
	assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &proc, sizeof(proc)),
			 0);
	assert_int_equal(img_write_area(&w, &a, NULL), 0);
	assert_int_equal(img_write_pages(&w, BASE, mem, 4u << 20, 0), 0);
	close(fd);
	for (uint32_t p = 1024; p < NPAGES && rc == 0; p += 256)
		rc = img_write_pages(&w, BASE + (uint64_t)p * IMG_PAGE_SIZE,
				     mem + (size_t)p * IMG_PAGE_SIZE,
				     256 * IMG_PAGE_SIZE, 0);
	if (rc == 0)
		rc = img_writer_finish(&w);
	assert_int_equal(rc, -1);
	assert_int_equal(errno, EBADF);
	/* dead: every later call fails with the first error */
	assert_int_equal(img_writer_finish(&w), -1);
	assert_int_equal(errno, EBADF);
	img_writer_close(&w);
	assert_int_equal(count_tasks(), base);
	unlink(path);
	free(path);
}

/* closed half way with chunks still with the workers (the checkpoint
   gave up): no hang, no thread left, the file just stops */
static void test_close_unfinished(void **state)
{
	struct img_proc proc = { .nareas = 1 };
	struct img_area a = { .start = BASE, .kind = IMG_AREA_ANON };
	char *path = ti_tmpname("zhalf");
	int base = count_tasks(), fd;
	struct img_writer w;

	(void)state;
	a.end = BASE + (uint64_t)NPAGES * IMG_PAGE_SIZE;
	a.stored_bytes = a.end - a.start;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	for (int n = 2; n <= 4; n++) {
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(img_writer_open_mt(&w, fd, IMG_F_GZIP, 1, n),
				 0);
		assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &proc,
					       sizeof(proc)), 0);
		assert_int_equal(img_write_area(&w, &a, NULL), 0);
		/* text: slow chunks, some surely still in the workers */
		assert_int_equal(img_write_pages(&w, BASE + (2560ull << 12),
						 mem + (2560u << 12),
						 640u << 12, 0), 0);
		img_writer_close(&w);
		assert_int_equal(count_tasks(), base);
	}
	close(fd);
	unlink(path);
	free(path);
}

/* every byte value as often as the others, but in patterns deflate
   shrinks: repeating every 256 bytes (no byte histogram tells it from
   random data), and like tests/progs/heap_pattern.c's: compressed, not
   taken for random */
static void test_pattern_compressed(void **state)
{
	struct img_proc proc = { .nareas = 1 };
	struct img_area a = { .start = BASE, .kind = IMG_AREA_ANON };
	size_t len = 2u << 20;
	unsigned char *p = malloc(len);
	char *path = ti_tmpname("zpat"), err[512];
	struct img_writer w;
	struct img_reader r;
	struct img_rec h;
	int fd;

	(void)state;
	for (size_t i = 0; i < len; i++)
		p[i] = i < len / 2 ? (unsigned char)(i * 7 + (i >> 12))
				   : (unsigned char)(99 + (i >> 6) * 7 + (i & 3));
	a.end = a.start + len;
	a.stored_bytes = len;
	for (int n = 1; n <= 2; n++) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(img_writer_open_mt(&w, fd, IMG_F_GZIP, 1, n),
				 0);
		assert_int_equal(img_write_rec(&w, IMG_REC_PROC, &proc,
					       sizeof(proc)), 0);
		assert_int_equal(img_write_area(&w, &a, NULL), 0);
		assert_int_equal(img_write_pages(&w, a.start, p, len, 0), 0);
		assert_int_equal(img_writer_finish(&w), 0);
		img_writer_close(&w);
		close(fd);
		assert_int_equal(img_reader_open(&r, path, err, sizeof(err)),
				 0);
		while (img_reader_next(&r, &h) > 0 && h.type != IMG_REC_PAGES)
			;
		assert_int_equal(h.type, IMG_REC_PAGES);
		assert_true(h.size < len / 8);
		img_reader_close(&r);
	}
	unlink(path);
	free(path);
	free(p);
}

/*
 * Opened (and fed) by a process that then forks: the child finishes the
 * image (a forked checkpoint), the parent closes its copy.  The child
 * redoes what the parent's workers had not finished, runs workers of its
 * own and leaves none; the file is the same as from one thread.
 */
static void test_fork_child_finishes(void **state)
{
	char *p1 = write_file(1, NULL), *path = ti_tmpname("zfork");
	int fd, base = count_tasks(), status;
	unsigned char *b1, *b2;
	size_t l1, l2;

	(void)state;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fork_at = 2;	/* after the big records: chunks still in flight */
	assert_int_equal(write_image(fd, 2, NULL), 0);
	fork_at = -1;
	assert_true(forked > 0);
	assert_int_equal(count_tasks(), base);
	assert_int_equal(waitpid(forked, &status, 0), forked);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
	check_back(path);
	b1 = ti_slurp(p1, &l1);
	b2 = ti_slurp(path, &l2);
	assert_non_null(b1);
	assert_non_null(b2);
	mask_id(b1, l1);
	mask_id(b2, l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b1);
	free(b2);
	unlink(p1);
	unlink(path);
	free(p1);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_any_threads),
		cmocka_unit_test(test_auto_threads),
		cmocka_unit_test(test_pattern_compressed),
		cmocka_unit_test(test_workers_block_signals),
		cmocka_unit_test(test_fork_child_finishes),
		cmocka_unit_test(test_error_full_disk),
		cmocka_unit_test(test_error_closed_fd),
		cmocka_unit_test(test_close_unfinished),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
