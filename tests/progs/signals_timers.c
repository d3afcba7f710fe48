/*
 * signals_timers.c - checkpoint test for signal and timer state:
 *  - SIGALRM from setitimer(ITIMER_REAL, 10 ms) keeps being counted, and
 *    the interval is unchanged after restart;
 *  - a SIGRTMIN+1 handler installed with SA_ONSTACK runs on the sigaltstack
 *    (raised every iteration) and sigaltstack() reports the same stack;
 *  - SIGUSR1 is blocked and raised before the checkpoint: it must still be
 *    pending after restart, and once unblocked its (altstack) handler runs;
 *  - the sigprocmask and the handlers/flags of sigaction are unchanged;
 *  - alarm() works on the restored ITIMER_REAL.
 */
#include <signal.h>
#include <sys/time.h>

#include "testprog.h"

#define ALTSTACK_SIZE (64 * 1024)

static char *altstack;
static volatile sig_atomic_t alrm_count;
static volatile sig_atomic_t rt_count, rt_not_on_stack;
static volatile sig_atomic_t usr1_count, usr1_not_on_stack;

static int on_altstack(void)
{
	char probe;

	return &probe >= altstack && &probe < altstack + ALTSTACK_SIZE;
}

static void on_alrm(int sig)
{
	(void)sig;
	alrm_count++;
}

static void on_rt(int sig)
{
	(void)sig;
	rt_count++;
	if (!on_altstack())
		rt_not_on_stack++;
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
	if (!on_altstack())
		usr1_not_on_stack++;
}

static void install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	if (sigaction(sig, &sa, NULL) != 0)
		tp_fail("sigaction(%d): %s", sig, strerror(errno));
}

static void check_handler(int sig, void (*fn)(int), int flags,
			  const char *when)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) != 0)
		tp_fail("sigaction(%d) query: %s", sig, strerror(errno));
	if (sa.sa_handler != fn)
		tp_fail("%s: handler of signal %d changed", when, sig);
	if ((sa.sa_flags & flags) != flags)
		tp_fail("%s: sa_flags of signal %d are %#x, expected %#x set",
			when, sig, sa.sa_flags, flags);
}

static void check_state(const sigset_t *mask0, const char *when)
{
	sigset_t cur, pend;
	stack_t ss;

	if (sigprocmask(SIG_BLOCK, NULL, &cur) != 0)
		tp_fail("sigprocmask: %s", strerror(errno));
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&cur, s) != sigismember(mask0, s))
			tp_fail("%s: signal %d is %s in the mask", when, s,
				sigismember(&cur, s) ? "now blocked"
						     : "no longer blocked");
	if (sigpending(&pend) != 0)
		tp_fail("sigpending: %s", strerror(errno));
	if (!sigismember(&pend, SIGUSR1))
		tp_fail("%s: blocked SIGUSR1 is no longer pending", when);
	if (usr1_count)
		tp_fail("%s: blocked SIGUSR1 was delivered", when);
	if (sigaltstack(NULL, &ss) != 0)
		tp_fail("sigaltstack query: %s", strerror(errno));
	if (ss.ss_sp != altstack || ss.ss_size != ALTSTACK_SIZE ||
	    (ss.ss_flags & SS_DISABLE))
		tp_fail("%s: sigaltstack is %p/%zu/%#x, expected %p/%d", when,
			ss.ss_sp, ss.ss_size, ss.ss_flags, (void *)altstack,
			ALTSTACK_SIZE);
	check_handler(SIGALRM, on_alrm, SA_RESTART, when);
	check_handler(SIGRTMIN + 1, on_rt, SA_ONSTACK | SA_RESTART, when);
	check_handler(SIGUSR1, on_usr1, SA_ONSTACK, when);
	if (rt_not_on_stack)
		tp_fail("%s: SIGRTMIN+1 handler ran off the altstack %d times",
			when, (int)rt_not_on_stack);
}

/* Waits (bounded) until *counter grows by at least n. */
static int wait_count(volatile sig_atomic_t *counter, int n, double secs)
{
	int start = *counter;
	double t0 = tp_now();

	while (*counter - start < n) {
		if (tp_now() - t0 > secs)
			return 0;
		tp_sleep_ms(5);
	}
	return 1;
}

int main(void)
{
	struct itimerval itv = { { 0, 10000 }, { 0, 10000 } }, cur;
	sigset_t block, mask0;
	stack_t ss;
	unsigned left;
	int rt_before;

	tp_init("signals_timers");
	altstack = malloc(ALTSTACK_SIZE);
	if (!altstack)
		tp_fail("malloc altstack");
	ss.ss_sp = altstack;
	ss.ss_size = ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0)
		tp_fail("sigaltstack: %s", strerror(errno));
	install(SIGALRM, on_alrm, SA_RESTART);
	install(SIGRTMIN + 1, on_rt, SA_ONSTACK | SA_RESTART);
	install(SIGUSR1, on_usr1, SA_ONSTACK);

	/* a distinctive mask: SIGUSR1 (pending), SIGWINCH, SIGRTMIN+3 */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGRTMIN + 3);
	if (sigprocmask(SIG_BLOCK, &block, NULL) != 0)
		tp_fail("sigprocmask: %s", strerror(errno));
	if (raise(SIGUSR1) != 0)
		tp_fail("raise(SIGUSR1): %s", strerror(errno));
	sigprocmask(SIG_BLOCK, NULL, &mask0);

	if (setitimer(ITIMER_REAL, &itv, NULL) != 0)
		tp_fail("setitimer: %s", strerror(errno));
	if (!wait_count(&alrm_count, 5, 10))
		tp_fail("ITIMER_REAL: SIGALRM not arriving before checkpoint");
	raise(SIGRTMIN + 1);
	if (rt_count != 1)
		tp_fail("SIGRTMIN+1 not delivered before checkpoint");
	check_state(&mask0, "start");
	tp_ready();

	while (!tp_should_stop()) {
		rt_before = rt_count;
		raise(SIGRTMIN + 1);
		if (rt_count != rt_before + 1)
			tp_fail("raise(SIGRTMIN+1) not delivered (%d -> %d)",
				rt_before, (int)rt_count);
		check_state(&mask0, "loop");
		tp_sleep_ms(10);
	}

	check_state(&mask0, "final");
	if (getitimer(ITIMER_REAL, &cur) != 0)
		tp_fail("getitimer: %s", strerror(errno));
	if (cur.it_interval.tv_sec != 0 || cur.it_interval.tv_usec != 10000)
		tp_fail("ITIMER_REAL interval is %ld.%06ld s, expected 0.010",
			(long)cur.it_interval.tv_sec,
			(long)cur.it_interval.tv_usec);
	if (!wait_count(&alrm_count, 10, 10))
		tp_fail("ITIMER_REAL: SIGALRM no longer arriving (count %d)",
			(int)alrm_count);

	/* the pending SIGUSR1 is delivered, on the altstack, when unblocked */
	{
		sigset_t u;

		sigemptyset(&u);
		sigaddset(&u, SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &u, NULL);
		if (usr1_count != 1)
			tp_fail("pending SIGUSR1 delivered %d times on unblock",
				(int)usr1_count);
		if (usr1_not_on_stack)
			tp_fail("SIGUSR1 handler did not run on the altstack");
	}

	/* alarm() replaces the interval timer */
	left = alarm(5);
	if (left > 1)
		tp_fail("alarm(5) returned %u, expected 0 or 1 (10 ms left)",
			left);
	getitimer(ITIMER_REAL, &cur);
	if (cur.it_interval.tv_sec || cur.it_interval.tv_usec ||
	    cur.it_value.tv_sec < 3 || cur.it_value.tv_sec > 5)
		tp_fail("after alarm(5) ITIMER_REAL is %ld.%06ld/%ld.%06ld",
			(long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec,
			(long)cur.it_interval.tv_sec,
			(long)cur.it_interval.tv_usec);
	left = alarm(0);
	if (left < 4 || left > 5)
		tp_fail("alarm(0) returned %u, expected 4..5", left);
	alarm(1);
	if (!wait_count(&alrm_count, 1, 5))
		tp_fail("alarm(1): SIGALRM not delivered");
	tp_pass();
}
