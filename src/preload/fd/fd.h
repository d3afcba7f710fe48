/*
 * fd/fd.h - the descriptors of one process: what the checkpoint records
 * of each (fds.c), drains and refills, and how a restart brings each
 * back.  Rule: fd/ uses base/ and threads/ only; it never talks to the
 * coordinator nor calls the checkpoint sequence: a kind that cannot be
 * checkpointed makes dmtcp_capture_fds() return the refusal, and the
 * sequence (ckpt/steps.c) reports it.
 */
#ifndef DMTCP_PRELOAD_FD_H
#define DMTCP_PRELOAD_FD_H

#include <stddef.h>

#include "base/state.h"
#include "threads/threads.h"

/* fds.c: the sequence's entry points.  capture: 1 and a message naming
   the process, fd and kind when some fd cannot be checkpointed (the
   checkpoint must fail and keep the previous image), else 0. */
int dmtcp_capture_fds(char *why, size_t cap) HIDDEN;
void dmtcp_drain_fds(void) HIDDEN;
void dmtcp_drain_done(void) HIDDEN;
void dmtcp_restore_fds(void) HIDDEN;

/* fds.c: the same question after the capture (the kinds' answers) */
int dmtcp_fds_refused(char *err, size_t cap) HIDDEN;

/* mqueue.c: POSIX message queues */
int dmtcp_mq_capture(void) HIDDEN;
void dmtcp_mq_drain(void) HIDDEN;
void dmtcp_mq_drain_done(void) HIDDEN;
int dmtcp_mq_restore(const struct dmtcp_fdrec *f) HIDDEN;

/* subkind values (struct fd_extra.subkind) */
enum { FDX_NONE, FDX_LISTEN, FDX_DGRAM, FDX_EVENTFD, FDX_EPOLL };
enum {
	FDX_SIGNALFD = 32,
	FDX_TIMERFD,
	FDX_INOTIFY,
	FDX_PIDFD,
	FDX_UNSUPPORTED,	/* the checkpoint fails */
	FDX_PTY_MASTER,
	FDX_PTY_SLAVE,		/* of a pair whose master may be ours */
};

/* fd/timers.c.  capture: 1 if r is one of ours (anon inodes). */
int dmtcp_fdt_capture(struct dmtcp_fdrec *r) HIDDEN;
/* sockets of a family nothing restores (netlink, packet, ...) */
void dmtcp_fdt_check_socket(struct dmtcp_fdrec *r) HIDDEN;
/* the new fd, -1 on failure, -2 when r is not one of ours */
int dmtcp_fdt_restore(const struct dmtcp_fdrec *r) HIDDEN;
/* 1 and a message naming the process, fd and kind when some fd on an
   anonymous inode or socket cannot be checkpointed, else 0 */
int dmtcp_fdt_refused(char *err, size_t cap) HIDDEN;
void dmtcp_fdt_capture_end(void) HIDDEN;

/* fd/pty.c */
void dmtcp_pty_capture(struct dmtcp_fdrec *r) HIDDEN;
void dmtcp_pty_drain(void) HIDDEN;
/* fds.c, restart: 1 if dmtcp_restart placed this pty fd (keep it) */
int dmtcp_pty_prepared(const struct dmtcp_fdrec *r) HIDDEN;
void dmtcp_pty_late(void) HIDDEN;

/* fd/file.c: regular files (doc/files.md).  capture: after the fds are
   recorded, before the refusal is reported */
void dmtcp_files_capture(void) HIDDEN;
/* 1 and a message naming process, fd and file when a deleted file is
   over the ghost limit (the checkpoint must fail), else 0 */
int dmtcp_files_refused(char *err, size_t cap) HIDDEN;
/* restart.  prepared: r was unlinked at checkpoint time and its fd is
   the file dmtcp_restart recreated (keep it).  is_ghost: r was unlinked
   at checkpoint time. */
int dmtcp_files_prepared(const struct dmtcp_fdrec *r) HIDDEN;
int dmtcp_files_is_ghost(const struct dmtcp_fdrec *r) HIDDEN;
/* the FILE and FILEDATA records (called by image/write.c) */
struct img_writer;
int dmtcp_write_files(struct img_writer *w) HIDDEN;

#endif /* DMTCP_PRELOAD_FD_H */
