/*
 * protocol.h - coordinator wire protocol (contract, version 1).
 *
 * Every message is a fixed 48-byte header (struct dmtcp_msg) followed by
 * payload_len bytes of payload.  Fields are little-endian.  A receiver
 * rejects a header whose magic or version is wrong or whose payload_len
 * exceeds DMTCP_MSG_MAX_PAYLOAD, and drops that peer.  doc/protocol.md
 * describes the message flow.
 */
#ifndef DMTCP_PROTOCOL_H
#define DMTCP_PROTOCOL_H

#include <stdint.h>
#include <stddef.h>

#define DMTCP_MSG_MAGIC		0x50434d44u	/* "DMCP" */
#define DMTCP_PROTO_VERSION	1
#define DMTCP_MSG_MAX_PAYLOAD	(1u << 20)
#define DMTCP_DEFAULT_PORT	7779
#define DMTCP_SECRET_LEN	32	/* hex characters */

enum dmtcp_msg_type {
	/* worker (preload library) -> coordinator */
	DMTCP_MSG_HELLO_WORKER = 1,	/* payload: struct dmtcp_hello */
	DMTCP_MSG_BARRIER = 2,		/* arg0 = barrier id */
	DMTCP_MSG_CKPT_WRITTEN = 3,	/* arg0 = image bytes, arg1 = usec;
					   payload: absolute image path; with
					   flags DMTCP_CKPT_FAILED the payload
					   is the error message instead */
	DMTCP_MSG_WORKER_STATE = 4,	/* arg0 = enum dmtcp_worker_state */
	DMTCP_MSG_KILL_READY = 6,	/* answer to KILL DMTCP_KILL_FREEZE:
					   our threads are stopped */
	DMTCP_MSG_WORKER_UPDATE = 5,	/* payload: struct dmtcp_hello; the
					   first message of a process on a
					   connection its parent (fork) or
					   its former program (exec) opened
					   for it (DMTCP_HELLO_PREJOIN) */
	DMTCP_MSG_CKPT_WRITING = 7,	/* payload: absolute path of the
					   image about to be written (its
					   side file is path + ".ipc"): what
					   to remove if the checkpoint does
					   not commit */

	/* dmtcp_command -> coordinator */
	DMTCP_MSG_HELLO_COMMAND = 10,	/* payload: struct dmtcp_hello */
	DMTCP_MSG_COMMAND = 11,		/* arg0 = enum dmtcp_cmd, arg1 = arg;
					   CHECKPOINT, BCHECKPOINT: arg1 =
					   enum img_snap_trigger (what asks),
					   payload: the snapshot's tag
					   (optional, < 128 bytes) */
	/*
	 * Plugin services, on a command connection (after HELLO_COMMAND):
	 * the publish/subscribe key-value database and named barriers.
	 * KV_PUT: arg0 = key length, arg1 = value length; payload: the
	 *   database name (NUL-terminated), key bytes, value bytes.
	 *   Reply: REPLY, arg0 = DMTCP_REPLY_OK.
	 * KV_GET: arg0 = key length; payload: name (NUL-terminated), key.
	 *   Reply: KV_VALUE.
	 * USER_BARRIER: payload: barrier name (NUL-terminated).  Reply:
	 *   REPLY (arg0 = DMTCP_REPLY_OK) once every process of the
	 *   computation taking part in the current phase arrived there.
	 */
	DMTCP_MSG_KV_PUT = 12,
	DMTCP_MSG_KV_GET = 13,
	DMTCP_MSG_USER_BARRIER = 14,

	/* coordinator -> worker */
	DMTCP_MSG_WELCOME = 20,		/* arg0 = client id, arg1 = interval;
					   payload: struct dmtcp_welcome */
	DMTCP_MSG_DO_CHECKPOINT = 21,	/* arg0 = generation, arg1 = enum
					   img_snap_trigger; payload: ckpt
					   dir chosen by the coordinator
					   (empty = the worker's own), NUL,
					   the snapshot's tag, NUL */
	DMTCP_MSG_BARRIER_RELEASE = 22,	/* arg0 = barrier id; checkpoint:
					   arg1 = workers failed so far; > 0:
					   the checkpoint failed, do no more
					   work for it; at CHECKPOINTED 0
					   means committed (the restart
					   script names this generation) */
	DMTCP_MSG_CKPT_DONE = 24,	/* forked checkpoint (every image
					   written in the background was
					   reported): arg0 = generation, arg1
					   = failures: 0 = committed, else
					   the images were removed */
	DMTCP_MSG_KILL = 23,		/* terminate the process; arg0 =
					   DMTCP_KILL_FREEZE: first stop
					   every thread, answer KILL_READY
					   and wait for KILL DMTCP_KILL_NOW
					   (so no process of the computation
					   sees another one die) */

	/* coordinator -> dmtcp_command */
	DMTCP_MSG_REPLY = 30,		/* arg0 = enum dmtcp_reply_status;
					   payload: text, "KEY=VALUE\n" lines */
	DMTCP_MSG_KV_VALUE = 31,	/* arg0 = 1 found (payload: value),
					   0 not found */

	/* coordinator -> anyone it turns away */
	DMTCP_MSG_REFUSE = 40,		/* payload: reason text */
};

/* Barriers a checkpoint and a restart go through, in this order. */
enum dmtcp_barrier {
	DMTCP_BAR_SUSPENDED = 1,
	DMTCP_BAR_FD_LEADER_ELECTION = 2,
	DMTCP_BAR_DRAINED = 3,
	DMTCP_BAR_CHECKPOINTED = 4,	/* images written (CKPT_WRITTEN sent) */
	DMTCP_BAR_REFILLED = 5,		/* then workers resume: RUNNING */
	DMTCP_BAR_RESTARTED = 6,	/* restart: every process is back */
	DMTCP_BAR_RESTART_REFILLED = 7,	/* restart: then RUNNING */
};

enum dmtcp_worker_state {
	DMTCP_WS_RUNNING = 1,
	DMTCP_WS_SUSPENDED = 2,
	DMTCP_WS_CHECKPOINTING = 3,
	DMTCP_WS_RESTARTING = 4,
	DMTCP_WS_PARKED = 5,	/* restored for a debugger, waiting for
				   it: cannot take part in a checkpoint */
};

enum dmtcp_cmd {
	DMTCP_CMD_CHECKPOINT = 1,	/* reply when the checkpoint started */
	DMTCP_CMD_BCHECKPOINT = 2,	/* reply when every image is written */
	DMTCP_CMD_KILL = 3,
	DMTCP_CMD_QUIT = 4,		/* kill, then the coordinator exits */
	DMTCP_CMD_STATUS = 5,
	DMTCP_CMD_LIST = 6,
	DMTCP_CMD_INTERVAL = 7,		/* arg1 = seconds, 0 disables */
	DMTCP_CMD_INTERVAL_MS = 8,	/* arg1 = milliseconds, 0 disables */
};

enum dmtcp_reply_status {
	DMTCP_REPLY_OK = 0,
	DMTCP_REPLY_ERROR = 1,		/* payload says why */
	DMTCP_REPLY_NO_PEERS = 2,	/* nothing to checkpoint */
	DMTCP_REPLY_BUSY = 3,		/* a checkpoint is in progress */
};

struct dmtcp_msg {
	uint32_t magic;		/* DMTCP_MSG_MAGIC */
	uint16_t version;	/* DMTCP_PROTO_VERSION */
	uint16_t type;		/* enum dmtcp_msg_type */
	uint32_t payload_len;	/* bytes following, <= DMTCP_MSG_MAX_PAYLOAD */
	uint32_t flags;
	uint64_t arg0;
	uint64_t arg1;
	uint64_t client_id;	/* set by the coordinator in WELCOME */
	uint64_t reserved;
};

/* dmtcp_msg.flags of CKPT_WRITTEN */
#define DMTCP_CKPT_FAILED	0x1
#define DMTCP_CKPT_FORKED	0x2	/* the state is captured and a forked
					   child writes the image while the
					   process runs on; a second
					   CKPT_WRITTEN with DMTCP_CKPT_BG_DONE
					   (and FAILED if it failed) follows
					   once the image is synced, after
					   REFILLED; the coordinator commits
					   then and answers CKPT_DONE */
#define DMTCP_CKPT_BG_DONE	0x4

/* struct dmtcp_hello.flags */
#define DMTCP_HELLO_RESTART	0x1	/* a process coming back from an image */
#define DMTCP_HELLO_TIMELINE	0x4	/* dmtcp_launch --timeline: keep
					   `keep` generations (0 = all) */
#define DMTCP_HELLO_PREJOIN	0x2	/* for a process about to be forked or
					   exec'd: it takes part in every
					   checkpoint from now on and says
					   who it is with WORKER_UPDATE */

/* dmtcp_msg.arg0 of KILL */
#define DMTCP_KILL_NOW		0
#define DMTCP_KILL_FREEZE	1

/* dmtcp_msg.flags of REFUSE */
#define DMTCP_REFUSE_RETRY	0x1	/* try again when the checkpoint in
					   progress is over */

struct dmtcp_hello {
	char secret[DMTCP_SECRET_LEN + 1]; /* from the coordinator's secret
					      file; empty if none */
	uint8_t pad0[7];
	uint32_t pid, ppid, uid, flags;	/* DMTCP_HELLO_* */
	uint32_t generation;	/* checkpoints taken so far */
	uint32_t num_peers;	/* restart: processes in the computation */
	char hostname[64];
	char progname[64];
	char comp_id[64];	/* restart: the computation's id */
	char unique_id[64];	/* process id used in image names */
	char image[4096];	/* restart: the image restarted from */
	uint32_t interval_ms;	/* dmtcp_launch --interval-ms: the
				   checkpoint interval it asks for (0: no
				   wish) */
	uint32_t keep;		/* DMTCP_HELLO_TIMELINE: generations kept */
};

struct dmtcp_welcome {
	char comp_id[64];	/* computation id the worker now belongs to */
	char ckpt_dir[4096];	/* coordinator's --ckptdir, or empty */
	uint32_t generation;	/* last generation of this computation */
	uint32_t reserved;
};

/* Framing helpers, src/common/protocol.c.  Return 0 or -1 with errno. */
void dmtcp_msg_init(struct dmtcp_msg *m, uint16_t type);
/* Validates magic, version and payload_len; returns 0 or -1 (EPROTO). */
int dmtcp_msg_check(const struct dmtcp_msg *m);
/* Writes header + payload, retrying on EINTR/short writes. */
int dmtcp_msg_send(int fd, struct dmtcp_msg *m, const void *payload,
		   size_t len);
/*
 * Reads one header and its payload into buf (capacity cap; bytes beyond
 * cap are an error: EMSGSIZE).  Returns 0, or -1 with errno: 0 for a
 * clean EOF before the header, EPROTO for a bad header, EIO for EOF in
 * the middle of a message.
 */
int dmtcp_msg_recv(int fd, struct dmtcp_msg *m, void *buf, size_t cap);

/* Names of the numbers above for messages (src/common/protocol.c):
 * a checkpoint barrier ("suspend" ... "resume", else "?"), a worker
 * state ("RUNNING" ..., else "UNKNOWN"), a reply status ("OK" ...,
 * anything unknown reads "ERROR"). */
const char *dmtcp_barrier_name(int barrier);
const char *dmtcp_worker_state_name(int state);
const char *dmtcp_reply_name(uint64_t status);

#endif /* DMTCP_PROTOCOL_H */
