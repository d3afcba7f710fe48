/*
 * inspect_fixture.c - the program the dmtcp_inspect tests checkpoint.
 *
 * Built with -g -O0 (and noinline, as make's CFLAGS come last) so every
 * function below has its own frame and line table.  Three threads park in named call chains
 *   fixture_alpha -> fixture_alpha_wait -> tp_sleep_ms
 *   fixture_beta  -> fixture_beta_wait  -> tp_sleep_ms
 *   fixture_gamma -> fixture_gamma_wait -> tp_sleep_ms
 * and the main thread loops in fixture_main_loop, rewriting a heap
 * buffer and a counter so two checkpoints of the process differ.
 * Prints "SYM <name> <address>" for the functions the tests look up and
 * "BUF <address> <bytes>" for the buffer it rewrites, then READY; stops (PASS) when $TEST_STOP_FILE appears.
 */
#include <pthread.h>

#include "testprog.h"

#define DIRTY_BYTES (64 * 4096)
/* keep every fixture function a frame of its own whatever CFLAGS say */
#define FIXTURE_FN __attribute__((noinline, noclone))

static volatile int stopping;
static volatile uint64_t fixture_counter;
static unsigned char *dirty;

/* fixture_alpha -> fixture_alpha_wait, and likewise beta and gamma */
TP_PARKED_THREAD(FIXTURE_FN, fixture_alpha, fixture_alpha_wait, "fx-alpha",
		 stopping, 20)
TP_PARKED_THREAD(FIXTURE_FN, fixture_beta, fixture_beta_wait, "fx-beta",
		 stopping, 25)
TP_PARKED_THREAD(FIXTURE_FN, fixture_gamma, fixture_gamma_wait, "fx-gamma",
		 stopping, 30)

FIXTURE_FN static void fixture_main_loop(void)
{
	while (!tp_should_stop()) {
		uint64_t n = ++fixture_counter;

		/* a different page of the buffer every round */
		memset(dirty + (n % (DIRTY_BYTES / 4096)) * 4096,
		       (int)(n & 0xff), 4096);
		tp_sleep_ms(10);
	}
}

int main(void)
{
	void *(*fns[3])(void *) = { fixture_alpha, fixture_beta,
				    fixture_gamma };
	pthread_t th[3];
	int i;

	tp_init("inspect_fixture");
	dirty = malloc(DIRTY_BYTES);
	TP_CHECK(dirty != NULL, "malloc %d", DIRTY_BYTES);
	memset(dirty, 0x5a, DIRTY_BYTES);
	for (i = 0; i < 3; i++)
		TP_CHECK(pthread_create(&th[i], NULL, fns[i], NULL) == 0,
			 "pthread_create %d", i);
	printf("SYM fixture_alpha_wait %p\n", (void *)fixture_alpha_wait);
	printf("SYM fixture_beta_wait %p\n", (void *)fixture_beta_wait);
	printf("SYM fixture_gamma_wait %p\n", (void *)fixture_gamma_wait);
	printf("SYM fixture_main_loop %p\n", (void *)fixture_main_loop);
	printf("BUF %p %d\n", (void *)dirty, DIRTY_BYTES);
	tp_ready();
	fixture_main_loop();
	stopping = 1;
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	TP_CHECK(fixture_counter > 0, "main loop never ran");
	tp_pass();
}
