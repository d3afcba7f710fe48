/*
 * threads/threads.c - freezing and thawing the application's threads.
 *
 * The checkpoint thread sends the checkpoint signal to every other thread
 * (found in /proc/self/task).  Each thread's handler records its
 * registers and per-thread kernel state into its slot, saves a resume
 * context, reports SUSPENDED and parks on a futex.  After a checkpoint
 * the futex is bumped and the handler returns; after a restart the
 * thread is recreated by restore.c, comes back out of dmtcp_ctx_save()
 * with 1, restores its per-thread kernel state and parks again until the
 * checkpoint thread releases everyone.  Returning from the handler then
 * lets the kernel's sigreturn restore every register, including the
 * FPU/SSE/AVX state, from the signal frame on the thread's stack.
 */
#include "config.h"
#include "threads/threads.h"
#include "util.h"
#include "log.h"
#include "base/sys.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <linux/capability.h>
#include <linux/rseq.h>

#ifndef PR_GET_TID_ADDRESS
#define PR_GET_TID_ADDRESS 40
#endif
#define RSEQ_SIG_X86 0x53053053

/* glibc >= 2.35 exports where it put each thread's rseq area. */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

void (*dmtcp_thread_resume_hook)(int restarted);
struct dmtcp_thread dmtcp_threads[DMTCP_MAX_THREADS];
volatile int dmtcp_resume_gen;
volatile int dmtcp_nsuspended;
volatile int dmtcp_nrestored;
__thread int dmtcp_tl_interrupted;
__thread uint64_t dmtcp_tl_suspend_ns;

struct cap_hdr {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

static struct cap_data thread_caps[DMTCP_MAX_THREADS][2];

struct dmtcp_thread *dmtcp_thread_slot(int tid)
{
	for (int i = 0; i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE &&
		    dmtcp_threads[i].tid == tid)
			return &dmtcp_threads[i];
	return NULL;
}

static struct dmtcp_thread *slot_alloc(int tid)
{
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		struct dmtcp_thread *t = &dmtcp_threads[i];

		if (t->state == THR_FREE) {
			memset(t, 0, sizeof(*t));
			t->tid = tid;
			return t;
		}
	}
	return NULL;
}

int dmtcp_count_threads(void)
{
	int n = 0;

	for (int i = 0; i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE)
			n++;
	return n;
}

void dmtcp_save_regs(struct img_thread *it, const void *vuc)
{
	const ucontext_t *uc = vuc;
	const greg_t *g = uc->uc_mcontext.gregs;
	struct img_regs *r = &it->regs;

	r->r15 = g[REG_R15];
	r->r14 = g[REG_R14];
	r->r13 = g[REG_R13];
	r->r12 = g[REG_R12];
	r->rbp = g[REG_RBP];
	r->rbx = g[REG_RBX];
	r->r11 = g[REG_R11];
	r->r10 = g[REG_R10];
	r->r9 = g[REG_R9];
	r->r8 = g[REG_R8];
	r->rax = g[REG_RAX];
	r->rcx = g[REG_RCX];
	r->rdx = g[REG_RDX];
	r->rsi = g[REG_RSI];
	r->rdi = g[REG_RDI];
	r->orig_rax = (uint64_t)-1;
	r->rip = g[REG_RIP];
	r->eflags = g[REG_EFL];
	r->rsp = g[REG_RSP];
	r->cs = g[REG_CSGSFS] & 0xffff;
	r->ss = 0x2b;
	if (uc->uc_mcontext.fpregs)
		memcpy(it->fpregs, uc->uc_mcontext.fpregs,
		       sizeof(it->fpregs));
	memcpy(&it->sigmask, &uc->uc_sigmask, sizeof(it->sigmask));
}

/* Per-thread kernel state, read by the thread itself. */
static void save_thread_state(struct dmtcp_thread *t)
{
	uint64_t fs = 0, gs = 0;
	long head = 0, len = 0;
	struct cap_hdr ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
	int idx = t - dmtcp_threads;

	rsys2(SYS_arch_prctl, ARCH_GET_FS, (long)&fs);
	rsys2(SYS_arch_prctl, ARCH_GET_GS, (long)&gs);
	t->fs_base = fs;
	t->info.regs.fs_base = fs;
	t->info.regs.gs_base = gs;
	rsys2(SYS_sigaltstack, 0, (long)&t->altstack);
	rsys2(SYS_prctl, PR_GET_TID_ADDRESS, (long)&t->clear_tid);
	rsys3(SYS_get_robust_list, 0, (long)&head, (long)&len);
	t->robust_head = head;
	t->robust_len = len;
	rsys2(SYS_prctl, PR_GET_NAME, (long)t->name);
	rsys2(SYS_capget, (long)&ch, (long)thread_caps[idx]);

	t->info.tid = t->tid;
	t->info.state = t->is_ckpt ? IMG_THREAD_CKPT : IMG_THREAD_USER;
	memcpy(t->info.name, t->name, sizeof(t->info.name));
	t->info.altstack_sp = (uint64_t)t->altstack.ss_sp;
	t->info.altstack_size = t->altstack.ss_size;
	t->info.altstack_flags = t->altstack.ss_flags;
	t->info.clear_tid = t->clear_tid;
	t->info.robust_list = t->robust_head;
	t->info.robust_len = t->robust_len;
	if (&__rseq_size && &__rseq_offset && __rseq_size) {
		t->info.rseq_addr = fs + __rseq_offset;
		t->info.rseq_len = __rseq_size;
		t->info.rseq_sig = RSEQ_SIG_X86;
	}
}

void dmtcp_drop_caps(void)
{
	/* only the thread's own slot knows what it had; default: none */
	struct cap_hdr ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct cap_data none[2];

	memset(none, 0, sizeof(none));
	rsys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	rsys2(SYS_capset, (long)&ch, (long)none);
}

/* Restart: put back what the kernel keeps per thread. */
void dmtcp_thread_restore_self(struct dmtcp_thread *t)
{
	struct cap_hdr ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
	int idx = t - dmtcp_threads;

	if (t->clear_tid)
		rsys1(SYS_set_tid_address, (long)t->clear_tid);
	if (t->robust_head)
		rsys2(SYS_set_robust_list, (long)t->robust_head,
		      (long)t->robust_len);
	if (!(t->altstack.ss_flags & SS_DISABLE)) {
		stack_t ss = t->altstack;

		ss.ss_flags &= ~SS_ONSTACK;
		rsys2(SYS_sigaltstack, (long)&ss, 0);
	}
	if (t->info.rseq_addr)
		rsys4(SYS_rseq, (long)t->info.rseq_addr, t->info.rseq_len, 0,
		      t->info.rseq_sig);
	rsys2(SYS_prctl, PR_SET_NAME, (long)t->name);
	/* drop what the restart namespace gave us; keep what we had */
	rsys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (dmtcp_handoff.flags & RST_F_DROP_CAPS)
		rsys2(SYS_capset, (long)&ch, (long)thread_caps[idx]);
}


/*
 * A debugger asked for a checkpoint of the state it shows
 * (dmtcp_debug_info.hold, `dmtcp checkpoint` in gdb) and queued the
 * checkpoint signal to this thread before letting it run: park here,
 * before any instruction of the program runs, until the checkpoint
 * signals this thread (bounded: 60 s, or until hold is cleared).
 */
static struct dmtcp_thread *hold_for_checkpoint(int tid)
{
	struct timespec ts = { 0, 1000 * 1000 };

	for (int i = 0; i < 60000; i++) {
		struct dmtcp_thread *t = dmtcp_thread_slot(tid);

		if (t && __atomic_load_n(&t->state, __ATOMIC_SEQ_CST) ==
		    THR_SIGNALED)
			return t;
		if (!__atomic_load_n(&dmtcp_debug_info.hold, __ATOMIC_SEQ_CST))
			break;
		rsys2(SYS_nanosleep, (long)&ts, 0);
	}
	return NULL;
}

/* This thread's slot, if a checkpoint signalled it (or will: hold). */
/*
 * hold == 2 (DMTCP_HOLD_KEEP): the debugger wants the threads to stay
 * where the checkpoint found them until it has stopped the process
 * again and cleared hold, so that what it shows after `dmtcp
 * checkpoint` is still the image's state (bounded: 60 s).
 */
static void hold_after_checkpoint(void)
{
	struct timespec ts = { 0, 1000 * 1000 };

	for (int i = 0; i < 60000 &&
	     __atomic_load_n(&dmtcp_debug_info.hold, __ATOMIC_SEQ_CST) ==
	     DMTCP_HOLD_KEEP; i++)
		rsys2(SYS_nanosleep, (long)&ts, 0);
}

static __attribute__((noinline)) struct dmtcp_thread *handler_slot(int tid)
{
	struct dmtcp_thread *t = dmtcp_thread_slot(tid);

	if ((!t || t->state != THR_SIGNALED) && tid != dmtcp_ckpt_tid &&
	    __atomic_load_n(&dmtcp_debug_info.hold, __ATOMIC_SEQ_CST))
		t = hold_for_checkpoint(tid);
	return t;
}

static void ckpt_handler(int sig, siginfo_t *si, void *vuc)
{
	int saved_errno = errno;
	int tid = rsys_gettid();
	struct dmtcp_thread *t = handler_slot(tid);
	int gen = dmtcp_resume_gen;
	volatile int restarted = 0;

	(void)sig;
	(void)si;
	if (!t || t->state != THR_SIGNALED) {
		errno = saved_errno;	/* stray signal: ignore */
		return;
	}
	dmtcp_save_regs(&t->info, vuc);
	if (tid == dmtcp_crash_tid) {
		/* interrupted inside the crash handler: show the fault */
		t->info.regs = dmtcp_crash_regs.regs;
		memcpy(t->info.fpregs, dmtcp_crash_regs.fpregs,
		       sizeof(t->info.fpregs));
	}
	save_thread_state(t);
	dmtcp_tl_suspend_ns = dmtcp_now_mono_ns();
	dmtcp_tl_interrupted = 1;
	if (dmtcp_ctx_save(&t->ctx) == 0) {
		__atomic_store_n(&t->state, THR_SUSPENDED, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&dmtcp_nsuspended, 1, __ATOMIC_SEQ_CST);
		futex_wake(&dmtcp_nsuspended);
	} else {
		/* restarted: fresh kernel thread, old memory */
		dmtcp_thread_restore_self(t);
		restarted = 1;
		__atomic_store_n(&t->state, THR_RESTORED, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&dmtcp_nrestored, 1, __ATOMIC_SEQ_CST);
		futex_wake(&dmtcp_nrestored);
	}
	while (__atomic_load_n(&dmtcp_resume_gen, __ATOMIC_SEQ_CST) == gen)
		futex_wait(&dmtcp_resume_gen, gen);
	if (!restarted)
		hold_after_checkpoint();
	if (dmtcp_thread_resume_hook)
		dmtcp_thread_resume_hook(restarted);
	errno = saved_errno;
}

void dmtcp_install_ckpt_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ckpt_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	REAL(sigaction)(dmtcp_cfg.ckpt_signal, &sa, NULL);
}

struct signal_walk {
	int pid;
	int found;
};

static int signal_one(int tid, int dirfd, void *arg)
{
	struct signal_walk *w = arg;
	struct dmtcp_thread *t;

	(void)dirfd;
	if (tid <= 0 || tid == dmtcp_ckpt_tid || dmtcp_thread_slot(tid))
		return 0;
	t = slot_alloc(tid);
	if (!t) {
		pr_err("more than %d threads: cannot checkpoint",
		       DMTCP_MAX_THREADS);
		return -EMFILE;
	}
	__atomic_store_n(&t->state, THR_SIGNALED, __ATOMIC_SEQ_CST);
	if (rsys3(SYS_tgkill, w->pid, tid, dmtcp_cfg.ckpt_signal) < 0)
		t->state = THR_FREE;	/* already gone */
	else
		w->found++;
	return 0;
}

/* Signal every thread not yet signalled; returns how many were new. */
static int signal_new_threads(int *err)
{
	struct signal_walk w = { rsys_getpid(), 0 };

	if (dmtcp_each_number("/proc/self/task", signal_one, &w) < 0) {
		*err = errno;
		return -1;
	}
	return w.found;
}

/* Is the thread stopped by a tracer (a debugger holds it)?  Its
   TracerPid, or 0. */
static int thread_traced_stop(int tid)
{
	struct util_proc_status st;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (util_proc_status(AT_FDCWD, path, &st) < 0 ||
	    (st.state != 't' && st.state != 'T'))
		return 0;
	return st.tracer;
}

int dmtcp_suspend_traced_tid, dmtcp_suspend_tracer;

/* Giving up: a thread signalled but not yet in the handler takes the
   signal later as a stray one (instead of parking for the next
   checkpoint's resume). */
static void unsignal_pending(void)
{
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		int s = THR_SIGNALED;

		__atomic_compare_exchange_n(&dmtcp_threads[i].state, &s,
					    THR_FREE, 0, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	}
}

/* Is the thread gone or a zombie (exited group leader)? */
static int thread_gone(int tid)
{
	struct util_proc_status st;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	return util_proc_status(AT_FDCWD, path, &st) < 0 ||
	       st.state == 'Z' || st.state == 'X';
}

int dmtcp_suspend_threads(void)
{
	return dmtcp_suspend_threads_for(-1);
}

/* max_ms >= 0: give up waiting for stragglers after that long (-1 then). */
int dmtcp_suspend_threads_for(int max_ms)
{
	int err = 0;
	int waited_ms = 0;

	/* only the slots in use: writing every slot would make all 2 MiB
	   of the table dirty at each checkpoint (incremental images) */
	for (int i = 0; i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE)
			dmtcp_threads[i].state = THR_FREE;
	dmtcp_nsuspended = 0;
	for (;;) {
		int n = signal_new_threads(&err);
		int pending = 0;

		if (n < 0) {
			errno = err;
			return -1;
		}
		for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
			struct dmtcp_thread *t = &dmtcp_threads[i];

			if (t->state != THR_SIGNALED)
				continue;
			if (waited_ms >= 200 && thread_gone(t->tid)) {
				t->state = THR_FREE;
				continue;
			}
			/* held by a debugger: it cannot answer until the
			   debugger lets it run; say so instead of waiting */
			if (max_ms < 0 && waited_ms >= 2000 &&
			    waited_ms % 500 == 0) {
				int tr = thread_traced_stop(t->tid);

				if (tr) {
					dmtcp_suspend_traced_tid = t->tid;
					dmtcp_suspend_tracer = tr;
					unsignal_pending();
					errno = EBUSY;
					return -1;
				}
			}
			pending++;
		}
		if (pending == 0 && n == 0)
			break;
		if (max_ms >= 0 && waited_ms >= max_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (pending) {
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			int cur = dmtcp_nsuspended;

			rsys4(SYS_futex, (long)&dmtcp_nsuspended,
			      FUTEX_WAIT_PRIV, cur, (long)&ts);
			waited_ms += 2;
			if (waited_ms % 10000 == 0)
				pr_warn("still waiting for %d thread(s) to "
					"reach the checkpoint (signal %d "
					"blocked?)", pending,
					dmtcp_cfg.ckpt_signal);
		}
	}
	/* the checkpoint thread has a slot too: its context is the image's */
	struct dmtcp_thread *self = slot_alloc(dmtcp_ckpt_tid);

	if (!self) {
		errno = EMFILE;
		return -1;
	}
	self->is_ckpt = 1;
	self->state = THR_SUSPENDED;
	save_thread_state(self);
	return 0;
}

void dmtcp_resume_threads(void)
{
	struct dmtcp_thread *self = dmtcp_thread_slot(dmtcp_ckpt_tid);

	if (self)
		self->state = THR_FREE;
	__atomic_add_fetch(&dmtcp_resume_gen, 1, __ATOMIC_SEQ_CST);
	futex_wake(&dmtcp_resume_gen);
}
