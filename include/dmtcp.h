/*
 * dmtcp.h - application API of the checkpoint/restart toolkit.
 *
 * Source-compatible with DMTCP's dmtcp.h for the calls below.  Every
 * function is declared weak and wrapped in a macro that tests whether the
 * symbol is present, so a program using it links and runs without the
 * tool: then dmtcp_is_enabled() is 0 and the others return
 * DMTCP_NOT_PRESENT.  Build the program with -fPIC/-fPIE (the default on
 * Debian) so the weak references resolve at run time.
 */
#ifndef DMTCP_H
#define DMTCP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
# define DMTCP_EXTERNC extern "C"
#else
# define DMTCP_EXTERNC
#endif

/* Return values of dmtcp_checkpoint() and the status calls. */
#ifndef DMTCP_AFTER_CHECKPOINT
# define DMTCP_AFTER_CHECKPOINT 1
# define DMTCP_AFTER_RESTART    2
#endif
#ifndef DMTCP_NOT_PRESENT
# define DMTCP_NOT_PRESENT 3
#endif
#ifndef DMTCP_IS_PRESENT
# define DMTCP_IS_PRESENT 4
#endif

/* 1 when running under dmtcp_launch/dmtcp_restart, 0 otherwise. */
DMTCP_EXTERNC int dmtcp_is_enabled(void) __attribute__((weak));
#define dmtcp_is_enabled() (dmtcp_is_enabled ? dmtcp_is_enabled() : 0)

/*
 * Checkpoint the whole computation and wait until this process's image is
 * written.  Returns DMTCP_AFTER_CHECKPOINT in the running process,
 * DMTCP_AFTER_RESTART when execution continues from the image after a
 * restart, <= 0 on error.
 */
DMTCP_EXTERNC int dmtcp_checkpoint(void) __attribute__((weak));
#define dmtcp_checkpoint() \
	(dmtcp_checkpoint ? dmtcp_checkpoint() : DMTCP_NOT_PRESENT)

/*
 * Delay checkpoints during a critical section.  Recursive; a checkpoint
 * requested meanwhile starts when the matching dmtcp_enable_ckpt() runs.
 * Return 1 on success.
 */
DMTCP_EXTERNC int dmtcp_disable_ckpt(void) __attribute__((weak));
#define dmtcp_disable_ckpt() \
	(dmtcp_disable_ckpt ? dmtcp_disable_ckpt() : DMTCP_NOT_PRESENT)
DMTCP_EXTERNC int dmtcp_enable_ckpt(void) __attribute__((weak));
#define dmtcp_enable_ckpt() \
	(dmtcp_enable_ckpt ? dmtcp_enable_ckpt() : DMTCP_NOT_PRESENT)

/*
 * Coordinator view: number of processes and whether all are running.
 * Local view: checkpoints and restarts this process went through.
 * Both return DMTCP_IS_PRESENT, or DMTCP_NOT_PRESENT without the tool.
 */
DMTCP_EXTERNC int dmtcp_get_coordinator_status(int *num_peers,
					       int *is_running)
	__attribute__((weak));
#define dmtcp_get_coordinator_status(p, r) \
	(dmtcp_get_coordinator_status ? dmtcp_get_coordinator_status(p, r) \
				      : DMTCP_NOT_PRESENT)
DMTCP_EXTERNC int dmtcp_get_local_status(int *num_checkpoints,
					 int *num_restarts)
	__attribute__((weak));
#define dmtcp_get_local_status(c, r) \
	(dmtcp_get_local_status ? dmtcp_get_local_status(c, r) \
				: DMTCP_NOT_PRESENT)

/* Checkpoint directory and this process's image name. */
DMTCP_EXTERNC const char *dmtcp_get_ckpt_dir(void) __attribute__((weak));
#define dmtcp_get_ckpt_dir() \
	(dmtcp_get_ckpt_dir ? dmtcp_get_ckpt_dir() : NULL)
DMTCP_EXTERNC int dmtcp_set_ckpt_dir(const char *dir) __attribute__((weak));
#define dmtcp_set_ckpt_dir(d) \
	(dmtcp_set_ckpt_dir ? dmtcp_set_ckpt_dir(d) : DMTCP_NOT_PRESENT)
DMTCP_EXTERNC const char *dmtcp_get_ckpt_filename(void)
	__attribute__((weak));
#define dmtcp_get_ckpt_filename() \
	(dmtcp_get_ckpt_filename ? dmtcp_get_ckpt_filename() : NULL)
DMTCP_EXTERNC const char *dmtcp_get_uniquepid_str(void)
	__attribute__((weak));
#define dmtcp_get_uniquepid_str() \
	(dmtcp_get_uniquepid_str ? dmtcp_get_uniquepid_str() : NULL)
/* Generation: 0 before the first checkpoint, then 1, 2, ... */
DMTCP_EXTERNC uint32_t dmtcp_get_generation(void) __attribute__((weak));
DMTCP_EXTERNC int dmtcp_get_ckpt_signal(void) __attribute__((weak));

#endif /* DMTCP_H */
