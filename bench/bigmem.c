/*
 * bigmem.c - benchmark program for bench/table.sh and bench/ckpt-bench.sh:
 * allocates SIZE MiB of data of one KIND, prints READY, then loops every
 * millisecond (BENCH_TICK_US):
 *   - it stamps CLOCK_MONOTONIC and keeps the longest gap between two
 *     stamps: the longest time the program was kept from running (frozen
 *     by a checkpoint, or not scheduled);
 *   - when dmtcp_get_local_status() shows a new restart it creates the
 *     file $BENCH_MARK (the "running again" signal the benchmark times);
 *   - when the file $BENCH_CTL appears it reads one command from it,
 *     removes it and answers in $BENCH_CTL.reply (written whole, then
 *     renamed into place):
 *       "gap"      -> "gap_us N": the longest gap since the last "gap"
 *                     (or since READY), then starts a new one;
 *       "dirty P"  -> "dirtied N": rewrites P percent of the pages (every
 *                     (100/P)th page, whole) with new random data;
 *   - it exits when $TEST_STOP_FILE exists.
 * KIND: random (incompressible), zero (one non-zero word per 4 KiB page:
 * compressible, not sparse), half (every other 4 KiB page random, the
 * others written with zeros: half zero, half random pages in every MiB).
 * Usage: bigmem SIZE_MIB random|zero|half
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmtcp.h"

#define PAGE_WORDS 512	/* 8-byte words in a 4 KiB page */

static uint64_t seed = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void fill(uint64_t *p, size_t n, const char *kind)
{
	int zero = strcmp(kind, "zero") == 0, half = strcmp(kind, "half") == 0;

	for (size_t i = 0; i < n; i++) {
		size_t page = i / PAGE_WORDS;

		if (zero)
			p[i] = i % PAGE_WORDS == 0 ? xorshift() : 0;
		else if (half)
			p[i] = page % 2 == 0 ? xorshift() : 0;
		else
			p[i] = xorshift();
	}
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd >= 0)
		close(fd);
}

/* writes TEXT to CTL.reply through CTL.reply.tmp and a rename */
static void reply(const char *ctl, const char *text)
{
	char tmp[4096], fin[4096];
	int fd;

	snprintf(fin, sizeof(fin), "%s.reply", ctl);
	snprintf(tmp, sizeof(tmp), "%s.reply.tmp", ctl);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(tmp);
		return;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(tmp);
	close(fd);
	if (rename(tmp, fin) != 0)
		perror(fin);
}

/* one command from CTL (which exists); GAP is the longest gap so far */
static void command(const char *ctl, uint64_t *gap, uint64_t *p, size_t n)
{
	char cmd[64] = "", out[64];
	int fd = open(ctl, O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, cmd, sizeof(cmd) - 1) : -1;
	unsigned pct;

	if (fd >= 0)
		close(fd);
	unlink(ctl);
	if (len < 0) {
		reply(ctl, "error: cannot read the command\n");
		return;
	}
	cmd[len] = '\0';
	if (strncmp(cmd, "gap", 3) == 0) {
		snprintf(out, sizeof(out), "gap_us %llu\n", (unsigned long long)*gap);
		*gap = 0;
	} else if (sscanf(cmd, "dirty %u", &pct) == 1 && pct >= 1 && pct <= 100) {
		size_t pages = n / PAGE_WORDS, step = 100 / pct, k = 0;

		for (size_t pg = 0; pg < pages; pg += step, k++)
			for (size_t i = 0; i < PAGE_WORDS; i++)
				p[pg * PAGE_WORDS + i] = xorshift();
		snprintf(out, sizeof(out), "dirtied %zu\n", k);
	} else {
		snprintf(out, sizeof(out), "error: unknown command\n");
	}
	reply(ctl, out);
}

int main(int argc, char **argv)
{
	size_t mib, n;
	uint64_t *p, gap = 0, last, t;
	int c = 0, r = 0, last_r = 0;
	const char *mark = getenv("BENCH_MARK");
	const char *stop = getenv("TEST_STOP_FILE");
	const char *ctl = getenv("BENCH_CTL");
	const char *tick = getenv("BENCH_TICK_US");
	long tick_us = tick ? strtol(tick, NULL, 10) : 1000;
	struct timespec ts = { tick_us / 1000000, tick_us % 1000000 * 1000 };

	if (argc != 3 || (strcmp(argv[2], "random") != 0 &&
			  strcmp(argv[2], "zero") != 0 &&
			  strcmp(argv[2], "half") != 0)) {
		fprintf(stderr, "usage: %s SIZE_MIB random|zero|half\n", argv[0]);
		return 2;
	}
	mib = strtoul(argv[1], NULL, 0);
	n = mib * 1024 * 1024 / 8;
	/* page aligned: a "page" of the kinds and of "dirty" is a real
	   page (malloc's 16-byte header would make every logical page
	   straddle two, none of them zero, and "dirty" touch two each);
	   + 8: SIZE 0 is a valid counter */
	p = aligned_alloc(4096, (n * 8 + 8 + 4095) & ~(size_t)4095);
	if (!p) {
		perror("malloc");
		return 1;
	}
	fill(p, n, argv[2]);
	printf("READY\n");
	fflush(stdout);
	dmtcp_get_local_status(&c, &last_r);
	last = now_us();
	for (;;) {
		t = now_us();
		if (t - last > gap)
			gap = t - last;
		last = t;
		if (stop && access(stop, F_OK) == 0)
			break;
		if (ctl && access(ctl, F_OK) == 0) {
			command(ctl, &gap, p, n);
			last = now_us();	/* the command's own time is no gap */
		}
		if (dmtcp_get_local_status(&c, &r) == DMTCP_IS_PRESENT &&
		    r != last_r) {
			last_r = r;
			if (mark)
				touch(mark);
		}
		nanosleep(&ts, NULL);
	}
	printf("done %lu\n", n ? (unsigned long)p[n / 2] : 0UL);
	return 0;
}
