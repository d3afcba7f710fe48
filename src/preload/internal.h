/*
 * internal.h - state shared by the files of the preload library
 * (libdmtcp.so): configuration, the thread table, the checkpoint thread
 * and the restore path.  Nothing here is visible outside the library.
 */
#ifndef DMTCP_PRELOAD_INTERNAL_H
#define DMTCP_PRELOAD_INTERNAL_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>

#include "dmtcp/image.h"
#include "dmtcp/restore.h"

#define HIDDEN __attribute__((visibility("hidden")))

#define DMTCP_MAX_THREADS	2048
#define DMTCP_PROTECTED_FD_BASE	820	/* our fds live at or above this */
#define DMTCP_MAX_FDS		1024

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
struct dmtcp_procstate {
	struct sigaction act[65];	/* kernel sigactions, raw */
	int have_act[65];
	struct itimerval itimer[3];
	struct rlimit rlim[RLIM_NLIMITS];
	mode_t umask;
	char cwd[PATH_MAX];
	uint64_t shared_pending;
	int nfds;
	struct dmtcp_fdrec {
		struct img_fd rec;
		char path[PATH_MAX];
		int internal_pipe;	/* both ends are in this process */
		int pipe_leader;	/* this process saved its data */
		int old_owner;		/* F_GETOWN before the election */
		int dup_of;		/* index of an earlier fd sharing the
					   open file description, or -1 */
		int pipe_size;		/* F_GETPIPE_SZ */
		uint64_t data_off, data_len; /* drained bytes in pipe_data */
		struct fd_extra {	/* fd-kinds.c: sockets, eventfd, epoll */
			int subkind;	/* FDX_* */
			int domain, type, protocol, listening;
			uint32_t addrlen;
			uint8_t addr[128];	/* sockaddr_storage */
			uint8_t peer[128];	/* getpeername (fd-sockets.c) */
			uint64_t count;		/* eventfd counter */
			uint32_t nwatch;	/* epoll: entries in pipe_data */
		} x;
	} *fds;			/* mmap'd, DMTCP_MAX_FDS entries */
	char *pipe_data;	/* mmap'd, saved with the image */
	uint64_t pipe_data_len;
};

struct dmtcp_config {
	char coord_host[256];
	int coord_port;
	char secret[64];
	char ckpt_dir[PATH_MAX];	/* worker's own default */
	int ckpt_dir_explicit;		/* chosen by the user: beats the
					   coordinator's --ckptdir */
	char coord_ckpt_dir[PATH_MAX];	/* from the coordinator, if any */
	char tmpdir[PATH_MAX];
	int gzip;
	int skip_file_pages;	/* DMTCP_SKIP_FILE_PAGES: omit clean file pages */
	int ckpt_signal;
	char progname[64];
	char exe[PATH_MAX];
	char hostname[64];
	char unique_id[64];
	char comp_id[64];
	char image_path[PATH_MAX];	/* last image written */
	int unique_names;
};

/* Globals (init.c) */
extern struct dmtcp_config dmtcp_cfg HIDDEN;
extern struct dmtcp_procstate dmtcp_ps HIDDEN;
extern struct dmtcp_thread dmtcp_threads[DMTCP_MAX_THREADS] HIDDEN;
extern volatile int dmtcp_resume_gen HIDDEN;	/* futex: parked threads */
extern volatile int dmtcp_nsuspended HIDDEN;	/* futex: ckpt thread */
extern volatile int dmtcp_nrestored HIDDEN;	/* futex: ckpt thread */
extern volatile int dmtcp_ckpt_in_progress HIDDEN;
extern int dmtcp_enabled HIDDEN;
extern int dmtcp_ckpt_tid HIDDEN;
extern int dmtcp_coord_fd HIDDEN;
extern uint32_t dmtcp_generation HIDDEN;
extern int dmtcp_num_ckpts HIDDEN, dmtcp_num_restarts HIDDEN;
extern uint64_t dmtcp_last_ckpt_usec HIDDEN;
extern struct rst_handoff dmtcp_handoff HIDDEN;	/* restart: copy */
extern int dmtcp_restarting HIDDEN;
extern char dmtcp_restore_stack[] HIDDEN;
extern const unsigned long dmtcp_restore_stack_size HIDDEN;

/* Per-thread flags for the wrappers of interruptible calls. */
extern __thread int dmtcp_tl_interrupted HIDDEN;
extern __thread uint64_t dmtcp_tl_suspend_ns HIDDEN;

/* crash.c */
extern volatile int dmtcp_crash_tid HIDDEN;
extern int dmtcp_crash_sig HIDDEN;
extern struct img_thread dmtcp_crash_regs HIDDEN;
extern int dmtcp_crash_enabled HIDDEN;
void dmtcp_install_crash_handlers(void) HIDDEN;

/* threads.c */
struct ucontext_t;
void dmtcp_save_regs(struct img_thread *it, const void *uc) HIDDEN;
void dmtcp_install_ckpt_handler(void) HIDDEN;
int dmtcp_suspend_threads(void) HIDDEN;
int dmtcp_suspend_threads_for(int max_ms) HIDDEN;
void dmtcp_resume_threads(void) HIDDEN;
struct dmtcp_thread *dmtcp_thread_slot(int tid) HIDDEN;
void dmtcp_thread_restore_self(struct dmtcp_thread *t) HIDDEN;
int dmtcp_count_threads(void) HIDDEN;

/* procdir.c: fn(number, dirfd, arg) for each numeric entry of path;
   fn returns 0 to go on, > 0 to stop, -errno to fail (returned as -1) */
int dmtcp_each_number(const char *path, int (*fn)(int n, int dirfd, void *arg),
		      void *arg) HIDDEN;

/* init.c */
int dmtcp_coord_state_path(char *buf, size_t cap) HIDDEN;

/* ckpt-thread.c */
extern volatile int dmtcp_ckpt_done_seq HIDDEN;
int dmtcp_start_ckpt_thread(void) HIDDEN;
int dmtcp_request_local_ckpt(void) HIDDEN;
void dmtcp_ckpt_atfork_child(void) HIDDEN;

/* sentinel.c: a duplicate of the coordinator connection that survives an
   exec we did not see (see there) */
#define DMTCP_SENTINEL_FD	839
void dmtcp_sentinel_set(void) HIDDEN;
void dmtcp_sentinel_drop(void) HIDDEN;
void dmtcp_sentinel_forget(void) HIDDEN;
void dmtcp_sentinel_cloexec(int on) HIDDEN;
void dmtcp_sentinel_inherited(void) HIDDEN;
int dmtcp_coord_join(int restart) HIDDEN;
struct dmtcp_hello;
void dmtcp_fill_hello(struct dmtcp_hello *h, uint32_t flags) HIDDEN;
int dmtcp_coord_adopt(int fd) HIDDEN;
int dmtcp_crit_enter(void) HIDDEN;
int dmtcp_crit_leave(void) HIDDEN;

/* prejoin.c: a process about to be forked or exec'd joins first */
extern pid_t dmtcp_my_pid HIDDEN;	/* 0 before init; vfork children
					   see their parent's */
#define DMTCP_COORD_FD_ENV "DMTCP_COORD_FD"
int dmtcp_prejoin(void) HIDDEN;
void dmtcp_prejoin_end(int fd) HIDDEN;
void dmtcp_prejoin_forked(void) HIDDEN;
int dmtcp_prejoin_take_env(void) HIDDEN;

/* write-image.c */
int dmtcp_write_image(const char *dir, const char *suffix, char *path_out,
		      uint64_t *bytes, char *err, size_t errcap) HIDDEN;
/* The image name of this process in the current generation: 0, or -1
 * (too long).  suffix "" for a checkpoint, "_crash" for a crash image. */
int dmtcp_image_path(const char *dir, const char *suffix, char *path,
		     size_t cap) HIDDEN;
/* Delete an image and its side file (a checkpoint that did not commit). */
void dmtcp_image_discard(const char *path) HIDDEN;

/* procstate.c */
void dmtcp_capture_procstate(void) HIDDEN;
void dmtcp_restore_procstate(void) HIDDEN;
void dmtcp_raise_pending(void) HIDDEN;

/* fd-kinds.c: descriptors other than files and pipes */
struct dmtcp_fdrec;
void dmtcp_fdx_capture(struct dmtcp_fdrec *r) HIDDEN;
int dmtcp_fdx_restore(const struct dmtcp_fdrec *r) HIDDEN;	/* fd or -1 */
int dmtcp_fdx_late(const struct dmtcp_fdrec *r) HIDDEN;	/* epoll */

/* fds.c */
void dmtcp_capture_fds(void) HIDDEN;
void dmtcp_drain_fds(void) HIDDEN;
void dmtcp_drain_done(void) HIDDEN;
void dmtcp_restore_fds(void) HIDDEN;

/* restore.c */
void dmtcp_restore_entry(struct rst_handoff *h) HIDDEN;
void dmtcp_drop_caps(void) HIDDEN;

/* wrappers-signal.c: the real functions, bypassing our wrappers */
int dmtcp_real_sigaction(int sig, const struct sigaction *act,
			 struct sigaction *old) HIDDEN;
int dmtcp_real_sigprocmask(int how, const sigset_t *set,
			   sigset_t *old) HIDDEN;

uint64_t dmtcp_now_ns(void) HIDDEN;
uint64_t dmtcp_now_mono_ns(void) HIDDEN;

#endif /* DMTCP_PRELOAD_INTERNAL_H */
