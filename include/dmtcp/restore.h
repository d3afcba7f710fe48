/*
 * restore.h - hand-off contract between mtcp_restart and the restored
 * preload library (freestanding: stdint only).
 *
 * mtcp_restart maps every area of the image back, then calls
 *   img_proc.restore_entry(struct rst_handoff *h)
 * on the stack at img_proc.restore_stack.  The hand-off lives in the
 * reserved range that mtcp_restart occupies; the callee copies it before
 * it unmaps that range.
 */
#ifndef DMTCP_RESTORE_H
#define DMTCP_RESTORE_H

#include <stdint.h>

#include "dmtcp/fds.h"

/* Address range every launched process keeps free for mtcp_restart. */
#define DMTCP_RESERVE_ADDR	0x3d0000000000UL
#define DMTCP_RESERVE_LEN	(64UL << 20)

#define RST_HANDOFF_MAGIC	0x52535448u	/* "RSTH" */
#define RST_HOST_PROC_FD	829	/* see rst_handoff.host_proc_fd */
/* dmtcp_restart's environment, NUL-separated, in a memfd every restored
   process inherits (dmtcp_get_restart_env) */
#define RST_ENV_FD		828
/*
 * mtcp_restart --secret-fd: the read end of a pipe holding the
 * coordinator secret (never on a command line or in the environment,
 * where other users could see it in /proc).  mtcp_restart reads it
 * and closes it before anything else.
 */
#define RST_SECRET_FD		826
/*
 * mtcp_restart --status-fd: one end of a socket pair whose other end
 * the process that started mtcp_restart keeps.  mtcp_restart sends
 * RST_STATUS_JUMP (MSG_NOSIGNAL) just before it jumps into the restored
 * process, then closes it: a restorer that dies without having sent it
 * died while restoring (dmtcp_restart names the image and the signal).
 */
#define RST_STATUS_FD		827
#define RST_STATUS_JUMP		'J'
/* numbers, not the enum: they are also turned into mtcp_restart's
   command-line arguments with the preprocessor (STR()) */
_Static_assert(RST_HOST_PROC_FD == DMTCP_FD_HOST_PROC &&
	       RST_ENV_FD == DMTCP_FD_RST_ENV &&
	       RST_SECRET_FD == DMTCP_FD_SECRET &&
	       RST_STATUS_FD == DMTCP_FD_STATUS,
	       "restore.h and fds.h disagree on a reserved descriptor");

/*
 * In the raw stream the gzip decoder writes for mtcp_restart (never in an
 * image file), in PAGES arg1: the payload is zeros, not the pages.  The
 * decoder sets it on IMG_PF_FILE_CLEAN pages of a private file mapping
 * whose file it found unchanged and readable, which mtcp_restart maps
 * from the file instead; it does not inflate them (most of a small
 * process's image is its libraries).  mtcp_restart refuses the record if
 * it needs the data after all (the file changed in between).
 */
#define RST_PF_NO_DATA		0x80000000u

/* rst_handoff.flags */
#define RST_F_PIDNS		0x1	/* running in a fresh pid namespace:
					   threads get their old tids */
#define RST_F_GDB_STOP		0x2	/* stop (SIGSTOP) before resuming
					   user threads, for a debugger */
#define RST_F_DROP_CAPS		0x4	/* drop the namespace capabilities
					   before user code runs */

struct rst_handoff {
	uint32_t magic;
	uint32_t flags;
	uint64_t restart_usec;	/* time mtcp_restart spent so far */
	char image[4096];	/* absolute path of the image */
	char coord_host[256];	/* coordinator to join; empty: as before */
	uint32_t coord_port;	/* 0: as before */
	uint32_t num_peers;	/* processes restarted together */
	char ckpt_dir[4096];	/* new checkpoint dir; empty: as before */
	char tmpdir[4096];	/* DMTCP_TMPDIR at restart; empty: as before */
	char secret[64];	/* coordinator secret; empty: as before */
	/*
	 * PR_SET_MM_MAP arguments (struct prctl_mm_map, auxv cleared) to
	 * repeat with exe_fd once mtcp_restart is unmapped: the kernel
	 * refuses to change /proc/self/exe while the old one is mapped.
	 */
	uint64_t mm_map[13];
	char exe[4096];		/* executable to show as /proc/self/exe */
	char gdb_done[1024];	/* RST_F_GDB_STOP: dmtcp_restart creates
				   this file when its gdb has exited */
	int32_t host_proc_fd;	/* RST_F_GDB_STOP: the host's /proc, where
				   a tracer outside the namespace shows */
	uint32_t prepared_stdio; /* bit n: fd n (0-2) was recreated by
				   dmtcp_restart (a pipe inside the
				   computation), not the restart's stdio */
};

/* what an image must satisfy to be restored (shared with dmtcp_restart) */
#include "dmtcp/restore-check.h"

#endif /* DMTCP_RESTORE_H */
