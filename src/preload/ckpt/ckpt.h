/*
 * ckpt/ckpt.h - the checkpoint and restart sequences of this process:
 * the library's constructor (init.c), the checkpoint thread and its
 * coordinator connection (ckpt-thread.c), the steps it runs through the
 * plugin events (steps.c: process state, fds), processes that join
 * before a fork or exec (prejoin.c, sentinel.c) and --ckpt-on-crash
 * (crash.c).  Rule: ckpt/ is the only layer that talks to the
 * coordinator; it uses plugin/, image/, fd/, ipc/, threads/, base/ and
 * is used only by wrap/.
 */
#ifndef DMTCP_PRELOAD_CKPT_H
#define DMTCP_PRELOAD_CKPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/state.h"
#include "threads/threads.h"

extern int dmtcp_coord_fd HIDDEN;

/* snapinfo.c: the next image's SNAP record, the debugger's view */
void dmtcp_snap_prepare(uint32_t trigger, const char *tag) HIDDEN;
void dmtcp_snap_prepare_crash(void) HIDDEN;
void dmtcp_debuginfo_launched(void) HIDDEN;
void dmtcp_debuginfo_committed(const char *path, uint32_t gen) HIDDEN;
void dmtcp_debuginfo_restored(const char *image, uint32_t gen) HIDDEN;

/* crash.c */
void dmtcp_install_crash_handlers(void) HIDDEN;
/* snapsig.c: DMTCP_SNAPSHOT_SIGNAL takes a snapshot */
void dmtcp_install_snapshot_signal(void) HIDDEN;

/* init.c */
int dmtcp_coord_state_path(char *buf, size_t cap) HIDDEN;
/* a new process of the computation (fork, clone used as fork) joins
   the coordinator and starts its checkpoint thread */
void dmtcp_atfork_child(void) HIDDEN;
void dmtcp_atfork_child_conn(int conn) HIDDEN;	/* conn: prejoin.c, or -1 */

/* ckpt-thread.c */
extern volatile int dmtcp_ckpt_done_seq HIDDEN;	/* futex: bumped after
						   each cycle */
int dmtcp_start_ckpt_thread(void) HIDDEN;
int dmtcp_request_local_ckpt(void) HIDDEN;
int dmtcp_request_snapshot(void) HIDDEN;	/* async-signal-safe */
void dmtcp_ckpt_atfork_child(void) HIDDEN;
int dmtcp_coord_join(int restart) HIDDEN;
struct dmtcp_hello;
void dmtcp_fill_hello(struct dmtcp_hello *h, uint32_t flags) HIDDEN;
int dmtcp_coord_adopt(int fd) HIDDEN;
/* fail this checkpoint (all processes keep the previous image) */
void dmtcp_ckpt_refuse(const char *why) HIDDEN;
/* wait at one of the checkpoint's own barriers; 1 when the checkpoint
   has failed by then (do no more work for it) */
int dmtcp_ckpt_barrier(int id) HIDDEN;

/* bgwrite.c: forked checkpoints (see there) */
int dmtcp_bg_start(char *why, size_t cap) HIDDEN;
int dmtcp_bg_fd(void) HIDDEN;
int dmtcp_bg_collect(uint64_t *bytes, uint64_t *usec, char *err,
		     size_t cap) HIDDEN;
void dmtcp_bg_kill(void) HIDDEN;
void dmtcp_bg_done(void) HIDDEN;
int dmtcp_bg_busy(void) HIDDEN;
void dmtcp_bg_wait_idle(void) HIDDEN;
void dmtcp_bg_atfork_child(void) HIDDEN;

/* sentinel.c: a duplicate of the coordinator connection that survives an
   exec we did not see (see there), at DMTCP_FD_SENTINEL */
void dmtcp_sentinel_set(void) HIDDEN;
void dmtcp_sentinel_drop(void) HIDDEN;
void dmtcp_sentinel_forget(void) HIDDEN;
void dmtcp_sentinel_cloexec(int on) HIDDEN;
void dmtcp_sentinel_inherited(void) HIDDEN;

/* prejoin.c: a process about to be forked or exec'd joins first */
extern pid_t dmtcp_my_pid HIDDEN;	/* 0 before init; vfork children
					   see their parent's */
#define DMTCP_COORD_FD_ENV "DMTCP_COORD_FD"
int dmtcp_prejoin(void) HIDDEN;
void dmtcp_prejoin_end(int fd) HIDDEN;
void dmtcp_prejoin_forked(void) HIDDEN;
int dmtcp_prejoin_take_env(void) HIDDEN;

/* procstate.c */
void dmtcp_capture_procstate(void) HIDDEN;
void dmtcp_restore_procstate(void) HIDDEN;
void dmtcp_raise_pending(void) HIDDEN;

/* steps.c: the sequence's own steps, registered as internal plugins */
void dmtcp_internal_plugins_register(void) HIDDEN;

#endif /* DMTCP_PRELOAD_CKPT_H */
