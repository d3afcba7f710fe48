/*
 * bigmem.c - benchmark program for bench/ckpt-bench.sh: allocates SIZE MiB
 * of random (incompressible) or mostly-zero data, prints READY, then polls
 * every millisecond: when dmtcp_get_local_status() shows a new restart it
 * creates the file $BENCH_MARK (the "running again" signal the benchmark
 * times); it exits when $TEST_STOP_FILE exists.
 * Usage: bigmem SIZE_MIB random|zero
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmtcp.h"

int main(int argc, char **argv)
{
	size_t mib, n;
	uint64_t *p, s = 88172645463325252ULL;
	int zero, c = 0, r = 0, last_r = 0;
	const char *mark = getenv("BENCH_MARK");
	const char *stop = getenv("TEST_STOP_FILE");
	struct timespec ms = { 0, 1000000L };

	if (argc != 3) {
		fprintf(stderr, "usage: %s SIZE_MIB random|zero\n", argv[0]);
		return 2;
	}
	mib = strtoul(argv[1], NULL, 0);
	zero = strcmp(argv[2], "zero") == 0;
	n = mib * 1024 * 1024 / 8;
	p = malloc(n * 8);
	if (!p) {
		perror("malloc");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		/* xorshift64; "zero" keeps one word per 4 KiB page non-zero */
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[i] = zero ? ((i % 512) == 0 ? s : 0) : s;
	}
	printf("READY\n");
	fflush(stdout);
	dmtcp_get_local_status(&c, &last_r);
	for (;;) {
		if (stop && access(stop, F_OK) == 0)
			break;
		if (dmtcp_get_local_status(&c, &r) == DMTCP_IS_PRESENT &&
		    r != last_r) {
			last_r = r;
			if (mark) {
				int fd = open(mark, O_WRONLY | O_CREAT, 0644);

				if (fd >= 0)
					close(fd);
			}
		}
		nanosleep(&ms, NULL);
	}
	printf("done %lu\n", (unsigned long)p[n / 2]);
	return 0;
}
