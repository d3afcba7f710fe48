/*
 * base/state.h - the bottom layer of libdmtcp.so: the process's own
 * state (configuration, what a checkpoint captured, the restart's
 * handoff, counters), clocks, /proc walking and the real libc functions
 * (base/real.h).  Rule: base/ calls nothing else of the library; every
 * other folder may use it.  Nothing here is visible outside the library.
 */
#ifndef DMTCP_PRELOAD_BASE_STATE_H
#define DMTCP_PRELOAD_BASE_STATE_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>

#include "dmtcp/fds.h"
#include "dmtcp/image.h"
#include "dmtcp/restore.h"

#define HIDDEN __attribute__((visibility("hidden")))

#define DMTCP_MAX_THREADS	2048
#define DMTCP_MAX_FDS		1024	/* descriptors one process records */
/* kind data kept with the image (pipe and socket bytes, epoll and
   inotify lists, message queues): dmtcp_ps.pipe_data's size */
#define DMTCP_FD_DATA_MAX	(16u << 20)

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
		struct fd_extra {	/* the kinds' part (fd/kind.h) */
			int subkind;	/* FDX_* */
			int domain, type, protocol, listening;
			uint32_t addrlen;
			uint8_t addr[128];	/* sockaddr_storage */
			uint8_t peer[128];	/* getpeername (fd/socket.c) */
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
	int gzip_threads;	/* DMTCP_GZIP_THREADS: zlib workers, 0 = a
				   CPU each (img_writer_open_mt) */
	int skip_file_pages;	/* DMTCP_SKIP_FILE_PAGES: omit clean file pages */
	int forked;		/* DMTCP_FORKED_CHECKPOINT: a forked child
				   writes the image (default 1) */
	int incremental;	/* DMTCP_INCREMENTAL: delta images */
	int full_every;		/* DMTCP_FULL_EVERY: a full image every N
				   generations of a chain */
	int ckpt_signal;
	char progname[64];
	char exe[PATH_MAX];
	char hostname[64];
	char unique_id[64];
	char comp_id[64];
	char image_path[PATH_MAX];	/* last image written */
	int unique_names;
	/* dmtcp_launch --timeline (DMTCP_TIMELINE, DMTCP_TIMELINE_KEEP),
	   --interval-ms (DMTCP_INTERVAL_MS): asked of the coordinator */
	int timeline;
	uint32_t timeline_keep;
	uint32_t interval_ms;
	uint64_t start_usec;		/* DMTCP_START_USEC: the computation's
					   start (realtime, us) */
};

/* base/state.c: the state, saved with the image's memory */
extern struct dmtcp_config dmtcp_cfg HIDDEN;
extern struct dmtcp_procstate dmtcp_ps HIDDEN;
extern struct rst_handoff dmtcp_handoff HIDDEN;	/* restart: copy */
extern int dmtcp_enabled HIDDEN;
extern int dmtcp_restarting HIDDEN;
extern char dmtcp_restore_stack[] HIDDEN;
extern const unsigned long dmtcp_restore_stack_size HIDDEN;
extern int dmtcp_ckpt_tid HIDDEN;		/* the checkpoint thread */
extern volatile int dmtcp_ckpt_in_progress HIDDEN;
extern uint32_t dmtcp_generation HIDDEN;
extern int dmtcp_num_ckpts HIDDEN, dmtcp_num_restarts HIDDEN;
extern uint64_t dmtcp_last_ckpt_usec HIDDEN;
/* --ckpt-on-crash: the crashing thread and its registers at the fault */
extern volatile int dmtcp_crash_tid HIDDEN;
extern int dmtcp_crash_sig HIDDEN;
extern struct img_thread dmtcp_crash_regs HIDDEN;
extern siginfo_t dmtcp_crash_siginfo HIDDEN;	/* as the handler got it */
/*
 * The next image's SNAP record (include/dmtcp/image.h): trigger, tag,
 * flags and crash fields set by ckpt/ before it writes; image/ fills
 * in the times, prev_generation and pages_changed.
 */
extern struct img_snap dmtcp_snap HIDDEN;
/* What a debugger reads (include/dmtcp/debuginfo.h): exported. */
#include "dmtcp/debuginfo.h"
extern struct dmtcp_debug_info dmtcp_debug_info
	__attribute__((visibility("default")));
extern int dmtcp_crash_enabled HIDDEN;

uint64_t dmtcp_now_ns(void) HIDDEN;
uint64_t dmtcp_now_mono_ns(void) HIDDEN;

/* base/procdir.c: fn(number, dirfd, arg) for each numeric entry of path;
   fn returns 0 to go on, > 0 to stop, -errno to fail (returned as -1) */
int dmtcp_each_number(const char *path, int (*fn)(int n, int dirfd, void *arg),
		      void *arg) HIDDEN;
/* fn(dirfd, name, arg) for each entry of the open directory dfd, the
   same way (no allocation) */
int dmtcp_each_name(int dfd, int (*fn)(int dirfd, const char *name,
				       void *arg), void *arg) HIDDEN;
/* /proc/self/fdinfo/FD read whole into buf, at most cap - 1 bytes,
   NUL-terminated (util_read_small): the length, or -1 */
ssize_t dmtcp_read_fdinfo(int fd, char *buf, size_t cap) HIDDEN;

#include "base/real.h"

#endif /* DMTCP_PRELOAD_BASE_STATE_H */
