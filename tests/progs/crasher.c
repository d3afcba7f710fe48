/*
 * crasher.c - test program for dmtcp_launch --ckpt-on-crash: a helper
 * thread idles, the main thread prints READY, then dereferences NULL
 * three calls deep in functions with known names (crash_level0..2), or
 * calls abort() with "abort" as argument.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile int *volatile crash_ptr;
static const char *mode = "segv";

void crash_level0(void);
void crash_level1(void);
void crash_level2(void);

static void *idle_thread(void *arg)
{
	for (;;)
		usleep(10000);
	return arg;
}

__attribute__((noinline)) void crash_level0(void)
{
	if (strcmp(mode, "abort") == 0)
		abort();
	*crash_ptr = 42;
}

__attribute__((noinline)) void crash_level1(void)
{
	crash_level0();
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void crash_level2(void)
{
	crash_level1();
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc > 1)
		mode = argv[1];
	pthread_create(&t, NULL, idle_thread, NULL);
	usleep(100000);
	printf("READY\n");
	fflush(stdout);
	crash_level2();
	printf("FAIL crasher: survived\n");
	return 1;
}
