/*
 * ipc-side.h - the side file a process writes next to its image for the
 * kernel objects that dmtcp_restart must recreate before any process of
 * the computation exists: System V shared memory segments, semaphore
 * sets and message queues, and zombie children (contract between the
 * preload library, src/preload/ipc.c, and dmtcp_restart,
 * src/restart/restart-ipc.c; doc/ipc.md explains it).
 *
 * Name: the image's path + IPC_SIDE_SUFFIX ("ckpt_a_x.dmtcp.ipc"); there
 * is none when the process had nothing to save.  Layout, little-endian,
 * no implicit padding:
 *   struct ipc_side_header
 *   records: struct ipc_side_rec + len payload bytes (len % 8 == 0)
 *   a record of type IPC_SIDE_END (len 0) ends a complete file.
 */
#ifndef DMTCP_IPC_SIDE_H
#define DMTCP_IPC_SIDE_H

#include <stdint.h>

#define IPC_SIDE_MAGIC		"DMTCPIPC"	/* 8 bytes, no NUL */
#define IPC_SIDE_VERSION	1
#define IPC_SIDE_SUFFIX		".ipc"

struct ipc_side_header {
	char magic[8];
	uint32_t version;
	uint32_t pid;		/* the process that wrote it */
	uint32_t generation;	/* img_proc.generation of its image */
	uint32_t reserved0;
	uint64_t ctime_ns;	/* realtime when written */
	uint64_t reserved[2];
};

enum ipc_side_type {
	IPC_SIDE_SHM = 1,	/* struct ipc_side_shm [+ runs] */
	IPC_SIDE_SEM = 2,	/* struct ipc_side_sem + uint16_t[nsems] */
	IPC_SIDE_MSG = 3,	/* struct ipc_side_msgq + messages */
	IPC_SIDE_ZOMBIE = 4,	/* struct ipc_side_zombie */
	IPC_SIDE_END = 5,
};

struct ipc_side_rec {
	uint32_t type;		/* enum ipc_side_type */
	uint32_t reserved;
	uint64_t len;		/* payload bytes following, multiple of 8 */
};

/* ipc_side_shm.flags */
#define IPC_SHM_DEST	0x1	/* IPC_RMID was done while attached */
#define IPC_SHM_DATA	0x2	/* contents follow: runs of
				   struct ipc_side_run + run.len bytes
				   (pages not in a run are zero); without
				   it the attached processes' images hold
				   the pages */

struct ipc_side_shm {
	int32_t id;		/* shmid */
	int32_t key;
	uint32_t mode;		/* permission bits */
	uint32_t flags;		/* IPC_SHM_* */
	uint64_t size;		/* shm_segsz */
};

struct ipc_side_run {
	uint64_t off, len;	/* page aligned; len bytes follow */
};

struct ipc_side_sem {
	int32_t id;
	int32_t key;
	uint32_t mode;
	uint32_t nsems;		/* then nsems uint16_t values, padded to 8 */
};

struct ipc_side_msgq {
	int32_t id;
	int32_t key;
	uint32_t mode;
	uint32_t nmsgs;		/* then nmsgs struct ipc_side_msg, in order */
	uint64_t qbytes;	/* msg_qbytes */
};

struct ipc_side_msg {
	int64_t type;		/* mtype */
	uint64_t len;		/* bytes following, padded to 8 */
};

struct ipc_side_zombie {
	int32_t pid;		/* the unreaped child */
	int32_t pgid;
	int32_t exit_signal;	/* SIGCHLD, or a clone child's signal */
	int32_t code;		/* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int32_t status;		/* exit status or signal number */
	int32_t reserved;
};

#define IPC_SIDE_PAD8(n)	(((n) + 7) & ~(uint64_t)7)

#endif /* DMTCP_IPC_SIDE_H */
