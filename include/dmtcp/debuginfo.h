/*
 * debuginfo.h - what a debugger reads from a process running under the
 * toolkit (contract with the gdb helpers, gdb/dmtcp_gdb/, doc/gdb.md).
 *
 * libdmtcp.so exports one object, `dmtcp_debug_info`, laid out as below
 * with fixed offsets so that a debugger without libdmtcp's debug info
 * can read it with plain memory reads at the symbol's address.  The
 * library keeps it true: at launch, after each committed checkpoint of
 * this process and after a restart.  A debugger may write `hold` (and
 * nothing else).
 */
#ifndef DMTCP_DEBUGINFO_H
#define DMTCP_DEBUGINFO_H

#include <stdint.h>

#define DMTCP_DEBUG_INFO_VERSION	1
#define DMTCP_DEBUG_PATH_MAX		4096

/*
 * dmtcp_debug_info.hold.  PARK: each application thread that receives
 * the checkpoint signal parks at once (queue the signal to every thread
 * before continuing), so the image holds the state the debugger showed;
 * the library sets hold back to 0 when the checkpoint is done.  KEEP:
 * the same, and after the checkpoint the threads stay parked in the
 * checkpoint handler until the debugger writes 0 (bounded: 60 s), so
 * that after stopping the process again it still shows that state.
 */
#define DMTCP_HOLD_PARK		1
#define DMTCP_HOLD_KEEP		2

/* dmtcp_debug_info.flags */
#define DMTCP_DI_RESTORED	0x1	/* this process came from `image` */
#define DMTCP_DI_TIMELINE	0x2	/* its computation keeps a timeline
					   (every generation in ckpt_dir) */

struct dmtcp_debug_info {
	uint32_t version;	/* offset 0: DMTCP_DEBUG_INFO_VERSION */
	uint32_t flags;		/* offset 4: DMTCP_DI_* */
	uint32_t generation;	/* offset 8: of the state this process
				   continues: the generation of `image` after
				   a restart, of `last_image` after a
				   checkpoint, 0 before any */
	uint32_t vpid;		/* offset 12: the process's own pid (as the
				   program sees it) */
	uint32_t hold;		/* offset 16: DMTCP_HOLD_*, set by a debugger
				   before it lets the threads run into a
				   checkpoint it requested (`dmtcp checkpoint`
				   in gdb) */
	uint32_t ckpt_signal;	/* offset 20: the checkpoint signal */
	uint64_t reserved[5];	/* offset 24 */
	char image[DMTCP_DEBUG_PATH_MAX];	/* offset 64: the image it was
				   restored from ("" if launched) */
	char last_image[DMTCP_DEBUG_PATH_MAX];	/* offset 64 + 4096: its
				   newest committed image ("" if none) */
	char ckpt_dir[DMTCP_DEBUG_PATH_MAX];	/* offset 64 + 8192: where
				   its images go (the timeline directory) */
};

#endif
