/*
 * threads/restore.c - first code of a restarted process that runs inside the
 * restored library.  mtcp_restart has mapped the whole image back and
 * jumps here on dmtcp_restore_stack with TLS not yet set up, so this
 * file is built without the stack protector and uses raw system calls
 * only (errno lives in TLS) until the main thread's fs base is back.
 *
 * It recreates every thread of the image with clone3 (same tid when the
 * restart runs in its own pid namespace), each resuming from the
 * context it saved in its checkpoint signal handler, then becomes the
 * main thread the same way.
 */
#include "config.h"
#include "threads/threads.h"
#include "base/sys.h"

#include <linux/sched.h>
#include <asm/prctl.h>
#include <sys/mman.h>

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

static void rst_copy(void *dst, const void *src, unsigned long n)
{
	volatile char *d = dst;
	const char *s = src;

	while (n--)
		*d++ = *s++;
}

static void rst_say(const char *msg)
{
	unsigned long n = 0;

	while (msg[n])
		n++;
	rsys3(SYS_write, 2, (long)msg, n);
}

static void rst_die(const char *msg, long err)
{
	char num[24];
	int i = sizeof(num) - 1;
	unsigned long v = err < 0 ? -err : err;

	num[i] = 0;
	do {
		num[--i] = '0' + v % 10;
		v /= 10;
	} while (v && i > 0);
	rst_say("dmtcp_restart: ");
	rst_say(msg);
	rst_say(" (errno ");
	rst_say(num + i);
	rst_say(")\n");
	rsys1(SYS_exit_group, 99);
	for (;;)
		;
}

static void thread_start(void *arg)
{
	struct dmtcp_thread *t = arg;

	dmtcp_ctx_restore(&t->ctx, 1);
}

static void recreate(struct dmtcp_thread *t)
{
	struct clone_args ca;
	int tid = t->tid;
	uint64_t top = (t->ctx.rsp - 512) & ~15ull;
	long r;

	rst_copy(&ca, &(struct clone_args){ 0 }, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		   CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
		   CLONE_CHILD_CLEARTID;
	ca.child_tid = t->clear_tid;
	ca.tls = t->fs_base;
	ca.stack = top - 1024;
	ca.stack_size = 1024;
	if (dmtcp_handoff.flags & RST_F_PIDNS) {
		ca.set_tid = (uint64_t)&tid;
		ca.set_tid_size = 1;
	}
	r = dmtcp_clone3(&ca, sizeof(ca), thread_start, t);
	if (r < 0)
		rst_die("cannot recreate a thread with its old id", r);
}

__attribute__((optimize("no-stack-protector")))
void dmtcp_restore_entry(struct rst_handoff *h)
{
	struct dmtcp_thread *main_thr = 0;
	int pid = rsys_getpid();

	if (h->magic != RST_HANDOFF_MAGIC)
		rst_die("bad hand-off from mtcp_restart", 0);
	rst_copy(&dmtcp_handoff, h, sizeof(dmtcp_handoff));

	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		struct dmtcp_thread *t = &dmtcp_threads[i];

		if (t->state != THR_FREE && t->tid == pid && !t->is_ckpt)
			main_thr = t;
	}
	/* TLS of the main thread (or of any thread: errno must work) */
	for (int i = 0; !main_thr && i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE)
			rsys2(SYS_arch_prctl, ARCH_SET_FS,
			      dmtcp_threads[i].fs_base);
	if (main_thr)
		rsys2(SYS_arch_prctl, ARCH_SET_FS, main_thr->fs_base);

	/* mtcp_restart is done: give its range back to the reservation */
	rsys2(SYS_munmap, DMTCP_RESERVE_ADDR, DMTCP_RESERVE_LEN);
	rsys6(SYS_mmap, DMTCP_RESERVE_ADDR, DMTCP_RESERVE_LEN, PROT_NONE,
	      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);

	/* now that mtcp_restart is gone, /proc/self/exe can be restored */
	if (dmtcp_handoff.exe[0] && dmtcp_handoff.mm_map[0]) {
		long fd = rsys2(SYS_open, (long)dmtcp_handoff.exe, 0);

		if (fd >= 0) {
			uint32_t *exe_fd = (uint32_t *)&dmtcp_handoff.mm_map[12]
					   + 1;

			*exe_fd = (uint32_t)fd;
			rsys5(SYS_prctl, 35 /* PR_SET_MM */, 14 /* MM_MAP */,
			      (long)dmtcp_handoff.mm_map,
			      sizeof(dmtcp_handoff.mm_map), 0);
			rsys1(SYS_close, fd);
		}
	}
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		struct dmtcp_thread *t = &dmtcp_threads[i];

		if (t->state != THR_FREE && t != main_thr)
			recreate(t);
	}
	if (main_thr)
		dmtcp_ctx_restore(&main_thr->ctx, 1);
	/* the main thread had exited before the checkpoint */
	rsys1(SYS_exit, 0);
	for (;;)
		;
}
