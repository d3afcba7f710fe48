/* fd/socket.h - connected sockets (fd/socket.c) and the bytes a
   checkpoint took out of TCP connections (sk-queue.c), used by fds.c,
   ckpt/steps.c and ckpt-thread.c. */
#ifndef DMTCP_PRELOAD_FD_SOCKETS_H
#define DMTCP_PRELOAD_FD_SOCKETS_H

#include <stdint.h>

struct dmtcp_fdrec;
struct pollfd;

/* after fd/anon.c's capture of a socket: peer, state, buffer sizes */
void dmtcp_sk_capture(struct dmtcp_fdrec *r) HIDDEN;
/* a connected socket (takes part in the owner election) */
int dmtcp_sk_connected(const struct dmtcp_fdrec *r) HIDDEN;
/* the owner, after the election: a TCP connection to a peer in the
   computation is drained (consumed, see doc/sockets.md), any other
   socket's receive queue is copied (MSG_PEEK) into pipe_data */
void dmtcp_sk_drain(struct dmtcp_fdrec *r) HIDDEN;
/* after the DRAINED barrier: take back the bytes the peers drained from
   our TCP connections (to write them again); failed: the checkpoint
   failed (peers may have gone on without taking theirs) */
void dmtcp_sk_drained(int failed) HIDDEN;
/* RESUME: write those bytes again in the running computation */
void dmtcp_sk_resume(void) HIDDEN;
/* restart: 1 if dmtcp_restart placed this socket at its fd (kept) */
int dmtcp_sk_prepared(const struct dmtcp_fdrec *r) HIDDEN;
/* restart, after every fd is back: write again the bytes in flight */
void dmtcp_sk_restored(void) HIDDEN;

/* sk-queue.c */
enum { SKQ_RESEND = 1, SKQ_HELD = 2 };

struct skq {
	int used;
	int kind;		/* SKQ_* */
	int pid;		/* the process it belongs to (not a fork child) */
	int fd;			/* RESEND: our duplicate of the socket, -1 */
	int app_fd;		/* the program's fd, for messages */
	uint64_t ino;		/* the socket's inode now */
	uint64_t img_ino;	/* its inode in the last image */
	uint32_t gen;		/* checkpoint generation that made it */
	int resume_only;	/* HELD: the image's record carries the bytes
				   too (dmtcp_restart puts them back): drop
				   it at a restart */
	char *buf;		/* dmtcp_skq_alloc'ed, cap bytes */
	uint64_t cap, len, off;	/* bytes [off, len) still to go */
	int64_t oob_pos;	/* urgent byte before buf[oob_pos] (inline: it
				   is buf[oob_pos]), -1: none */
	uint8_t oob_byte, oob_inline, oob_done;
	int shut_after;		/* shutdown(SHUT_WR) once everything is out */
	uint64_t ckpt_off;	/* RESEND: off and oob_done when the image */
	uint8_t ckpt_oob_done;	/* was written (a restart starts there) */
	uint8_t mark;		/* scratch for dmtcp_sk_restored */
};

char *dmtcp_skq_alloc(uint64_t cap) HIDDEN;
char *dmtcp_skq_grow(char *buf, uint64_t old, uint64_t cap) HIDDEN;
void dmtcp_skq_release(char *buf, uint64_t cap) HIDDEN;
struct skq *dmtcp_skq_new(int kind) HIDDEN;
struct skq *dmtcp_skq_find(int kind, uint64_t ino) HIDDEN;
struct skq *dmtcp_skq_find_img(int kind, uint64_t img_ino) HIDDEN;
void dmtcp_skq_drop(struct skq *q) HIDDEN;
void dmtcp_skq_each(int (*fn)(struct skq *q, void *arg), void *arg) HIDDEN;
int dmtcp_skq_flush(struct skq *q) HIDDEN;
int dmtcp_skq_settle(void) HIDDEN;
/* the checkpoint thread's poll loop: sockets with a remainder to send */
#define DMTCP_SKQ_POLL_MAX 64
int dmtcp_skq_pollfds(struct pollfd *p, int max) HIDDEN;
void dmtcp_skq_flush_ready(const struct pollfd *p, int n) HIDDEN;
/* the process ends: bytes of a checkpoint still to send go out first
   (bounded); wrap/exit.c and a destructor */
void dmtcp_skq_flush_at_exit(void) HIDDEN;

#endif
