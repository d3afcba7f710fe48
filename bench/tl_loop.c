/*
 * tl_loop.c - the program of bench/timeline-overhead.sh: a CPU- and
 * memory-bound loop over a heap of MIB MiB (argv[1], default 64) for
 * SECONDS (argv[2], default 5): each step mixes a 64-byte line at a
 * pseudo-random place of the first HOT MiB of the heap (argv[3],
 * default all of it: every page changes between two snapshots).  Prints READY once the heap is
 * touched, then "STEPS n SECONDS s" at the end: the throughput the
 * benchmark compares with and without a timeline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	double secs = argc > 2 ? atof(argv[2]) : 5.0, t0, t;
	size_t hot = argc > 3 ? strtoul(argv[3], NULL, 10) : mib;
	size_t lines = (hot && hot < mib ? hot : mib) * (1u << 20) / 64;
	uint64_t *heap, x = 88172645463325252ull, steps = 0;

	heap = malloc(mib << 20);
	if (!heap || !lines)
		return 1;
	memset(heap, 1, mib << 20);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY\n");
	t0 = now();
	do {
		for (int k = 0; k < 4096; k++) {
			uint64_t *l;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			l = heap + (x % lines) * 8;
			for (int j = 0; j < 8; j++)
				l[j] = l[j] * 6364136223846793005ull + x + j;
			steps++;
		}
		t = now();
	} while (t - t0 < secs);
	printf("STEPS %llu SECONDS %.3f CHECK %llu\n",
	       (unsigned long long)steps, t - t0,
	       (unsigned long long)heap[x % (lines * 8)]);
	return 0;
}
