/*
 * bisectmem.c - benchmark program for bench/bisect-bench.sh: SIZE MiB
 * of heap (one non-zero word a page: compressible, never sparse), a
 * global counter bumped every millisecond that also rewrites one heap
 * page, and `broken`, set to the counter's value once the file named
 * by $BENCH_BREAK exists (what bisect looks for).  Prints READY; exits
 * when $TEST_STOP_FILE exists.  Built with -g by the benchmark.
 * Usage: bisectmem SIZE_MIB
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

long *heap;
long heap_words;
volatile long counter;
volatile long broken;

int main(int argc, char **argv)
{
	const char *brk = getenv("BENCH_BREAK"), *stop = getenv("TEST_STOP_FILE");
	long size = argc > 1 ? atol(argv[1]) : 64;
	struct timespec ms = { 0, 1000000 };

	heap_words = size * (1 << 20) / (long)sizeof(long);
	heap = malloc((size_t)heap_words * sizeof(long));
	if (!heap || !brk || !stop)
		return 1;
	for (long i = 0; i < heap_words; i++)
		heap[i] = i % 512 ? 0 : i / 512 + 1;
	printf("READY\n");
	fflush(stdout);
	while (access(stop, F_OK) != 0) {
		counter++;
		heap[(counter * 512) % heap_words] = counter;
		if (!broken && access(brk, F_OK) == 0)
			broken = counter;
		nanosleep(&ms, NULL);
	}
	return 0;
}
