/*
 * threads/threads.h - freezing and restoring the application's threads:
 * the thread table, the checkpoint signal's handler, the restore entry
 * that runs before TLS exists (threads/restore.c), and critical
 * sections (threads/crit.c).  Rule: threads/ uses only base/; what a
 * resumed thread must tell the layers above goes through the hook
 * dmtcp_thread_resume_hook, which they set.
 */
#ifndef DMTCP_PRELOAD_THREADS_H
#define DMTCP_PRELOAD_THREADS_H

#include "base/state.h"

/* Callee-saved context, see ctx.S (offsets used there). */
struct dmtcp_ctx {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
	uint32_t mxcsr;
	uint16_t fpucw;
	uint16_t pad;
};

int dmtcp_ctx_save(struct dmtcp_ctx *c) HIDDEN
	__attribute__((returns_twice));
void dmtcp_ctx_restore(struct dmtcp_ctx *c, int v) HIDDEN
	__attribute__((noreturn));
struct clone_args;
long dmtcp_clone3(struct clone_args *a, unsigned long size,
		  void (*fn)(void *), void *arg) HIDDEN;

/* Thread slot states */
enum {
	THR_FREE = 0,
	THR_SIGNALED,		/* checkpoint signal sent */
	THR_SUSPENDED,		/* parked in the handler, state saved */
	THR_RESTORED,		/* restart: recreated and parked */
};

struct dmtcp_thread {
	volatile int state;
	int tid;
	int is_ckpt;		/* the checkpoint thread itself */
	int gone;
	struct img_thread info;	/* what goes into the image */
	struct dmtcp_ctx ctx;	/* where the thread resumes at restart */
	uint64_t fs_base;
	stack_t altstack;
	uint64_t clear_tid;
	uint64_t robust_head, robust_len;
	uint64_t sigpending;
	char name[16];
};

/* Process-wide state captured at checkpoint, restored at restart. */
extern struct dmtcp_thread dmtcp_threads[DMTCP_MAX_THREADS] HIDDEN;
extern volatile int dmtcp_resume_gen HIDDEN;	/* futex: parked threads */
extern volatile int dmtcp_nsuspended HIDDEN;	/* futex: ckpt thread */
extern volatile int dmtcp_nrestored HIDDEN;	/* futex: ckpt thread */

/* Per-thread flags for the wrappers of interruptible calls. */
extern __thread int dmtcp_tl_interrupted HIDDEN;
extern __thread uint64_t dmtcp_tl_suspend_ns HIDDEN;

/* set by the checkpoint sequence: called by each application thread as
   it leaves a checkpoint (restarted: 1 after a restart), or NULL */
extern void (*dmtcp_thread_resume_hook)(int restarted) HIDDEN;

/* threads.c */
void dmtcp_save_regs(struct img_thread *it, const void *uc) HIDDEN;
void dmtcp_install_ckpt_handler(void) HIDDEN;
int dmtcp_suspend_threads(void) HIDDEN;
int dmtcp_suspend_threads_for(int max_ms) HIDDEN;
/* dmtcp_suspend_threads() failed with EBUSY: this thread is stopped by
   a tracer (a debugger holds it) that has this pid */
extern int dmtcp_suspend_traced_tid HIDDEN, dmtcp_suspend_tracer HIDDEN;
void dmtcp_resume_threads(void) HIDDEN;
struct dmtcp_thread *dmtcp_thread_slot(int tid) HIDDEN;
void dmtcp_thread_restore_self(struct dmtcp_thread *t) HIDDEN;
int dmtcp_count_threads(void) HIDDEN;

/* restore.c */
void dmtcp_restore_entry(struct rst_handoff *h) HIDDEN;
void dmtcp_drop_caps(void) HIDDEN;

/* crit.c: no checkpoint while a section is open (dmtcp_disable_ckpt) */
int dmtcp_crit_enter(void) HIDDEN;
int dmtcp_crit_leave(void) HIDDEN;
void dmtcp_crit_ckpt_begin(void) HIDDEN;	/* waits for open sections */
void dmtcp_crit_ckpt_end(void) HIDDEN;
void dmtcp_crit_atfork_child(void) HIDDEN;

#endif /* DMTCP_PRELOAD_THREADS_H */
