/*
 * zwrite.c - throughput of the gzip image writer alone (no process to
 * freeze): writes SIZE MiB of random, mixed or text-like pages through
 * img_writer_open_mt() with THREADS zlib workers to a file and prints
 * wall time, CPU time (the process's, workers included) and MiB/s.
 * Built and run by bench/zwrite-bench.sh.
 *
 * Usage: zwrite FILE SIZE_MIB THREADS random|mixed|halfzero|text [RUN_PAGES]
 *   mixed: runs of RUN_PAGES random pages alternating with as many
 *   text-like pages, a record each; halfzero: the runs of text are zero
 *   pages instead, left out as the checkpoint leaves them out (records of
 *   RUN_PAGES random pages with holes between them).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "img.h"

static double now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *words[] = { "the ", "checkpoint ", "image ", "of ",
				"0x7f3a1200 ", "return ", "int ", "\n" };
	size_t size, run, pages;
	uint64_t s = 88172645463325252ull;
	struct img_writer w;
	struct img_proc proc;
	struct img_area a;
	unsigned char *mem;
	double t0, c0, m0, t1, c1, m1;
	int fd, threads, mixed, text, holes;

	if (argc < 5) {
		fprintf(stderr, "usage: %s FILE SIZE_MIB THREADS "
			"random|mixed|text [RUN_PAGES]\n", argv[0]);
		return 2;
	}
	size = strtoull(argv[2], NULL, 0) << 20;
	threads = atoi(argv[3]);
	holes = strcmp(argv[4], "halfzero") == 0;
	mixed = holes || strcmp(argv[4], "mixed") == 0;
	text = strcmp(argv[4], "text") == 0;
	run = argc > 5 ? strtoull(argv[5], NULL, 0) : 1;
	pages = size / 4096;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || !run)
		return 1;
	for (size_t p = 0; p < pages; p++) {
		int rnd = text ? 0 : !mixed || (p / run) % 2 == 0;
		unsigned char *q = mem + p * 4096;

		if (holes && !rnd) {
			memset(q, 0, 4096);
		} else if (rnd) {
			for (int i = 0; i < 512; i++) {
				s ^= s << 13, s ^= s >> 7, s ^= s << 17;
				memcpy(q + 8 * i, &s, 8);
			}
		} else {
			for (size_t o = 0; o < 4096;) {
				const char *x;
				size_t l;

				s ^= s << 13, s ^= s >> 7, s ^= s << 17;
				x = words[s % 8];
				l = strlen(x) < 4096 - o ? strlen(x) : 4096 - o;
				memcpy(q + o, x, l);
				o += l;
			}
		}
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(&proc, 0, sizeof(proc));
	proc.nareas = 1;
	memset(&a, 0, sizeof(a));
	a.start = (uint64_t)mem;
	a.end = (uint64_t)mem + size;
	a.prot = PROT_READ | PROT_WRITE;
	a.stored_bytes = 0;
	for (size_t p = 0; p < pages; p++)
		if (!holes || (p / run) % 2 == 0)
			a.stored_bytes += 4096;
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	m0 = now(CLOCK_THREAD_CPUTIME_ID);
	if (img_writer_open_mt(&w, fd, IMG_F_GZIP, 0, threads) < 0 ||
	    img_write_rec(&w, IMG_REC_PROC, &proc, sizeof(proc)) < 0 ||
	    img_write_area(&w, &a, NULL) < 0) {
		perror("writer");
		return 1;
	}
	for (size_t p = 0; p < pages;) {
		size_t n = mixed ? run : pages;

		if (n > pages - p)
			n = pages - p;
		if (holes && (p / run) % 2) {
			p += n;
			continue;
		}
		if (img_write_pages(&w, a.start + p * 4096, mem + p * 4096,
				    n * 4096, 0) < 0) {
			perror("img_write_pages");
			return 1;
		}
		p += n;
	}
	if (img_writer_finish(&w) < 0) {
		perror("img_writer_finish");
		return 1;
	}
	img_writer_close(&w);
	close(fd);
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	m1 = now(CLOCK_THREAD_CPUTIME_ID);
	/* cpu: every thread; caller: the writing thread alone (the rest
	   is the workers'), the lower bound of the wall time on idle cores */
	printf("%-8s %5zu MiB threads %d: wall %6.3f s  cpu %6.3f s  "
	       "caller %6.3f s  %5.0f MiB/s wall  %5.0f MiB/cpu-s  "
	       "image %zu MiB\n",
	       argv[4], size >> 20, threads, t1 - t0, c1 - c0, m1 - m0,
	       (size >> 20) / (t1 - t0), (size >> 20) / (c1 - c0),
	       (size_t)(img_writer_bytes(&w) >> 20));
	return 0;
}
