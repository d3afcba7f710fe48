/*
 * ckpt/crash.c - dmtcp_launch --ckpt-on-crash: when a thread is about to kill
 * the process with SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT, write an
 * image first (ckpt_<prog>_<id>_crash.dmtcp), then let the signal do
 * what it would have done.
 *
 * The crashing thread records its registers at the fault, wakes the
 * checkpoint thread for a local checkpoint (no coordinator round) and
 * waits for it; the image then holds that thread's registers at the
 * faulting instruction.  A restart of the crash image resumes that
 * thread in this handler, which puts the default action back and
 * returns: the instruction faults again, so under `dmtcp_restart --gdb`
 * the debugger stops exactly at the crash.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "image/image.h"
#include "fd/fd.h"
#include "log.h"
#include "base/sys.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };


struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static void default_action(int sig)
{
	struct ksigaction k;

	memset(&k, 0, sizeof(k));
	k.handler = SIG_DFL;
	rsys4(SYS_rt_sigaction, sig, (long)&k, 0, 8);
}

/* Wait (bounded: 60 s) until the checkpoint cycle in progress is done. */
static void wait_done(int seq)
{
	for (int i = 0; i < 600 && dmtcp_ckpt_done_seq == seq; i++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		rsys4(SYS_futex, (long)&dmtcp_ckpt_done_seq, FUTEX_WAIT_PRIV,
		      seq, (long)&ts);
	}
}

static void crash_handler(int sig, siginfo_t *si, void *vuc)
{
	int tid = rsys_gettid();
	int seq = dmtcp_ckpt_done_seq;

	if (__sync_bool_compare_and_swap(&dmtcp_crash_tid, 0, tid)) {
		dmtcp_save_regs(&dmtcp_crash_regs, vuc);
		dmtcp_crash_sig = sig;
		dmtcp_crash_siginfo = *si;
		if (dmtcp_enabled && dmtcp_request_local_ckpt() == 0)
			wait_done(seq);
	} else if (dmtcp_crash_tid != tid) {
		wait_done(seq);		/* another thread is saving the crash */
	}
	default_action(sig);
	/* a fault repeats when we return; a sent signal must be resent */
	if (si->si_code <= 0 || sig == SIGABRT)
		rsys3(SYS_tgkill, rsys_getpid(), tid, sig);
}

void dmtcp_install_crash_handlers(void)
{
	const char *v = getenv("DMTCP_CKPT_ON_CRASH");
	struct sigaction sa;

	if (!v || atoi(v) <= 0)
		return;
	dmtcp_crash_enabled = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
		REAL(sigaction)(crash_sigs[i], &sa, NULL);
}
