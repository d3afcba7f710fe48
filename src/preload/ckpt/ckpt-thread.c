/*
 * ckpt/ckpt-thread.c - the checkpoint thread: talks to the coordinator and
 * runs the checkpoint sequence (suspend, barriers, write the image,
 * resume) and, in a restarted process, the restart sequence (restore
 * process state and fds, rejoin the coordinator, release the threads).
 *
 * While application threads are frozen they may hold any lock (malloc's
 * included), so nothing here may allocate from the heap.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "image/image.h"
#include "fd/fd.h"
#include "fd/socket.h"
#include "plugin/plugin.h"
#include "log.h"
#include "base/sys.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

int dmtcp_coord_fd = -1;
volatile int dmtcp_ckpt_done_seq;	/* futex: bumped after each cycle */
static int wake_fd[2] = { -1, -1 };	/* crash handler -> this thread */
static int local_only;			/* checkpoint without coordinator */
static volatile int local_requested;

/* In a forked child: what the parent's checkpoint thread owned. */
void dmtcp_ckpt_atfork_child(void)
{
	dmtcp_sentinel_drop();	/* the parent's */
	if (dmtcp_coord_fd >= 0)
		close(dmtcp_coord_fd);
	dmtcp_coord_fd = -1;
	for (int i = 0; i < 2; i++) {
		if (wake_fd[i] >= 0)
			close(wake_fd[i]);
		wake_fd[i] = -1;
	}
	dmtcp_ckpt_tid = 0;
	dmtcp_ckpt_in_progress = 0;
	local_only = 0;
	local_requested = 0;
	dmtcp_bg_atfork_child();	/* the parent's forked writer */
	dmtcp_image_chain_reset();	/* a new process: a full image */
	dmtcp_crit_atfork_child();
}

/* Async-signal-safe: ask the checkpoint thread for a local checkpoint. */
/* DMTCP_SNAPSHOT_SIGNAL (snapsig.c): ask the coordinator for a
   checkpoint of the computation, from the checkpoint thread */
static volatile int snapshot_requested;

int dmtcp_request_snapshot(void)
{
	if (wake_fd[1] < 0)
		return -1;
	snapshot_requested = 1;
	return rsys3(SYS_write, wake_fd[1], (long)"s", 1) == 1 ? 0 : -1;
}

static void send_snapshot_request(void)
{
	struct dmtcp_msg m;
	char reply[512];

	snapshot_requested = 0;
	if (dmtcp_coord_call(DMTCP_MSG_COMMAND, DMTCP_CMD_CHECKPOINT,
			     IMG_SNAP_SIGNAL, NULL, 0, DMTCP_MSG_REPLY, &m,
			     reply, sizeof(reply), NULL) < 0)
		pr_warn("snapshot signal: cannot reach the coordinator: %s",
			strerror(errno));
	else if (m.type != DMTCP_MSG_REPLY || m.arg0 != DMTCP_REPLY_OK)
		pr_warn("snapshot signal: the coordinator did not start a "
			"checkpoint: %.200s", reply);
}

int dmtcp_request_local_ckpt(void)
{
	if (wake_fd[1] < 0)
		return -1;
	local_requested = 1;
	return rsys3(SYS_write, wake_fd[1], (long)"c", 1) == 1 ? 0 : -1;
}

/*
 * The crash handler's wake-up pipe, at 820 and above.  A restart does not
 * bring it back (restored processes get none of our fds but the new
 * coordinator socket), so restart_sequence opens a new one: without it
 * the checkpoint thread's poll() found the old number invalid (POLLNVAL)
 * or taken by another of our fds, and spun at full CPU after every
 * restart, and --ckpt-on-crash could not wake it.
 */
static void open_wake_pipe(void)
{
	if (pipe2(wake_fd, O_CLOEXEC) < 0) {
		wake_fd[0] = wake_fd[1] = -1;
		return;
	}
	for (int i = 0; i < 2; i++)
		wake_fd[i] = dmtcp_fd_above(wake_fd[i], DMTCP_FD_PROTECTED,
					    "the crash wake-up pipe");
}

static char msgbuf[8192];

/* user threads deliver THREAD_RESUME when they leave a checkpoint */
static void user_thread_resumed(int restarted)
{
	dmtcp_plugins_event_restart(DMTCP_EVENT_THREAD_RESUME, restarted,
				    PLUG_USER);
}

static void ckpt_begin(void)
{
	dmtcp_crit_ckpt_begin();
}

static void ckpt_end(void)
{
	/* a debugger's hold is for one checkpoint (threads/threads.c);
	   DMTCP_HOLD_KEEP is the debugger's to clear */
	{
		uint32_t h = DMTCP_HOLD_PARK;

		__atomic_compare_exchange_n(&dmtcp_debug_info.hold, &h, 0, 0,
					    __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	}
	dmtcp_crit_ckpt_end();
	__atomic_add_fetch(&dmtcp_ckpt_done_seq, 1, __ATOMIC_SEQ_CST);
	futex_wake(&dmtcp_ckpt_done_seq);
}

static int coord_send(uint16_t type, uint64_t a0, uint64_t a1,
		      const void *payload, size_t len, uint32_t flags)
{
	struct dmtcp_msg m;

	if (dmtcp_coord_fd < 0 || local_only) {
		errno = ENOTCONN;
		return -1;
	}
	dmtcp_msg_init(&m, type);
	m.arg0 = a0;
	m.arg1 = a1;
	m.flags = flags;
	return dmtcp_msg_send(dmtcp_coord_fd, &m, payload, len);
}

static void die_killed(void)
{
	pr_debug("killed by the coordinator");
	rsys2(SYS_kill, rsys_getpid(), SIGKILL);
}

/*
 * KILL in two steps (dmtcp_command --kill): stop our threads and say so,
 * then die on the coordinator's word when every process has stopped, so
 * none of them sees another one die first (a parent reaping a killed
 * child, a make deleting the target of a killed job).  During a
 * checkpoint or a restart the threads are stopped already.  Losing the
 * coordinator here is the same word.
 */
static void kill_freeze(void)
{
	struct dmtcp_msg m;

	if (!dmtcp_ckpt_in_progress && !dmtcp_restarting)
		dmtcp_suspend_threads_for(1000);
	coord_send(DMTCP_MSG_KILL_READY, 0, 0, NULL, 0, 0);
	while (dmtcp_msg_recv(dmtcp_coord_fd, &m, msgbuf,
			      sizeof(msgbuf) - 1) == 0 &&
	       m.type != DMTCP_MSG_KILL)
		;
	die_killed();
}

/* Receive one message; KILL is handled here.  0 or -1. */
static int coord_recv(struct dmtcp_msg *m)
{
	if (dmtcp_msg_recv(dmtcp_coord_fd, m, msgbuf, sizeof(msgbuf) - 1) < 0)
		return -1;
	if (m->type == DMTCP_MSG_KILL) {
		if (m->arg0 == DMTCP_KILL_FREEZE)
			kill_freeze();
		die_killed();
	}
	return 0;
}

/*
 * A checkpoint is one transaction over the whole computation
 * (doc/design.md, "Checkpoint as a transaction").  Each release of a
 * checkpoint barrier says in arg1 how many processes failed so far (an
 * fd nothing restores, an image that could not be written, a process
 * lost or not answering).  Once that is > 0 the checkpoint is lost: no
 * more work (no drain, no image), only the remaining barriers, and an
 * image already written is deleted when CHECKPOINTED's release still
 * says > 0 (the coordinator did not commit this generation: its restart
 * script names the previous one).
 */
static uint64_t peers_failed;
/* The coordinator went away during this checkpoint: nothing more is
 * written, but an image already written stays (it may have committed). */
static int coord_lost;

/* Without a coordinator (it died), barriers are no-ops. */
static int barrier(int id)
{
	struct dmtcp_msg m;

	if (dmtcp_coord_fd < 0 || local_only)
		return 0;
	if (coord_send(DMTCP_MSG_BARRIER, id, 0, NULL, 0, 0) < 0)
		goto lost;
	for (;;) {
		if (coord_recv(&m) < 0)
			goto lost;
		if (m.type == DMTCP_MSG_BARRIER_RELEASE && (int)m.arg0 == id) {
			if (id <= DMTCP_BAR_REFILLED && m.arg1 > peers_failed)
				peers_failed = m.arg1;
			return 0;
		}
		pr_debug("ignoring message %d while in barrier %d", m.type, id);
	}
lost:
	if (id <= DMTCP_BAR_REFILLED) {
		coord_lost = 1;
		peers_failed = peers_failed ? peers_failed : 1;
	}
	pr_warn("lost the coordinator during barrier %d: %s", id,
		strerror(errno));
	dmtcp_sentinel_drop();
	close(dmtcp_coord_fd);
	dmtcp_coord_fd = -1;
	return -1;
}

/* This process takes no part in the checkpoint started: say why, and go
   through its barriers so that the others do not wait for us. */
static void fail_through_barriers(const char *why)
{
	coord_send(DMTCP_MSG_CKPT_WRITTEN, 0, 0, why, strlen(why) + 1,
		   DMTCP_CKPT_FAILED);
	for (int b = DMTCP_BAR_SUSPENDED; b <= DMTCP_BAR_REFILLED; b++)
		barrier(b);
}

/* Before FD_LEADER_ELECTION: this process cannot be checkpointed. */
void dmtcp_ckpt_refuse(const char *why)
{
	coord_send(DMTCP_MSG_CKPT_WRITTEN, 0, 0, why, strlen(why) + 1,
		   DMTCP_CKPT_FAILED);
}

/* Who this process is, for HELLO_WORKER and WORKER_UPDATE. */
void dmtcp_fill_hello(struct dmtcp_hello *h, uint32_t flags)
{
	int restart = !!(flags & DMTCP_HELLO_RESTART);

	memset(h, 0, sizeof(*h));
	util_strlcpy(h->secret, dmtcp_cfg.secret, sizeof(h->secret));
	h->pid = rsys_getpid();
	h->ppid = getppid();
	h->uid = getuid();
	h->flags = flags;
	h->generation = dmtcp_generation;
	h->interval_ms = dmtcp_cfg.interval_ms;
	if (dmtcp_cfg.timeline) {
		h->flags |= DMTCP_HELLO_TIMELINE;
		h->keep = dmtcp_cfg.timeline_keep;
	}
	h->num_peers = restart && dmtcp_handoff.num_peers ?
		       dmtcp_handoff.num_peers : 1;
	util_strlcpy(h->hostname, dmtcp_cfg.hostname, sizeof(h->hostname));
	util_strlcpy(h->progname, dmtcp_cfg.progname, sizeof(h->progname));
	util_strlcpy(h->comp_id, dmtcp_cfg.comp_id, sizeof(h->comp_id));
	util_strlcpy(h->unique_id, dmtcp_cfg.unique_id, sizeof(h->unique_id));
	if (restart)
		util_strlcpy(h->image, dmtcp_handoff.image, sizeof(h->image));
}

/*
 * Take fd, a connection opened for us by our parent before the fork or
 * by our former program before the exec (prejoin.c), as our coordinator
 * connection and say who we are on it.  0, or -1 (fd closed).
 */
int dmtcp_coord_adopt(int fd)
{
	static struct dmtcp_hello h;

	if (fd < DMTCP_FD_PROTECTED ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int hi = fcntl(fd, F_DUPFD_CLOEXEC, DMTCP_FD_PROTECTED);

		close(fd);
		if (hi < 0)
			return -1;
		fd = hi;
	}
	dmtcp_coord_fd = fd;
	dmtcp_fill_hello(&h, 0);
	if (coord_send(DMTCP_MSG_WORKER_UPDATE, 0, 0, &h, sizeof(h), 0) < 0) {
		pr_warn("cannot use the coordinator connection made for this "
			"process: %s", strerror(errno));
		close(fd);
		dmtcp_coord_fd = -1;
		return -1;
	}
	pr_debug("took over the coordinator connection made for us (fd %d)",
		 fd);
	dmtcp_sentinel_set();
	return 0;
}

int dmtcp_coord_join(int restart)
{
	static struct dmtcp_hello h;
	struct dmtcp_msg m;
	const char *host = dmtcp_cfg.coord_host;
	int port = dmtcp_cfg.coord_port;
	int fd;

	memset(&h, 0, sizeof(h));
	fd = coord_connect(host, port, 5000);
	if (fd < 0) {
		pr_err("cannot connect to the coordinator at %s:%d: %s", host,
		       port, strerror(errno));
		return -1;
	}
	fd = dmtcp_fd_above(fd, DMTCP_FD_PROTECTED, "the coordinator connection");
	dmtcp_fill_hello(&h, restart ? DMTCP_HELLO_RESTART : 0);
	dmtcp_coord_fd = fd;
	if (coord_send(DMTCP_MSG_HELLO_WORKER, 0, 0, &h, sizeof(h), 0) < 0 ||
	    dmtcp_msg_recv(fd, &m, msgbuf, sizeof(msgbuf) - 1) < 0) {
		pr_err("coordinator at %s:%d did not answer: %s", host, port,
		       errno ? strerror(errno) : "connection closed");
		goto fail;
	}
	if (m.type == DMTCP_MSG_REFUSE) {
		pr_err("coordinator at %s:%d refused this process: %s", host,
		       port, msgbuf);
		goto fail;
	}
	if (m.type != DMTCP_MSG_WELCOME ||
	    m.payload_len < sizeof(struct dmtcp_welcome)) {
		pr_err("unexpected answer %d from the coordinator", m.type);
		goto fail;
	}
	struct dmtcp_welcome *w = (struct dmtcp_welcome *)msgbuf;

	w->comp_id[sizeof(w->comp_id) - 1] = 0;
	w->ckpt_dir[sizeof(w->ckpt_dir) - 1] = 0;
	util_strlcpy(dmtcp_cfg.comp_id, w->comp_id, sizeof(dmtcp_cfg.comp_id));
	util_strlcpy(dmtcp_cfg.coord_ckpt_dir, w->ckpt_dir,
		     sizeof(dmtcp_cfg.coord_ckpt_dir));
	pr_debug("joined coordinator %s:%d as client %llu (%s)", host, port,
		 (unsigned long long)m.arg0, restart ? "restart" : "new");
	dmtcp_sentinel_set();
	return 0;
fail:
	close(fd);
	dmtcp_coord_fd = -1;
	return -1;
}

static void restart_sequence(void);

/* 1 once this checkpoint has failed (see peers_failed). */
int dmtcp_ckpt_barrier(int id)
{
	barrier(id);
	return peers_failed > 0;
}

/* The verdict on this process's image of checkpoint gen: committed,
   failed elsewhere (it belongs to no set), or unknown (the coordinator
   went away before saying). */
static void image_committed(const char *path, uint64_t usec)
{
	dmtcp_last_ckpt_usec = usec;
	util_strlcpy(dmtcp_cfg.image_path, path, sizeof(dmtcp_cfg.image_path));
	dmtcp_debuginfo_committed(path, dmtcp_generation);
}

static void image_dropped(uint32_t gen, const char *path)
{
	dmtcp_image_discard(path);
	dmtcp_num_ckpts--;
	pr_warn("checkpoint %u failed in another process (see the "
		"coordinator); removed %s", gen, path);
}

static void image_unconfirmed(uint32_t gen, const char *path)
{
	pr_warn("lost the coordinator before it confirmed checkpoint %u: %s "
		"is in its restart script only if it committed the "
		"checkpoint before it went away", gen, path);
}

/*
 * A forked checkpoint (ckpt/bgwrite.c): all but the memory now, then a
 * child writes the memory while the process runs on (*forked = 1), or,
 * where that is not safe, the memory in place.
 */
static char bg_path[PATH_MAX];	/* the image a forked child writes */
static int bg_rc;		/* its result, once reported */
static uint64_t bg_usec;

static int write_image_forked(const char *dir, char *path, uint64_t *bytes,
			      int *forked, char *err, size_t errcap)
{
	char why[600];
	uint64_t t0 = dmtcp_now_mono_ns(), t1;

	if (dmtcp_image_begin(dir, "", path, err, errcap) < 0)
		return -1;
	t1 = dmtcp_now_mono_ns();
	*forked = dmtcp_bg_start(why, sizeof(why));
	pr_debug("image begun in %llu us, writer %s in %llu us",
		 (unsigned long long)(t1 - t0) / 1000,
		 *forked ? "forked" : "not forked",
		 (unsigned long long)(dmtcp_now_mono_ns() - t1) / 1000);
	if (*forked)
		return 0;
	pr_debug("writing the image in place, not in a forked child: %s",
		 why);
	return dmtcp_image_finish(bytes, err, errcap);
}

/* The forked writer reported: tell the coordinator, which commits. */
static void bg_collect(void)
{
	char err[512];
	uint64_t bytes = 0;

	bg_rc = dmtcp_bg_collect(&bytes, &bg_usec, err, sizeof(err));
	if (bg_rc == 0)
		pr_debug("forked writer wrote %s: %llu bytes in %llu us",
			 bg_path, (unsigned long long)bytes,
			 (unsigned long long)bg_usec);
	else
		pr_err("checkpoint %u failed: %s", dmtcp_generation, err);
	if (dmtcp_coord_fd < 0) {
		/* nobody to commit it: it belongs to no set */
		dmtcp_image_discard(bg_path);
		dmtcp_num_ckpts--;
		dmtcp_bg_done();
		return;
	}
	if (bg_rc == 0)
		coord_send(DMTCP_MSG_CKPT_WRITTEN, bytes, bg_usec, bg_path,
			   strlen(bg_path) + 1, DMTCP_CKPT_BG_DONE);
	else
		coord_send(DMTCP_MSG_CKPT_WRITTEN, 0, bg_usec, err,
			   strlen(err) + 1,
			   DMTCP_CKPT_BG_DONE | DMTCP_CKPT_FAILED);
}

/* CKPT_DONE: committed (failures 0) or not. */
static void bg_verdict(uint64_t failures)
{
	if (!dmtcp_bg_busy())
		return;
	dmtcp_image_committed(failures == 0 && bg_rc == 0);
	if (failures == 0 && bg_rc == 0) {
		image_committed(bg_path, bg_usec);
	} else if (bg_rc == 0) {
		image_dropped(dmtcp_generation, bg_path);
	} else {		/* the child's error was reported already */
		dmtcp_image_discard(bg_path);
		dmtcp_num_ckpts--;
	}
	dmtcp_bg_done();
}

static void do_checkpoint(uint32_t gen, const char *dir_from_coord)
{
	char err[512] = "";
	char path[PATH_MAX];
	uint64_t bytes = 0, t0, usec;
	struct dmtcp_thread *self;
	const char *dir;
	int rc, which, refused;
	volatile int forked = 0;

	ckpt_begin();
	peers_failed = 0;
	coord_lost = 0;
	dmtcp_running_state = 0;
	dmtcp_generation = gen;		/* hooks see the new generation */
	/* a crash image is this process's alone: no user hooks (their
	   global barriers would wait for processes that are not coming) */
	which = local_only ? PLUG_INTERNAL : PLUG_ALL;
	dmtcp_thread_resume_hook = !local_only && dmtcp_n_user_plugins ?
				   user_thread_resumed : NULL;
	dmtcp_plugins_event(DMTCP_EVENT_PRESUSPEND, NULL, which);
	pr_debug("checkpoint generation %u: suspending threads", gen);
	if (dmtcp_suspend_threads() < 0) {
		if (errno == EBUSY)
			snprintf(err, sizeof(err), "thread %d of pid %d is "
				 "stopped by a debugger (tracer pid %d): it "
				 "cannot reach the checkpoint; continue it in "
				 "the debugger, or use `dmtcp checkpoint` in "
				 "gdb, which does", dmtcp_suspend_traced_tid,
				 (int)getpid(), dmtcp_suspend_tracer);
		else
			snprintf(err, sizeof(err), "cannot suspend threads: "
				 "%s", strerror(errno));
		dmtcp_resume_threads();
		pr_err("checkpoint failed: %s", err);
		fail_through_barriers(err);
		dmtcp_running_state = 1;
		ckpt_end();
		return;
	}
	barrier(DMTCP_BAR_SUSPENDED);
	if (peers_failed) {
		/* lost before anything was saved (a process died or did not
		   answer in time, the coordinator went away): the others may
		   be running again already, so touch nothing shared */
		pr_warn("checkpoint %u abandoned before this process saved "
			"anything: %s", gen, coord_lost ? "lost the coordinator"
			: "another process of the computation failed (see the "
			"coordinator)");
		for (int b = DMTCP_BAR_FD_LEADER_ELECTION;
		     b <= DMTCP_BAR_REFILLED; b++)
			barrier(b);
		dmtcp_running_state = 1;
		dmtcp_resume_threads();
		if (which & PLUG_USER)
			dmtcp_plugins_event_restart(DMTCP_EVENT_RUNNING, 0,
						    PLUG_USER);
		ckpt_end();
		return;
	}
	/* user plugins, then procstate and files (which go through the
	   FD_LEADER_ELECTION and DRAINED barriers): ckpt/steps.c */
	dmtcp_plugins_event(DMTCP_EVENT_PRECHECKPOINT, NULL, which);

	dmtcp_num_ckpts++;
	self = dmtcp_thread_slot(dmtcp_ckpt_tid);
	if (dmtcp_ctx_save(&self->ctx) != 0) {
		restart_sequence();
		return;
	}
	/* the debugger tools want registers for this thread too */
	self->info.regs.rip = self->ctx.rip;
	self->info.regs.rsp = self->ctx.rsp;
	self->info.regs.rbp = self->ctx.rbp;
	self->info.regs.rbx = self->ctx.rbx;
	self->info.regs.r12 = self->ctx.r12;
	self->info.regs.r13 = self->ctx.r13;
	self->info.regs.r14 = self->ctx.r14;
	self->info.regs.r15 = self->ctx.r15;
	self->info.regs.cs = 0x33;
	self->info.regs.ss = 0x2b;
	dir = dir_from_coord && *dir_from_coord && !dmtcp_cfg.ckpt_dir_explicit
	      ? dir_from_coord : dmtcp_cfg.ckpt_dir;
	t0 = dmtcp_now_mono_ns();
	/* an fd nothing can restore, here or in another process (reported
	   before DRAINED), or a process lost: nobody writes, the previous
	   images stay */
	refused = !local_only && (dmtcp_fds_refused(err, sizeof(err)) ||
				  peers_failed);
	if (refused && !err[0])
		snprintf(err, sizeof(err), "image not written: %s",
			 coord_lost ? "lost the coordinator" :
			 "another process of the computation failed (see "
			 "the coordinator)");
	/* the name goes to the coordinator first: if this process dies
	   while writing, the coordinator removes what it left */
	if (!refused && !local_only &&
	    dmtcp_image_path(dir, "", path, sizeof(path)) == 0)
		coord_send(DMTCP_MSG_CKPT_WRITING, 0, 0, path,
			   strlen(path) + 1, 0);
	if (refused)
		rc = -1;
	else if (local_only || !dmtcp_cfg.forked)
		rc = dmtcp_write_image(dir, local_only ? "_crash" : "", path,
				       &bytes, err, sizeof(err));
	else
		rc = write_image_forked(dir, path, &bytes, (int *)&forked, err,
					sizeof(err));
	if (local_only && rc == 0)
		pr_err("%s in thread %d: wrote %s before dying; see it with "
		       "'dmtcp_inspect bt %s' or 'dmtcp_restart --gdb %s'",
		       strsignal(dmtcp_crash_sig), dmtcp_crash_tid, path, path,
		       path);
	usec = (dmtcp_now_mono_ns() - t0) / 1000;
	if (forked) {
		/* captured; the child reports the image later (BG_DONE) */
		pr_debug("state captured in %llu us; a forked child writes %s",
			 (unsigned long long)usec, path);
		coord_send(DMTCP_MSG_CKPT_WRITTEN, 0, usec, path,
			   strlen(path) + 1, DMTCP_CKPT_FORKED);
	} else if (rc == 0) {
		pr_debug("wrote %s: %llu bytes in %llu us", path,
			 (unsigned long long)bytes, (unsigned long long)usec);
		coord_send(DMTCP_MSG_CKPT_WRITTEN, bytes, usec, path,
			   strlen(path) + 1, 0);
	} else {
		dmtcp_num_ckpts--;
		pr_err("checkpoint %u failed: %s", gen, err);
		if (!refused)	/* else reported already */
			coord_send(DMTCP_MSG_CKPT_WRITTEN, 0, usec, err,
				   strlen(err) + 1, DMTCP_CKPT_FAILED);
	}
	barrier(DMTCP_BAR_CHECKPOINTED);
	if (forked && peers_failed) {
		/* the others failed: stop the writer, nothing commits */
		dmtcp_bg_kill();
		dmtcp_image_discard(path);
		dmtcp_num_ckpts--;
		rc = -1;
		forked = 0;
		snprintf(err, sizeof(err), "image abandoned: another process "
			 "of the computation failed");
		coord_send(DMTCP_MSG_CKPT_WRITTEN, 0, 0, err, strlen(err) + 1,
			   DMTCP_CKPT_BG_DONE | DMTCP_CKPT_FAILED);
		dmtcp_bg_done();
	} else if (forked) {
		util_strlcpy(bg_path, path, sizeof(bg_path));
		rc = -1;	/* not known yet: bg_collect, bg_verdict */
	} else if (rc == 0 && !local_only && peers_failed && !coord_lost) {
		/* not committed: the restart script still names the previous
		   generation, and this image belongs to no set */
		image_dropped(gen, path);
		rc = -1;
	} else if (rc == 0 && coord_lost) {
		image_unconfirmed(gen, path);
	}
	if (!local_only && !forked && !refused)
		dmtcp_image_committed(rc == 0 && !coord_lost);
	if (rc == 0)
		image_committed(path, usec);
	dmtcp_plugins_event_restart(DMTCP_EVENT_RESUME, 0, which);
	barrier(DMTCP_BAR_REFILLED);
	dmtcp_running_state = 1;
	dmtcp_resume_threads();
	if (which & PLUG_USER)
		dmtcp_plugins_event_restart(DMTCP_EVENT_RUNNING, 0, PLUG_USER);
	ckpt_end();
}

/*
 * After a restart with another coordinator, children started from now
 * on must find it too: rewrite DMTCP_COORD_PORT/SECRET in the restored
 * environment in place (no allocation here; dmtcp_launch zero-pads the
 * port to five digits and secrets have a fixed length).
 */
static void env_overwrite(const char *name, const char *value)
{
	extern char **environ;
	size_t nl = strlen(name), vl = strlen(value);

	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, name, nl) != 0 || (*e)[nl] != '=')
			continue;
		if (strlen(*e + nl + 1) == vl)
			memcpy(*e + nl + 1, value, vl);
		else
			pr_debug("%s: cannot update in place", name);
		return;
	}
}

static void update_environ(void)
{
	char port[16];

	snprintf(port, sizeof(port), "%05d", dmtcp_cfg.coord_port);
	env_overwrite("DMTCP_COORD_PORT", port);
	env_overwrite("DMTCP_COORD_SECRET", dmtcp_cfg.secret);
}

/*
 * Programs such as shells keep their own copy of the environment, so
 * their children may still name the coordinator the computation had
 * before the restart.  Leave the current one where a new process of the
 * computation looks first (see coord_from_state_file() in init.c).
 */
static void publish_coordinator(void)
{
	char path[PATH_MAX], tmp[PATH_MAX + 64], line[512];
	int fd, n;

	if (dmtcp_coord_state_path(path, sizeof(path)) < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %d %s\n", dmtcp_cfg.coord_host,
		     dmtcp_cfg.coord_port, dmtcp_cfg.secret);
	fd = safe_create_tmp(path, tmp, sizeof(tmp), 0600);
	if (fd < 0)
		return;
	if (util_write_all(fd, line, n) == 0 && close(fd) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/*
 * This thread's tracer: a debugger attached to us has attached all.
 * *vcs: the thread's voluntary context switches so far (0 if unknown).
 */
static int traced(unsigned long *vcs)
{
	struct util_proc_status st;
	/*
	 * Our /proc is the namespace's: a tracer outside it shows as
	 * TracerPid 0 there.  The host's /proc (passed by dmtcp_restart)
	 * shows it; its thread-self is this thread.
	 */
	int rc = dmtcp_handoff.host_proc_fd > 0
		 ? util_proc_status(dmtcp_handoff.host_proc_fd,
				    "thread-self/status", &st)
		 : util_proc_status(AT_FDCWD, "/proc/thread-self/status", &st);

	*vcs = st.vcs;
	return rc == 0 && st.tracer != 0;
}

/*
 * While parked for a debugger: a KILL from the coordinator
 * (dmtcp_command --kill) still ends the process (coord_recv does not
 * return).  A checkpoint that started before the coordinator knew we
 * are parked fails: this process cannot take part, but goes through
 * the barriers so that the others do not wait for it.
 */
static void parked_check_messages(void)
{
	static const char why[] = "parked for a debugger (dmtcp_restart "
		"--gdb or --stop-for-debugger): no checkpoint until a "
		"debugger lets it run";
	struct dmtcp_msg m;
	struct pollfd p = { .fd = dmtcp_coord_fd, .events = POLLIN };

	if (dmtcp_coord_fd < 0 || poll(&p, 1, 0) <= 0 ||
	    (p.revents & (POLLHUP | POLLERR)))
		return;
	if (coord_recv(&m) < 0)
		return;
	if (m.type != DMTCP_MSG_DO_CHECKPOINT) {
		pr_debug("parked: ignoring message %d", m.type);
		return;
	}
	pr_warn("checkpoint %llu refused: %s", (unsigned long long)m.arg0, why);
	fail_through_barriers(why);
}

/*
 * Keep the application threads parked until the debugger continues us
 * (then they run under it), or until dmtcp_restart says its gdb is gone.
 */
static void wait_for_debugger(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char ready[sizeof(dmtcp_handoff.gdb_done) + 16];
	int by_tracer = 0;
	unsigned long last_vcs = 0;

	/* no checkpoint of the computation while we wait (coordinator) */
	coord_send(DMTCP_MSG_WORKER_STATE, DMTCP_WS_PARKED, 0, NULL, 0, 0);
	/* tell dmtcp_restart that gdb can attach now */
	snprintf(ready, sizeof(ready), "%s.ready", dmtcp_handoff.gdb_done);
	close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));

	for (;;) {
		unsigned long vcs = 0;

		if (traced(&vcs)) {
			by_tracer = 1;
			break;
		}
		/*
		 * A debugger that attached and detached without letting us
		 * run (gdb -batch -p PID -ex 'print x') is gone before we
		 * see it: but this thread was stopped meanwhile (a tracer's
		 * stop; every signal is blocked here), which shows as more
		 * than the one context switch of each sleep.
		 */
		if (last_vcs && vcs > last_vcs + 2) {
			by_tracer = 1;
			break;
		}
		last_vcs = vcs;
		if (dmtcp_handoff.gdb_done[0] &&
		    access(dmtcp_handoff.gdb_done, F_OK) == 0) {
			unlink(dmtcp_handoff.gdb_done);
			break;
		}
		parked_check_messages();
		nanosleep(&ts, NULL);
	}
	if (dmtcp_handoff.host_proc_fd > 0)
		close(dmtcp_handoff.host_proc_fd);
	dmtcp_handoff.host_proc_fd = -1;
	coord_send(DMTCP_MSG_WORKER_STATE, DMTCP_WS_RUNNING, 0, NULL, 0, 0);
	/* our threads run now: dmtcp_restart releases the other processes
	   of the computation (src/restart/restart-peers.c) */
	snprintf(ready, sizeof(ready), "%s.released", dmtcp_handoff.gdb_done);
	if (by_tracer && dmtcp_handoff.gdb_done[0])
		close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			   0600));
}

/*
 * Entered in a restarted process, on the checkpoint thread's own stack,
 * right after dmtcp_ctx_save() returned for the second time.
 */
static void restart_sequence(void)
{
	int nthreads = 0;

	dmtcp_restarting = 1;
	dmtcp_running_state = 0;
	dmtcp_image_chain_reset();	/* the next image is a full one */
	dmtcp_thread_resume_hook = dmtcp_n_user_plugins > 0 ?
				   user_thread_resumed : NULL;
	local_only = 0;		/* a crash image was written locally */
	/* internal plugins first: process state, fds (ckpt/steps.c) */
	dmtcp_plugins_event_restart(DMTCP_EVENT_RESTART, 1, PLUG_INTERNAL);
	dmtcp_thread_restore_self(dmtcp_thread_slot(dmtcp_ckpt_tid));
	dmtcp_num_restarts++;
	for (int i = 0; i < DMTCP_MAX_THREADS; i++)
		if (dmtcp_threads[i].state != THR_FREE &&
		    !dmtcp_threads[i].is_ckpt)
			nthreads++;

	/* the image we came back from (the one in memory predates it) */
	if (dmtcp_handoff.image[0])
		util_strlcpy(dmtcp_cfg.image_path, dmtcp_handoff.image,
			     sizeof(dmtcp_cfg.image_path));
	if (dmtcp_handoff.coord_host[0])
		util_strlcpy(dmtcp_cfg.coord_host, dmtcp_handoff.coord_host,
			     sizeof(dmtcp_cfg.coord_host));
	if (dmtcp_handoff.coord_port)
		dmtcp_cfg.coord_port = dmtcp_handoff.coord_port;
	if (dmtcp_handoff.secret[0])
		util_strlcpy(dmtcp_cfg.secret, dmtcp_handoff.secret,
			     sizeof(dmtcp_cfg.secret));
	if (dmtcp_handoff.ckpt_dir[0]) {
		util_abspath(dmtcp_handoff.ckpt_dir, dmtcp_cfg.ckpt_dir,
			     sizeof(dmtcp_cfg.ckpt_dir));
		dmtcp_cfg.ckpt_dir_explicit = 1;
	}
	dmtcp_debuginfo_restored(dmtcp_handoff.image, dmtcp_generation);
	dmtcp_coord_fd = -1;
	dmtcp_sentinel_forget();	/* nor did the sentinel */
	open_wake_pipe();	/* the old one did not come back */
	update_environ();
	if (dmtcp_coord_join(1) == 0) {
		publish_coordinator();
		barrier(DMTCP_BAR_RESTARTED);
	} else {
		pr_err("restarted without a coordinator: no further "
		       "checkpoints of this process");
	}
	/* every user thread must be back before anyone runs */
	for (;;) {
		int n = dmtcp_nrestored;

		if (n >= nthreads)
			break;
		futex_wait(&dmtcp_nrestored, n);
	}
	/* every process is back: user plugins may publish and query */
	dmtcp_plugins_event_restart(DMTCP_EVENT_RESTART, 1, PLUG_USER);
	barrier(DMTCP_BAR_RESTART_REFILLED);
	pr_debug("restart complete: %d threads, %llu us in mtcp_restart",
		 nthreads, (unsigned long long)dmtcp_handoff.restart_usec);
	dmtcp_restarting = 0;
	if (dmtcp_handoff.flags & RST_F_GDB_STOP) {
		/*
		 * dmtcp_restart --gdb: keep every thread parked where the
		 * checkpoint interrupted it (one signal frame above) while
		 * the debugger attaches.
		 */
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
		wait_for_debugger();
	}
	dmtcp_running_state = 1;
	/* pending before the threads run: a sigwait, sigpending or
	   signalfd read right after the restart must see them */
	dmtcp_raise_pending();
	dmtcp_resume_threads();
	dmtcp_plugins_event_restart(DMTCP_EVENT_RUNNING, 1, PLUG_USER);
	ckpt_end();
}

static void *ckpt_thread_main(void *arg)
{
	struct dmtcp_msg m;

	(void)arg;
	dmtcp_ckpt_tid = rsys_gettid();
	prctl(PR_SET_NAME, "dmtcp:ckpt");
	for (;;) {
		struct pollfd pfd[3 + DMTCP_SKQ_POLL_MAX] = {
			{ .fd = wake_fd[0], .events = POLLIN },
			{ .fd = dmtcp_coord_fd, .events = POLLIN },
			{ .fd = dmtcp_bg_fd(), .events = POLLIN },
		};
		/* sockets with bytes of a checkpoint still to send again
		   (sk-queue.c); pfd[1], pfd[2] are ignored when their fd
		   is -1 */
		int nsk = dmtcp_skq_pollfds(pfd + 3, DMTCP_SKQ_POLL_MAX);

		if (poll(pfd, 3 + nsk, -1) < 0)
			continue;
		if (nsk)
			dmtcp_skq_flush_ready(pfd + 3, nsk);
		if (pfd[2].fd >= 0 && pfd[2].revents)
			bg_collect();
		if (pfd[0].revents & POLLIN) {
			char c;

			(void)!read(wake_fd[0], &c, 1);
			if (snapshot_requested)
				send_snapshot_request();
			if (local_requested) {
				local_requested = 0;
				local_only = 1;
				dmtcp_snap_prepare_crash();
				/* the snapshot after the last generation */
				do_checkpoint(dmtcp_generation + 1, "");
				local_only = 0;
			}
			continue;
		}
		if (dmtcp_coord_fd < 0 || !(pfd[1].revents & (POLLIN | POLLHUP |
							     POLLERR)))
			continue;
		if (coord_recv(&m) < 0) {
			pr_debug("coordinator connection closed: %s",
				 strerror(errno));
			dmtcp_sentinel_drop();
			close(dmtcp_coord_fd);
			dmtcp_coord_fd = -1;
			if (dmtcp_bg_busy() && dmtcp_bg_fd() < 0) {
				/* no verdict coming (committed or not) */
				dmtcp_image_committed(0);
				image_unconfirmed(dmtcp_generation, bg_path);
				dmtcp_bg_done();
			}
			continue;
		}
		switch (m.type) {
		case DMTCP_MSG_DO_CHECKPOINT:
			/* the payload is in msgbuf; do_checkpoint reuses it */
		{
			char dir[PATH_MAX];

			size_t dl;

			util_strlcpy(dir, m.payload_len ? msgbuf : "",
				     sizeof(dir));
			/* then the snapshot's tag, if the payload has it */
			dl = strnlen(msgbuf, m.payload_len);
			if (dl + 1 < m.payload_len)
				msgbuf[m.payload_len - 1] = 0;
			dmtcp_snap_prepare((uint32_t)m.arg1,
					   dl + 1 < m.payload_len ?
					   msgbuf + dl + 1 : "");
			do_checkpoint((uint32_t)m.arg0, dir);
			break;
		}
		case DMTCP_MSG_CKPT_DONE:
			bg_verdict(m.arg1);
			break;
		default:
			pr_debug("ignoring message type %d", m.type);
			break;
		}
	}
	return NULL;
}

int dmtcp_start_ckpt_thread(void)
{
	pthread_t th;
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	open_wake_pipe();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	sigfillset(&all);
	REAL(sigprocmask)(SIG_SETMASK, &all, &old);
	/* libc's pthread_create (base/real.h): no plugin events for ours */
	rc = pthread_create(&th, &attr, ckpt_thread_main, NULL);
	REAL(sigprocmask)(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}
