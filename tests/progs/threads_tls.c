/*
 * threads_tls.c - checkpoint test: 8 threads with __thread counters and
 * per-thread checksums survive checkpoint/restart; pid and every tid stay
 * the same (getpid() == syscall(SYS_getpid), raw gettid unchanged), and a
 * handled signal sent with raise() and pthread_kill() is still delivered
 * to the right thread afterwards.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "testprog.h"

#define NTHREADS 8

static __thread uint64_t tls_counter;
static __thread uint64_t tls_checksum;
static __thread volatile sig_atomic_t tls_sigs;
static __thread pid_t tls_tid;

static volatile int stopping;
static pid_t start_pid;
static pid_t start_tids[NTHREADS];
static pthread_t threads[NTHREADS];
static volatile sig_atomic_t sig_tid_ok[NTHREADS + 1];
static volatile int kicked[NTHREADS];

static pid_t raw_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static uint64_t mix(uint64_t sum, uint64_t v, int idx)
{
	return (sum ^ (v + 0x9e3779b97f4a7c15ULL + idx)) * 0x100000001b3ULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	tls_sigs++;
	/* tls_tid was recorded by this thread before the signal came */
	if (tls_tid == raw_gettid()) {
		for (int i = 0; i <= NTHREADS; i++)
			if ((i < NTHREADS ? start_tids[i] : start_pid) == tls_tid)
				sig_tid_ok[i] = 1;
	}
}

static void *worker(void *arg)
{
	int idx = (int)(intptr_t)arg;
	uint64_t mirror_counter = 0, mirror_sum = 0;
	pthread_t self = pthread_self();
	double t0;

	tls_tid = raw_gettid();
	if (tls_tid == start_pid)
		tp_fail("thread %d: gettid %d == pid", idx, (int)tls_tid);
	__atomic_store_n(&start_tids[idx], tls_tid, __ATOMIC_SEQ_CST);
	if (tls_counter != 0 || tls_checksum != 0)
		tp_fail("thread %d: __thread vars not zero at start", idx);
	while (!stopping) {
		/* a few steps per iteration, each re-verified */
		for (int k = 0; k < 100; k++) {
			tls_counter++;
			tls_checksum = mix(tls_checksum, tls_counter, idx);
			mirror_counter++;
			mirror_sum = mix(mirror_sum, mirror_counter, idx);
			if (tls_counter != mirror_counter ||
			    tls_checksum != mirror_sum)
				tp_fail("thread %d: __thread counter %llu/%llx "
					"!= stack copy %llu/%llx", idx,
					(unsigned long long)tls_counter,
					(unsigned long long)tls_checksum,
					(unsigned long long)mirror_counter,
					(unsigned long long)mirror_sum);
		}
		if (raw_gettid() != start_tids[idx] || tls_tid != start_tids[idx])
			tp_fail("thread %d: tid changed %d -> %d (tls copy %d)",
				idx, (int)start_tids[idx], (int)raw_gettid(),
				(int)tls_tid);
		if (!pthread_equal(pthread_self(), self))
			tp_fail("thread %d: pthread_self changed", idx);
		if (getpid() != start_pid)
			tp_fail("thread %d: getpid %d != %d", idx,
				(int)getpid(), (int)start_pid);
		tp_sleep_ms(10 + idx);
	}
	/* final check: recompute the checksum from scratch */
	{
		uint64_t sum = 0;

		for (uint64_t v = 1; v <= tls_counter; v++)
			sum = mix(sum, v, idx);
		if (sum != tls_checksum)
			tp_fail("thread %d: checksum of %llu steps is wrong",
				idx, (unsigned long long)tls_counter);
	}
	/* wait (bounded) for the main thread's pthread_kill() */
	t0 = tp_now();
	while (!sig_tid_ok[idx]) {
		if (tp_now() - t0 > 10)
			tp_fail("thread %d: pthread_kill(SIGUSR1) not delivered "
				"(kicked=%d, signals seen by thread=%d)", idx,
				kicked[idx], (int)tls_sigs);
		tp_sleep_ms(5);
	}
	return (void *)(uintptr_t)tls_counter;
}

int main(void)
{
	struct sigaction sa;
	int main_sigs;

	tp_init("threads_tls");
	start_pid = getpid();
	tls_tid = raw_gettid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		tp_fail("sigaction: %s", strerror(errno));

	/* sanity of the environment before any checkpoint */
	if (getpid() != (pid_t)syscall(SYS_getpid))
		tp_fail("getpid %d != SYS_getpid %ld", (int)getpid(),
			syscall(SYS_getpid));
	if (tls_tid != start_pid)
		tp_fail("main gettid %d != pid %d", (int)tls_tid,
			(int)start_pid);

	for (int i = 0; i < NTHREADS; i++) {
		double t0 = tp_now();

		if (pthread_create(&threads[i], NULL, worker,
				   (void *)(intptr_t)i) != 0)
			tp_fail("pthread_create %d failed", i);
		/* wait (bounded) until the thread recorded its tid */
		while (!__atomic_load_n(&start_tids[i], __ATOMIC_SEQ_CST)) {
			if (tp_now() - t0 > 10)
				tp_fail("thread %d did not start", i);
			tp_sleep_ms(1);
		}
		/* the signal reaches the right thread before any checkpoint */
		if (pthread_kill(threads[i], SIGUSR1) != 0)
			tp_fail("pthread_kill thread %d before ckpt", i);
	}
	for (int i = 0; i < NTHREADS; i++) {
		double t0 = tp_now();

		while (!sig_tid_ok[i]) {
			if (tp_now() - t0 > 10)
				tp_fail("thread %d: SIGUSR1 not delivered "
					"before checkpoint", i);
			tp_sleep_ms(1);
		}
		sig_tid_ok[i] = 0;
	}
	tp_ready();
	for (;;) {
		if (tp_should_stop())
			break;
		tls_counter++;
		if (getpid() != (pid_t)syscall(SYS_getpid))
			tp_fail("getpid %d != SYS_getpid %ld", (int)getpid(),
				syscall(SYS_getpid));
		tp_sleep_ms(15);
	}

	/* after the checkpoints: pid, tids, signals */
	if (getpid() != start_pid || (pid_t)syscall(SYS_getpid) != start_pid)
		tp_fail("pid changed: start %d, getpid %d, SYS_getpid %ld",
			(int)start_pid, (int)getpid(), syscall(SYS_getpid));
	if (raw_gettid() != start_pid)
		tp_fail("main tid changed: %d -> %d", (int)start_pid,
			(int)raw_gettid());
	main_sigs = tls_sigs;
	if (raise(SIGUSR1) != 0)
		tp_fail("raise: %s", strerror(errno));
	if (tls_sigs != main_sigs + 1 || !sig_tid_ok[NTHREADS])
		tp_fail("raise(SIGUSR1) not delivered to the main thread");
	stopping = 1;
	for (int i = 0; i < NTHREADS; i++) {
		int err;

		kicked[i] = 1;
		err = pthread_kill(threads[i], SIGUSR1);
		if (err)
			tp_fail("pthread_kill thread %d: %s", i, strerror(err));
	}
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;

		if (pthread_join(threads[i], &ret) != 0)
			tp_fail("pthread_join %d failed", i);
		if ((uintptr_t)ret == 0)
			tp_fail("thread %d did no work", i);
		if (!sig_tid_ok[i])
			tp_fail("thread %d: SIGUSR1 ran on the wrong tid", i);
	}
	tp_pass();
}
