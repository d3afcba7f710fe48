/*
 * coord.h - internal interfaces of dmtcp_coordinator.
 *
 * The coordinator is one single-threaded event loop (loop.c; helper
 * threads only close descriptors of removed files, reap.c, and write
 * and sync the restart script prepared ahead, script.c) over a
 * listening socket, its clients (clients.c; their byte streams are cut
 * into messages by input.c), the console on stdin (console.c) and a
 * signalfd.  Messages from clients are dispatched in dispatch.c; the
 * checkpoint/restart barrier state machine lives in ckpt.c, over the
 * pure record and rules of txn.c; commands shared by the console and
 * dmtcp_command in commands.c, their answers in reply.c; the restart
 * script writer in script.c.  There is exactly one coordinator state,
 * `co`, owned by state.c (struct co_state below).  What an
 * unauthenticated peer may cost is bounded in pending.c (connections
 * waiting for their hello), input.c (their input) and limits.c (their
 * log lines).  Strings that come from clients are escaped
 * (src/common/escape.h) wherever they are printed.
 *
 * Layers, top first (the sections of this header come bottom first).
 * A file calls only the files of the layers below its own; no two files
 * call each other:
 *
 *   main.c                      start-up, shut-down
 *   loop.c                      the event loop
 *   console.c                   console input: commands typed
 *   pending.c                   unauthenticated connections
 *   input.c                     bytes -> messages
 *   dispatch.c                  messages -> actions
 *   commands.c                  what a requester asks for
 *   ckpt.c                      checkpoint, restart, kill
 *   reply.c services.c gens.c   answers; kv/user barriers; files of a
 *     script.c                    generation; the restart script
 *   clients.c                   the client table, output
 *   limits.c                    rate-limited events
 *   state.c                     `co`, co_event, the log
 *   txn.c textbuf.c options.c   pure helpers; console output;
 *     console-out.c reap.c        unlinking old images (a helper
 *                                   thread frees their blocks)
 *
 * Events go up by return values and state, never by a call upwards:
 * ckpt.c answers whoever asked for a checkpoint or a kill through
 * reply.c (below it), not through commands.c; clients.c does not know
 * about pending connections (the loop accepts through pending.c);
 * console.c tells console-out.c when a prompt is shown, and every
 * message is printed there.  Within a layer gens.c calls script.c
 * (co_sanitize_name), nothing else.  tests/static/test-coord-layers.sh
 * checks this from the built objects.
 */
#ifndef DMTCP_COORD_H
#define DMTCP_COORD_H

#include <limits.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dmtcp/protocol.h"
#include "common-opts.h"
#include "escape.h"

/* ---- options.c ---- */
struct co_opts {
	struct copt_common c;	/* -p (0 = any), -i, --ckptdir, --tmpdir:
				   port and interval resolved from the
				   environment and defaults */
	const char *port_file;
	const char *listen_addr;	/* default 127.0.0.1 */
	int exit_on_last;
	int exit_after_ckpt;
	int daemon;
	const char *logfile;
	int quiet;
	long ckpt_timeout;	/* seconds a barrier without disk work may
				   take; 0 = no limit */
#define CO_DEFAULT_CKPT_TIMEOUT	30
	int keep_generations;	/* committed generations kept, 0 = all */
};

/* 0 to run (or --help/--version given: o->c), -1 with a message in err */
int co_opts_parse(int argc, char **argv, struct co_opts *o, char *err,
		  size_t errcap);
void co_usage(FILE *f);

/* ---- textbuf.c: growable text buffer ---- */
struct co_buf {
	char *s;
	size_t len, cap;
};
void co_buf_printf(struct co_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s escaped (escape.h), whole, however long. */
void co_buf_esc(struct co_buf *b, const char *s);
void co_buf_free(struct co_buf *b);
/* Monotonic milliseconds. */
uint64_t co_now_ms(void);

/* ---- console-out.c: output without garbling the prompt ---- */
/* Print console output without garbling a readline prompt. */
void co_console_print(const char *text);
void co_console_write(FILE *f, const char *text);
/* console.c: whether a prompt is shown (saved and restored around
 * output). */
void co_console_prompt(int shown);

/* ---- txn.c: one checkpoint's record and the barrier rules (pure) ---- */
enum co_phase { CO_IDLE, CO_CKPT, CO_RESTART };

struct co_image {
	char *path;
	uint64_t bytes;
	uint64_t client_id;		/* the worker that wrote it */
};

struct co_txn {
	struct co_image *images;	/* images reported written */
	size_t nimages, images_cap;
	uint64_t images_bytes;
	struct co_buf failures;		/* "FAILED=..." lines */
	int nfailed;
	char **writing;			/* images announced (CKPT_WRITING):
					   removed if it does not commit */
	size_t nwriting, writing_cap;
	int nbg;			/* images still written by forked
					   children (DMTCP_CKPT_FORKED) */
	int nforked;			/* workers that forked their writer */
	int bg_used;			/* a worker forked its writer: the
					   commit waits for their reports */
};

/* Forget what t holds (a new checkpoint starts); co_txn_free also
 * releases the arrays. */
void co_txn_reset(struct co_txn *t);
void co_txn_free(struct co_txn *t);
/* Record an image written / announced; 0, or -1 out of memory (then
 * nothing is recorded). */
int co_txn_add_image(struct co_txn *t, const char *path, uint64_t bytes,
		     uint64_t client_id);
int co_txn_add_writing(struct co_txn *t, const char *path);
int co_txn_has_image(const struct co_txn *t, uint64_t client_id);
/* One more failure: a "FAILED=<text>" line. */
void co_txn_fail(struct co_txn *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The barrier released next in this phase, after `released`. */
int co_bar_next(enum co_phase phase, int released);
/* Is a worker reaching `barrier` on time (the next one of the phase)? */
int co_bar_expected(enum co_phase phase, int released, int barrier);
/* Release `next` now: all `total` participants (> 0) are `at` it, and
 * for RESTARTED at least restart_expected of them. */
int co_bar_ready(int next, int total, int at, int restart_expected);
/* Does waiting for `next` have a deadline (--ckpt-timeout)?  Not the
 * image writing: that takes what the disk takes. */
int co_bar_timed(int next);
/* A worker's state once `barrier` is released; 0 = unchanged. */
int co_bar_worker_state(int barrier);
/*
 * Parses a directory entry or base name as one of our image files:
 * "ckpt_<prog>_<uid>_<gen>.dmtcp", optionally followed by ".ipc" (the
 * side file), and either of them as a temporary ".<name>.tmp.<hex>".
 * Fills uid (the second-to-last '_' field, cap bytes at most), gen and
 * is_tmp; 0, or -1 if it is not such a name.
 */
#define CO_SIDE_SUFFIX	".ipc"		/* include/dmtcp/ipc-side.h */
#define CO_TMP_INFIX	".tmp."		/* safe_tmp_name(): .<base>.tmp.<hex> */
int co_image_name_parse(const char *name, char *uid, size_t cap,
			uint32_t *gen, int *is_tmp);

/* ---- state.c: the one coordinator state and its event log ---- */
struct co_state {
	struct co_opts opts;
	int listen_fd;
	int log_fd;			/* --coord-logfile, or -1 */
	int port;
	char host[256];			/* how clients should reach us */
	char hostname[256];		/* gethostname() */
	char secret[DMTCP_SECRET_LEN + 1];
	char secret_path[PATH_MAX];
	char ckpt_dir[PATH_MAX];	/* where the restart script goes */
	char ckpt_dir_explicit[PATH_MAX]; /* sent to workers, or "" */
	char restart_bin[PATH_MAX];	/* dmtcp_restart for the script */

	uint64_t next_client_id;
	char comp_id[64];		/* "" = no computation */
	uint32_t generation;
	int had_workers;

	enum co_phase phase;
	int released;			/* last barrier released */
	uint64_t ckpt_start_ms;
	uint64_t traced_check_ms;	/* next look for debugger-held
					   workers (ckpt.c) */
	struct co_txn txn;		/* the current checkpoint's record */
	uint64_t barrier_deadline_ms;	/* 0 = none (the image writing) */
	int restart_expected;		/* num_peers of the restart */
	int console_bckpt;		/* console waits for completion */

	long interval_ms;		/* checkpoint interval, 0 = off
					   (co_interval_s: in seconds) */
	int timeline;			/* a worker asked for a timeline:
					   keep generations (--timeline) */
	int keep_configured;		/* --keep-generations as given */
	long interval_configured_ms;	/* -i as given */
	int asked;			/* the computation's workers changed
					   these (timeline, interval) */
	uint32_t ckpt_trigger;		/* enum img_snap_trigger of the
					   checkpoint starting next */
	char ckpt_tag[128];		/* and its tag ("" none) */
	uint64_t next_ckpt_ms;		/* 0 = not scheduled */
	time_t last_ckpt_time;		/* wall clock, 0 = never */
	uint64_t last_ckpt_ms;		/* duration */
	size_t last_nimages;		/* images of the last checkpoint */
	uint64_t last_bytes;		/* and their total size */
	int ckpts_done;

	int killing;			/* KILL sent, waiting for exits */
	uint64_t kill_deadline_ms;
	int kill_freezing;		/* KILL FREEZE sent, waiting for
					   every KILL_READY */
	uint64_t kill_freeze_deadline_ms;
	int console_wait;		/* enum co_wait for the console */
	int quit;			/* leave the event loop */
};

extern struct co_state co;

/* Before anything else: every field 0, but no descriptors (-1) and
 * client ids from 1. */
void co_state_init(void);
/* Events for the user: stderr (unless quiet for info) + logfile. */
void co_event(int important, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Open the event log (--coord-logfile, or a daemon's default one, once
 * co.port is known); 0, or -1 after saying why on stderr. */
int co_log_open(void);
/* At exit: the checkpoint record, the listening socket, the log. */
void co_state_free(void);

/* ---- limits.c: rate-limited events ---- */
/* A kind of message that may come in floods: at most `burst` lines a
 * second, the others are counted and summed up in one line. */
struct co_ratelimit {
	const char *what;		/* "messages about ..." */
	unsigned burst;
	uint64_t window_ms;		/* start of the current second */
	unsigned printed;		/* lines in this window */
	unsigned long suppressed;
	uint64_t start_ms;		/* first suppressed one */
};
extern struct co_ratelimit co_rl_preauth, co_rl_auth, co_rl_fds;
void co_event_limited(struct co_ratelimit *rl, int important,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sum up suppressed messages whose second is over. */
void co_limits_tick(uint64_t now);
/* A message about client c: rate-limited while c is unauthenticated. */
#define co_client_event(c, important, ...) \
	((c)->authed ? co_event((important), __VA_ARGS__) : \
	 co_event_limited(&co_rl_preauth, (important), __VA_ARGS__))

/* ---- clients.c ---- */
enum co_kind { CO_NEW, CO_WORKER, CO_COMMAND };

/* What a dmtcp_command connection (or the console) is waiting for. */
enum co_wait { CO_WAIT_NONE, CO_WAIT_BCKPT, CO_WAIT_KILL, CO_WAIT_QUIT };

struct co_client {
	int fd;
	enum co_kind kind;
	uint64_t id;			/* 0 until a worker is welcomed */
	char peer[64];			/* remote address, for messages */
	uint64_t connected_ms;
	int authed;			/* sent a hello with the secret */
	int closing;			/* close once out is flushed */
	uint64_t close_deadline_ms;

	unsigned char *in;		/* partial input */
	size_t in_len, in_cap;
	unsigned char *out;		/* unsent output */
	size_t out_len, out_cap;

	/* worker; host and prog are escaped (escape.h) when received,
	   so they can be printed as they are */
	uint32_t pid;
	char host[ESC_SIZE(64)];
	char prog[ESC_SIZE(64)];
	char unique_id[64];
	int state;			/* enum dmtcp_worker_state */
	int barrier;			/* last barrier reached, 0 = none */
	int in_ckpt;			/* takes part in the current ckpt */
	int bg_writing;			/* its forked child writes its image
					   (CKPT_WRITTEN FORKED, no BG_DONE
					   yet) */
	int restarting;			/* takes part in the current restart */
	int kill_ready;			/* stopped, waiting for KILL NOW */
	int prejoin;			/* opened for a process being forked
					   or exec'd: no WORKER_UPDATE yet */
	int lagging;			/* did not answer a checkpoint in
					   time; its barriers are released
					   at once until it is through */
	int lag_failed;			/* ... and that checkpoint failed */
	uint32_t prejoin_by;		/* pid of the process that opened it */
	char image[PATH_MAX];		/* last image written (raw) */

	/* command */
	enum co_wait wait;
	char ubar[128];			/* user barrier waited at, or "" */
};

/* Table of connected clients; iterate i < co_nclients. */
extern struct co_client **co_clients;
extern size_t co_nclients;

/* A new, unauthenticated client (the event loop goes through
 * co_client_accept(), pending.c, to keep the bound on those). */
struct co_client *co_client_add(int fd, const char *peer);
/* Closes and frees; callers must not touch c afterwards. */
void co_client_remove(struct co_client *c);
/* Queue a message (never blocks); 0, or -1 if the client was marked
 * for dropping (output overflow or write error). */
int co_send_flags(struct co_client *c, uint16_t type, uint32_t flags,
		  uint64_t arg0, uint64_t arg1, const void *payload,
		  size_t len);
int co_send(struct co_client *c, uint16_t type, uint64_t arg0,
	    uint64_t arg1, const void *payload, size_t len);
/* Try to write queued output; -1 on a fatal write error. */
int co_flush(struct co_client *c);
/* Mark c to be closed by the event loop, without flushing its output. */
void co_client_drop(struct co_client *c);
/* Send REFUSE with a reason and close after it is flushed. */
void co_refuse(struct co_client *c, const char *reason);
void co_refuse_retry(struct co_client *c, const char *reason);
int co_num_workers(void);

/* ---- reply.c: answers to requesters (NULL = the console) ---- */
/* Deliver a reply to c or print it on the console (c == NULL). */
void co_reply(struct co_client *c, int status, const char *text);
/* Checkpoint finished (ok) or was abandoned; answers the waiters. */
void co_ckpt_finished(int ok, const char *text);
/* Every worker is gone after a kill (or the wait timed out). */
void co_kill_finished(int remaining);

/* ---- services.c: plugin key-value database and named barriers ---- */
/* Handle KV_PUT/KV_GET/USER_BARRIER from a command client; -1: drop c. */
int co_service(struct co_client *c, const struct dmtcp_msg *m,
	       const char *payload);
/* Release user barriers whose participants all arrived. */
void co_user_barrier_recheck(void);
/* Forget every published key (the computation ended). */
void co_kv_clear(void);

/* ---- reap.c: unlink now, free the blocks off the critical path ---- */
/* unlinkat(dfd, name) of a regular file of ours; its blocks are freed
   when co_reap_start's helper closes the descriptor held on it */
int co_reap_unlinkat(int dfd, const char *name);
void co_reap_start(void);	/* close what is held, in a helper thread */
void co_reap_wait(void);	/* the helper is done (space freed) */

/* ---- gens.c: the files of each checkpoint generation ---- */
/* A checkpoint did not commit: remove the images it announced, their
 * side files and temporaries (never what the restart script names). */
void co_gens_discard(char *const *paths, size_t n);
/* Generation gen committed with these images: remove older generations
 * beyond co.opts.keep_generations. */
void co_gens_committed_set(uint32_t gen, char *const *paths, size_t n);
/* A restart from these images completed (they count as committed). */
void co_gens_restarted(uint32_t gen, char *const *paths, size_t n);
/* The newest committed generation of the current computation known
 * (from this coordinator or its restart script), 0 if none. */
uint32_t co_gens_newest(void);
/* The same, and the generations named in the directories of paths. */
uint32_t co_gens_newest_near(char *const *paths, size_t n);

/* ---- script.c ---- */
/* Writes the restart script for the current images and points the
 * dmtcp_restart_script.sh symlink at it: the commit point of a
 * checkpoint.  0, or -1 with the reason in why. */
int co_write_restart_script(char *path_out, size_t cap, char *why,
			    size_t whycap);
/* Write and sync the script naming these images ahead, under a
 * temporary name: co_write_restart_script then only renames it (if the
 * images are still these).  co_script_unprepare drops it. */
void co_script_prepare(char *const *paths, size_t n);
void co_script_unprepare(void);
/* Turn a computation id into something safe in a file name. */
void co_sanitize_name(char *dst, size_t cap, const char *src);

/* ---- ckpt.c ---- */
/* Start a checkpoint; 0, or a DMTCP_REPLY_* status with why in *why. */
int co_ckpt_start(const char **why);
/* Would co_ckpt_start() start one now?  Same return values. */
int co_ckpt_can_start(const char **why);
void co_barrier_reached(struct co_client *c, int barrier);
void co_ckpt_written(struct co_client *c, const struct dmtcp_msg *m,
		     const char *payload);
/* c is about to write the image at path (CKPT_WRITING). */
void co_ckpt_writing(struct co_client *c, const char *path);
/* c is going away: a process lost while frozen fails the checkpoint. */
void co_ckpt_worker_lost(struct co_client *c);
/* A worker still in a checkpoint nobody else is in (or NULL). */
struct co_client *co_ckpt_lagging(void);
/* Re-check barriers after a worker left. */
void co_barrier_recheck(void);
void co_kill_all(void);
void co_kill_recheck(void);
void co_tick(uint64_t now);
/* Earliest deadline for the poll timeout, or 0. */
uint64_t co_next_deadline(void);
void co_schedule_interval(void);

/* ---- commands.c ---- */
/* Requester c (NULL = console) asks for cmd; replies now or later. */
/* payload: a command's payload (a CHECKPOINT's tag), NULL if none */
void co_command(struct co_client *c, int cmd, uint64_t arg,
		const char *payload, size_t len);
/* The checkpoint interval, in ms (0 = off), rescheduled from now. */
void co_set_interval_ms(long ms);
/* The interval in whole seconds (rounded up), as INTERVAL= shows it. */
long co_interval_s(void);
void co_status_text(struct co_buf *b);
void co_list_text(struct co_buf *b);

/* ---- dispatch.c ---- */
/* Handle one complete message from c; payload is NUL-terminated.
 * Returns -1 if c must be dropped. */
int co_dispatch(struct co_client *c, const struct dmtcp_msg *m,
		char *payload);
/* Bookkeeping when a client goes away (before it is freed). */
void co_client_gone(struct co_client *c);

/* ---- input.c: the per-client message decoder ---- */
/* Before authentication a client may send a hello and nothing else:
 * this much input at most is read and kept (doc/protocol.md). */
#define CO_PREAUTH_MAX	(sizeof(struct dmtcp_msg) + \
			 sizeof(struct dmtcp_hello))
/* Why a header is unacceptable (bad magic/version/size), or NULL. */
const char *co_header_problem(const struct dmtcp_msg *m);
/* How many more bytes c may send before a message must be complete. */
size_t co_client_room(const struct co_client *c);
/* Read what c's socket holds (non-blocking, at most co_client_room())
 * and parse it; drops c on EOF, error or bad input. */
void co_client_read(struct co_client *c);
/* Dispatch every complete message in c->in (c->in_cap > c->in_len
 * always: one spare byte terminates payloads); drops c on bad input. */
void co_client_parse(struct co_client *c);
/* Append len bytes to c's input and parse them; 0, or -1 once c is
 * being dropped. */
int co_client_feed(struct co_client *c, const void *data, size_t len);

/* ---- pending.c: connections waiting for their hello ---- */
#define CO_PENDING_MAX	64	/* connections waiting for their hello */

/* Unauthenticated and not being dropped. */
int co_client_pending(const struct co_client *c);
size_t co_pending_count(void);
/* Drop the oldest pending connection, its descriptor closed at once
 * (after reading what it sent: its hello may be there, and then it is
 * served instead and the next oldest goes); 1 if one was dropped. */
int co_pending_drop_oldest(const char *why);
/* Drop pending connections until one more fits under CO_PENDING_MAX. */
void co_pending_make_room(void);
/* A new connection: co_client_add() after co_pending_make_room(). */
struct co_client *co_client_accept(int fd, const char *peer);

/* ---- console.c ---- */
int co_console_init(void);	/* 0, or -1 if there is no console */
int co_console_fd(void);	/* fd to poll, or -1 */
void co_console_readable(void);
void co_console_close(void);
/* SIGINT arrived: 1 if the console used it (cleared a typed line). */
int co_console_interrupt(void);

/* ---- loop.c ---- */
int co_loop_run(void);

#endif /* DMTCP_COORD_H */
