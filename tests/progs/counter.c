/*
 * counter.c - the demo program (util/demo.sh): prints an increasing
 * counter every 0.2 s, forever.  Its state is just the counter in memory,
 * so after restart it continues from where it was checkpointed.
 */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts = { 0, 200 * 1000000L };
	unsigned long n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		printf("counter: %lu\n", ++n);
		nanosleep(&ts, NULL);
	}
}
