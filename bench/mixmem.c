/*
 * mixmem.c - benchmark program for bench/restart-bench.sh: SIZE MiB of
 * memory where, in every MiB, the pages alternate by KIND: "half" (one
 * page random, the next all zero), "random" (every page random) or
 * "mixed" (random, zero and compressible text pages in turn).  Prints
 * READY, then polls every millisecond: when dmtcp_get_local_status()
 * shows a new restart it checks every page first if the restart's
 * environment has MIXMEM_CHECK=1 (exit 3 if one is wrong, "checked" on
 * stdout), then creates $BENCH_MARK; it exits when $TEST_STOP_FILE
 * exists.
 * Usage: mixmem SIZE_MIB half|random|mixed
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmtcp.h"

#define PAGE 4096

/* the page's kind: 0 zero, 1 random, 2 text */
static int kind_of(const char *kind, size_t pg)
{
	if (strcmp(kind, "random") == 0)
		return 1;
	if (strcmp(kind, "half") == 0)
		return pg % 2 ? 0 : 1;
	return (int)(pg % 3);
}

static void fill(uint64_t *p, size_t pg, int k)
{
	uint64_t s = 88172645463325252ULL ^ (pg * 0x9E3779B97F4A7C15ULL);

	for (size_t i = 0; i < PAGE / 8; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[i] = k == 1 ? s : k == 2 ? 0x2065676170206e41ULL + pg : 0;
	}
}

static int check(const char *base, size_t npages, const char *kind)
{
	uint64_t want[PAGE / 8];

	for (size_t pg = 0; pg < npages; pg++) {
		fill(want, pg, kind_of(kind, pg));
		if (memcmp(base + pg * PAGE, want, PAGE))
			return -1;
	}
	return 0;
}

/* MIXMEM_CHECK=1 in dmtcp_restart's environment */
static int want_check(void)
{
	char v[8] = "";

	return dmtcp_get_restart_env &&
	       dmtcp_get_restart_env("MIXMEM_CHECK", v, sizeof(v)) ==
	       RESTART_ENV_SUCCESS && strcmp(v, "1") == 0;
}

int main(int argc, char **argv)
{
	size_t npages;
	char *p;
	int c = 0, r = 0, last_r = 0;
	const char *mark = getenv("BENCH_MARK");
	const char *stop = getenv("TEST_STOP_FILE");
	struct timespec ms = { 0, 1000000L };

	if (argc != 3) {
		fprintf(stderr, "usage: %s SIZE_MIB half|random|mixed\n",
			argv[0]);
		return 2;
	}
	npages = strtoul(argv[1], NULL, 0) * (1048576 / PAGE);
	if (posix_memalign((void **)&p, PAGE, npages * PAGE)) {
		perror("posix_memalign");
		return 1;
	}
	for (size_t pg = 0; pg < npages; pg++)
		fill((uint64_t *)(p + pg * PAGE), pg, kind_of(argv[2], pg));
	printf("READY\n");
	fflush(stdout);
	dmtcp_get_local_status(&c, &last_r);
	for (;;) {
		if (stop && access(stop, F_OK) == 0)
			break;
		if (dmtcp_get_local_status(&c, &r) == DMTCP_IS_PRESENT &&
		    r != last_r) {
			last_r = r;
			if (want_check()) {
				if (check(p, npages, argv[2]) < 0) {
					fprintf(stderr, "mixmem: wrong data "
						"after restart\n");
					return 3;
				}
				printf("checked\n");
				fflush(stdout);
			}
			if (mark) {
				int fd = open(mark, O_WRONLY | O_CREAT, 0644);

				if (fd >= 0)
					close(fd);
			}
		}
		nanosleep(&ms, NULL);
	}
	printf("done\n");
	return 0;
}
