/*
 * gdb_fixture.c - the program the gdb tests (tests/e2e/test-gdb*.sh)
 * checkpoint, restart under gdb and rewind.
 *
 * Built with -g -O0 and noinline so each function below has its own frame.
 * Two worker threads park in named call chains
 *   gdbfx_worker_one -> gdbfx_wait_one -> tp_sleep_ms
 *   gdbfx_worker_two -> gdbfx_wait_two -> tp_sleep_ms
 * and the main thread loops in gdbfx_main_loop, incrementing the global
 * gdbfx_counter every ~10 ms, so a rewound process shows the counter value
 * of the checkpoint while the live process kept counting.  Each round
 * calls gdbfx_tick(n), where a test sets "break gdbfx_tick if n >= N" to
 * let the process run a known number of rounds.  gdbfx_shadow
 * always equals gdbfx_counter * 3 at a loop boundary (a consistency check
 * the tests can print).  gdbfx_data (4242, never written) is a global in
 * .data, gdbfx_counter one in .bss (test-gdb-symbols reads both).  Prints
 * READY; stops (PASS) when $TEST_STOP_FILE
 * appears.
 */
#include <pthread.h>

#include "testprog.h"

#define GDBFX_FN __attribute__((noinline, noclone))

static volatile int gdbfx_stopping;
static volatile uint64_t gdbfx_counter;
static volatile uint64_t gdbfx_shadow;
static volatile uint64_t gdbfx_data = 4242;	/* in .data */

/* gdbfx_worker_one -> gdbfx_wait_one, gdbfx_worker_two -> gdbfx_wait_two */
TP_PARKED_THREAD(GDBFX_FN, gdbfx_worker_one, gdbfx_wait_one, "gdbfx-one",
		 gdbfx_stopping, 20)
TP_PARKED_THREAD(GDBFX_FN, gdbfx_worker_two, gdbfx_wait_two, "gdbfx-two",
		 gdbfx_stopping, 30)

/* called once per round: a place for a conditional breakpoint */
GDBFX_FN static void gdbfx_tick(uint64_t n)
{
	gdbfx_shadow = n * 3;
}

GDBFX_FN static void gdbfx_main_loop(void)
{
	while (!tp_should_stop()) {
		uint64_t n = gdbfx_counter + 1;

		gdbfx_counter = n;
		gdbfx_tick(n);
		tp_sleep_ms(10);
	}
}

int main(void)
{
	pthread_t t1, t2;

	tp_init("gdb_fixture");
	TP_CHECK(pthread_create(&t1, NULL, gdbfx_worker_one, NULL) == 0,
		 "pthread_create one");
	TP_CHECK(pthread_create(&t2, NULL, gdbfx_worker_two, NULL) == 0,
		 "pthread_create two");
	tp_ready();
	gdbfx_main_loop();
	gdbfx_stopping = 1;
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	TP_CHECK(gdbfx_counter > 0, "main loop never ran");
	TP_CHECK(gdbfx_data == 4242, "gdbfx_data %llu",
		 (unsigned long long)gdbfx_data);
	TP_CHECK(gdbfx_shadow == gdbfx_counter * 3, "shadow %llu counter %llu",
		 (unsigned long long)gdbfx_shadow,
		 (unsigned long long)gdbfx_counter);
	tp_pass();
}
