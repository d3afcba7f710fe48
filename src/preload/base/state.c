/*
 * base/state.c - the process's state that every layer reads: the
 * configuration, what the checkpoint captured (fds, signal state, ...),
 * the restart's handoff, the checkpoint counters and the crash record.
 * It lives in the library's data, so the image saves it and a restart
 * brings it back with the rest of memory.  Also the clocks.
 */
#include "config.h"
#include "base/state.h"

#include <time.h>

struct dmtcp_config dmtcp_cfg;
struct dmtcp_procstate dmtcp_ps;
struct rst_handoff dmtcp_handoff;
int dmtcp_enabled;
int dmtcp_restarting;
char dmtcp_restore_stack[256 * 1024] __attribute__((aligned(64)));
const unsigned long dmtcp_restore_stack_size = sizeof(dmtcp_restore_stack);

int dmtcp_ckpt_tid;
volatile int dmtcp_ckpt_in_progress;
uint32_t dmtcp_generation;
int dmtcp_num_ckpts, dmtcp_num_restarts;
uint64_t dmtcp_last_ckpt_usec;

volatile int dmtcp_crash_tid;
int dmtcp_crash_sig;
struct img_thread dmtcp_crash_regs;	/* regs + fpregs at the fault */
siginfo_t dmtcp_crash_siginfo;
struct img_snap dmtcp_snap;
struct dmtcp_debug_info dmtcp_debug_info = {
	.version = DMTCP_DEBUG_INFO_VERSION,
};
int dmtcp_crash_enabled;

uint64_t dmtcp_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t dmtcp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
