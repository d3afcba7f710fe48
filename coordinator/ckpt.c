/*
 * ckpt.c - the checkpoint and restart state machine.
 *
 * Checkpoint: DO_CHECKPOINT to every worker, then the barriers
 * SUSPENDED, FD_LEADER_ELECTION, DRAINED, CHECKPOINTED, REFILLED; each is
 * released when every worker still taking part has reached it.  A
 * checkpoint is a transaction (doc/design.md): when every process has
 * reported its image written and synced (CHECKPOINTED), the restart
 * script naming the new generation replaces the old one (the commit
 * point), else the new files are removed and the previous generation
 * stays the restartable one.  A process that leaves before it was
 * suspended simply ended before the checkpoint; one lost after that
 * (killed while frozen) fails it, and so does one that does not reach a
 * barrier within --ckpt-timeout (the image writing excepted): the others
 * go on without it, and its own late barriers are released at once
 * (lagging) so it resumes without saving anything.  Restart: RESTARTED
 * is released once num_peers restarted processes reached it,
 * RESTART_REFILLED when all of them did.
 */
#include "config.h"
#include "coord.h"
#include "log.h"
#include "util.h"
#include "dmtcp/image.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CO_KILL_WAIT_MS	5000

static void co_ckpt_bg_decide(void);

/* The deadline for the next checkpoint barrier: none while the images
 * are written (that takes what the disk takes). */
static void co_arm_deadline(void)
{
	int next = co.released + 1;

	co.barrier_deadline_ms = 0;
	if (co.phase == CO_CKPT && co.opts.ckpt_timeout > 0 &&
	    co_bar_timed(next))
		co.barrier_deadline_ms = co_now_ms() +
			(uint64_t)co.opts.ckpt_timeout * 1000;
}

/* One FAILED= line for the reply (c's prog is escaped already). */
static void __attribute__((format(printf, 2, 3)))
co_ckpt_fail(struct co_client *c, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c) {
		co_event(1, "checkpoint %u: worker %llu (%s pid %u) %s",
			 co.generation, (unsigned long long)c->id, c->prog,
			 c->pid, why);
		co_txn_fail(&co.txn, "%llu %s pid %u: %s",
			    (unsigned long long)c->id, c->prog, c->pid, why);
	} else {
		co_event(1, "checkpoint %u: %s", co.generation, why);
		co_txn_fail(&co.txn, "%s", why);
	}
}

struct co_client *co_ckpt_lagging(void)
{
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && w->lagging)
			return w;
	}
	return NULL;
}

/* The files of a checkpoint that did not commit go. */
static void co_ckpt_discard(void)
{
	co_script_unprepare();
	for (size_t i = 0; i < co.txn.nimages; i++)
		co_gens_discard(&co.txn.images[i].path, 1);
	co_gens_discard(co.txn.writing, co.txn.nwriting);
}

void co_schedule_interval(void)
{
	co.next_ckpt_ms = co.interval_ms > 0 ?
		co_now_ms() + (uint64_t)co.interval_ms : 0;
}

int co_ckpt_can_start(const char **why)
{
	if (co.killing) {
		*why = "the processes are being killed";
		return DMTCP_REPLY_BUSY;
	}
	if (co.phase == CO_CKPT) {
		*why = "a checkpoint is already in progress";
		return DMTCP_REPLY_BUSY;
	}
	if (co.phase == CO_RESTART) {
		*why = "a restart is in progress";
		return DMTCP_REPLY_BUSY;
	}
	if (co_num_workers() == 0) {
		*why = "no processes are connected to this coordinator";
		return DMTCP_REPLY_NO_PEERS;
	}
	for (size_t i = 0; i < co_nclients; i++) {
		static char msg[512];
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing ||
		    w->state != DMTCP_WS_PARKED)
			continue;
		snprintf(msg, sizeof(msg), "worker %llu (%s pid %u) is parked "
			 "for a debugger (dmtcp_restart --gdb or "
			 "--stop-for-debugger): no checkpoint until a debugger "
			 "lets it run", (unsigned long long)w->id, w->prog,
			 w->pid);
		*why = msg;
		return DMTCP_REPLY_BUSY;
	}
	if (co_ckpt_lagging()) {
		static char msg[512];
		struct co_client *w = co_ckpt_lagging();

		/* it would fail again, after freezing everybody for the
		   whole timeout: say so at once */
		snprintf(msg, sizeof(msg), "worker %llu (%s pid %u) has not "
			 "answered an earlier checkpoint yet (stopped, or "
			 "running a program without dmtcp?); no checkpoint "
			 "until it does or exits",
			 (unsigned long long)w->id, w->prog, w->pid);
		*why = msg;
		return DMTCP_REPLY_BUSY;
	}
	return 0;
}

int co_ckpt_start(const char **why)
{
	static char pl[PATH_MAX + sizeof(co.ckpt_tag) + 2];
	int n = 0, st = co_ckpt_can_start(why);
	size_t dlen, tlen;

	if (st)
		return st;
	co_reap_wait();	/* the space of the generation removed last */
	co_script_unprepare();
	co_txn_reset(&co.txn);
	co.barrier_deadline_ms = 0;
	co.phase = CO_CKPT;
	co.released = 0;
	co.generation++;
	co.ckpt_start_ms = co_now_ms();
	co_arm_deadline();
	/* the directory, then the snapshot's tag, each NUL-terminated */
	dlen = strlen(co.ckpt_dir_explicit);
	tlen = strnlen(co.ckpt_tag, sizeof(co.ckpt_tag) - 1);
	memcpy(pl, co.ckpt_dir_explicit, dlen + 1);
	memcpy(pl + dlen + 1, co.ckpt_tag, tlen);
	pl[dlen + 1 + tlen] = 0;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		w->in_ckpt = 1;
		w->barrier = 0;
		co_send(w, DMTCP_MSG_DO_CHECKPOINT, co.generation,
			co.ckpt_trigger, pl, dlen + tlen + 2);
		n++;
	}
	co_event(0, "checkpoint %u of %s started: %d process%s%s%s%s",
		 co.generation, ESC(co.comp_id), n, n == 1 ? "" : "es",
		 co.ckpt_tag[0] ? " (tag \"" : "", ESC(co.ckpt_tag),
		 co.ckpt_tag[0] ? "\")" : "");
	co.ckpt_trigger = IMG_SNAP_COMMAND;	/* the next one's default */
	co.ckpt_tag[0] = 0;
	return 0;
}

/*
 * The answer to --bcheckpoint: the images of the committed generation,
 * or FAILED= lines and no image (those written were removed).
 */
static void co_ckpt_complete(void)
{
	struct co_buf b = { 0 };
	uint64_t ms = co_now_ms() - co.ckpt_start_ms;
	const struct co_txn *t = &co.txn;
	int ok = t->nfailed == 0;

	co.phase = CO_IDLE;
	co.barrier_deadline_ms = 0;
	if (ok) {
		co.last_ckpt_time = time(NULL);
		co.last_ckpt_ms = ms;
		co.last_nimages = t->nimages;
		co.last_bytes = t->images_bytes;
		co.ckpts_done++;
	}
	for (size_t i = 0; i < co_nclients; i++)
		co_clients[i]->in_ckpt = 0;
	for (size_t i = 0; ok && i < t->nimages; i++) {
		co_buf_printf(&b, "IMAGE=");
		co_buf_esc(&b, t->images[i].path);
		co_buf_printf(&b, "\n");
	}
	if (t->failures.s)
		co_buf_printf(&b, "%s", t->failures.s);
	co_buf_printf(&b, "GENERATION=%u\nNUM_IMAGES=%zu\nTOTAL_BYTES=%llu\n"
		      "TIME_MS=%llu\nFORKED_WRITERS=%d\n", co.generation,
		      ok ? t->nimages : 0,
		      ok ? (unsigned long long)t->images_bytes : 0ull,
		      (unsigned long long)ms, t->nforked);
	if (ok)
		co_event(1, "checkpoint %u done: %zu image%s, %.1f MiB, "
			 "%llu ms", co.generation, t->nimages,
			 t->nimages == 1 ? "" : "s",
			 t->images_bytes / 1048576.0, (unsigned long long)ms);
	else
		co_event(1, "checkpoint %u FAILED (%d failure%s, %llu ms): "
			 "the restart script still names the previous "
			 "checkpoint", co.generation, t->nfailed,
			 t->nfailed == 1 ? "" : "s", (unsigned long long)ms);
	co_ckpt_finished(ok, b.s ? b.s : "");
	co_buf_free(&b);
	co_schedule_interval();
	if (co.opts.exit_after_ckpt) {
		co_event(1, "killing the processes (--exit-after-ckpt)");
		co_kill_all();
	}
}

/*
 * Every process still in the checkpoint reached CHECKPOINTED, after
 * reporting its image written and synced: commit the generation (the
 * restart script names it from the rename on), or record why not.
 */
static void co_ckpt_commit(void)
{
	char path[PATH_MAX], why[1024];

	for (size_t i = 0; i < co_nclients && !co.txn.nfailed; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && w->in_ckpt &&
		    !co_txn_has_image(&co.txn, w->id))
			co_ckpt_fail(w, "reported no image");
	}
	if (!co.txn.nfailed && co.txn.nimages == 0)
		co_ckpt_fail(NULL, "no process reported an image");
	if (co.txn.nfailed)
		return;
	if (co_write_restart_script(path, sizeof(path), why,
				    sizeof(why)) < 0) {
		co_ckpt_fail(NULL, "restart script not written: %s", why);
		return;
	}
	co_event(0, "checkpoint %u committed: restart script %s",
		 co.generation, ESC(path));
}

/* After the commit: each worker's last image, older generations go. */
static void co_ckpt_committed(void)
{
	const struct co_txn *t = &co.txn;
	char **paths = calloc(t->nimages ? t->nimages : 1, sizeof(char *));

	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		for (size_t j = 0; j < t->nimages; j++)
			if (w->kind == CO_WORKER &&
			    t->images[j].client_id == w->id)
				snprintf(w->image, sizeof(w->image), "%s",
					 t->images[j].path);
	}
	if (!paths) {
		co_event(1, "out of memory: older generations not removed");
		return;
	}
	for (size_t i = 0; i < t->nimages; i++)
		paths[i] = t->images[i].path;
	co_gens_committed_set(co.generation, paths, t->nimages);
	free(paths);
}

/* Decided: the images of a failed checkpoint go, a committed one's
   older generations do. */
static void co_ckpt_settle(void)
{
	if (co.txn.nfailed)
		co_ckpt_discard();
	else
		co_ckpt_committed();
}

/* A restart completed: its images count as the committed generation. */
static void co_restart_committed(void)
{
	char **paths = calloc(co_nclients ? co_nclients : 1, sizeof(char *));
	size_t n = 0;
	uint32_t newest;

	for (size_t i = 0; paths && i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && w->restarting &&
		    w->image[0])
			paths[n++] = w->image;
	}
	if (paths)
		co_gens_restarted(co.generation, paths, n);
	/* restarted from an older generation than the newest committed
	   one (or the newest of a timeline, in the images' directory):
	   the next checkpoint must not reuse those names, it starts a
	   branch after them */
	newest = paths ? co_gens_newest_near(paths, n) : co_gens_newest();
	free(paths);
	if (newest > co.generation) {
		pr_debug("generation %u restarted; continuing after %u",
			 co.generation, newest);
		co.generation = newest;
	}
}

static void co_release(int barrier)
{
	co.released = barrier;
	if (barrier == DMTCP_BAR_CHECKPOINTED && !co.txn.bg_used)
		co_ckpt_commit();	/* before the release: its arg1 says */
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		if (barrier <= DMTCP_BAR_REFILLED ? !w->in_ckpt :
		    !w->restarting)
			continue;
		/* arg1: failures so far: > 0 and the worker does no more
		   work for this checkpoint; at CHECKPOINTED 0 = committed,
		   else the worker removes its image */
		co_send(w, DMTCP_MSG_BARRIER_RELEASE, barrier,
			barrier <= DMTCP_BAR_REFILLED ?
			(uint64_t)co.txn.nfailed : 0,
			NULL, 0);
		if (co_bar_worker_state(barrier))
			w->state = co_bar_worker_state(barrier);
	}
	pr_debug("released barrier %d", barrier);
	if (barrier <= DMTCP_BAR_REFILLED)
		co_arm_deadline();
	if (barrier == DMTCP_BAR_CHECKPOINTED && co.txn.bg_used) {
		/* images still being written: decided at the last BG_DONE */
	} else if (barrier == DMTCP_BAR_CHECKPOINTED) {
		co_ckpt_settle();
	} else if (barrier == DMTCP_BAR_REFILLED && co.txn.bg_used) {
		co_ckpt_bg_decide();
	} else if (barrier == DMTCP_BAR_REFILLED) {
		co_ckpt_complete();
	} else if (barrier == DMTCP_BAR_RESTART_REFILLED) {
		co.phase = CO_IDLE;
		co_restart_committed();
		for (size_t i = 0; i < co_nclients; i++)
			co_clients[i]->restarting = 0;
		co_event(0, "restart of %s complete: %d processes running",
			 ESC(co.comp_id), co_num_workers());
		co_schedule_interval();
	}
}

/* Release every barrier that all participants have reached. */
void co_barrier_recheck(void)
{
	for (;;) {
		int next, total = 0, at = 0, restart = co.phase == CO_RESTART;

		if (co.phase == CO_IDLE)
			return;
		next = co_bar_next(co.phase, co.released);
		for (size_t i = 0; i < co_nclients; i++) {
			struct co_client *w = co_clients[i];

			if (w->kind != CO_WORKER || w->closing)
				continue;
			if (restart ? !w->restarting : !w->in_ckpt)
				continue;
			total++;
			if (w->barrier == next)
				at++;
		}
		if (total == 0) {
			if (restart) {
				if (co.restart_expected > 0 &&
				    co.released < DMTCP_BAR_RESTARTED)
					return;	/* still waiting for them */
				co_event(1, "restart of %s abandoned: every "
					 "restarting process left",
					 ESC(co.comp_id));
				co.phase = CO_IDLE;
			} else if (co.released >= DMTCP_BAR_CHECKPOINTED) {
				/* committed (or discarded) already; they all
				   went before resuming */
				co_ckpt_complete();
			} else if (co.txn.nfailed) {
				/* lost or not answering: all of them */
				co_ckpt_discard();
				co_ckpt_complete();
			} else {
				co_event(1, "checkpoint %u abandoned: every "
					 "process left", co.generation);
				co.phase = CO_IDLE;
				co.barrier_deadline_ms = 0;
				co_ckpt_discard();
				co_ckpt_finished(0, "checkpoint abandoned: "
						 "every process disconnected\n");
			}
			return;
		}
		if (!co_bar_ready(next, total, at, co.restart_expected))
			return;
		co_release(next);
		co_user_barrier_recheck();
		if (next == DMTCP_BAR_REFILLED ||
		    next == DMTCP_BAR_RESTART_REFILLED)
			return;
	}
}

/*
 * A worker that did not answer a checkpoint in time comes through it
 * late: every barrier is released at once, saying the checkpoint failed
 * (if it did) so it saves nothing and resumes.
 */
static void co_lagging_barrier(struct co_client *c, int barrier)
{
	c->barrier = barrier;
	co_send(c, DMTCP_MSG_BARRIER_RELEASE, barrier, c->lag_failed ? 1 : 0,
		NULL, 0);
	if (barrier == DMTCP_BAR_REFILLED) {
		c->lagging = 0;
		c->state = DMTCP_WS_RUNNING;
		co_event(1, "worker %llu (%s pid %u) answered at last and runs "
			 "again; checkpoints are possible again",
			 (unsigned long long)c->id, c->prog, c->pid);
	}
}

void co_barrier_reached(struct co_client *c, int barrier)
{
	if (c->lagging && barrier >= DMTCP_BAR_SUSPENDED &&
	    barrier <= DMTCP_BAR_REFILLED) {
		co_lagging_barrier(c, barrier);
		return;
	}
	if (barrier == DMTCP_BAR_RESTARTED && co.phase == CO_RESTART &&
	    c->restarting && co.released >= DMTCP_BAR_RESTARTED) {
		/* came back after the others were released (num_peers was
		 * low): let it catch up instead of holding everyone */
		c->barrier = barrier;
		co_send(c, DMTCP_MSG_BARRIER_RELEASE, barrier, 0, NULL, 0);
		co_barrier_recheck();
		return;
	}
	if (!co_bar_expected(co.phase, co.released, barrier) ||
	    !(barrier <= DMTCP_BAR_REFILLED ? c->in_ckpt : c->restarting)) {
		co_event(1, "worker %llu (%s pid %u) reached barrier %d out "
			 "of turn (last released %d); ignored",
			 (unsigned long long)c->id, c->prog, c->pid, barrier,
			 co.released);
		return;
	}
	c->barrier = barrier;
	co_barrier_recheck();
}

/*
 * Forked checkpoints (doc/design.md): a worker whose child writes its
 * image reports FORKED before CHECKPOINTED and BG_DONE once the image is
 * synced, after it resumed.  The commit (or the discard) waits for the
 * last BG_DONE; the workers hear the verdict as CKPT_DONE, then the
 * checkpoint is complete (--bcheckpoint answers).
 */
static void co_ckpt_bg_decide(void)
{
	if (co.phase != CO_CKPT || !co.txn.bg_used || co.txn.nbg > 0 ||
	    co.released < DMTCP_BAR_REFILLED)
		return;
	co.txn.bg_used = 0;
	co_ckpt_commit();
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && w->in_ckpt)
			co_send(w, DMTCP_MSG_CKPT_DONE, co.generation,
				(uint64_t)co.txn.nfailed, NULL, 0);
	}
	co_ckpt_settle();
	co_ckpt_complete();
}

static void co_ckpt_bg_report(struct co_client *c, const struct dmtcp_msg *m,
			      const char *path)
{
	if (!c->bg_writing || co.phase != CO_CKPT) {
		pr_debug("worker %llu: background image report ignored",
			 (unsigned long long)c->id);
		return;
	}
	c->bg_writing = 0;
	co.txn.nbg--;
	if (m->flags & DMTCP_CKPT_FAILED)
		co_ckpt_fail(c, "%s", path[0] ? ESC(path) :
			     "(no reason given)");
	else if (path[0] != '/')
		co_ckpt_fail(c, "reported no image");
	else if (co_txn_add_image(&co.txn, path, m->arg0, c->id) == 0)
		pr_debug("worker %llu wrote %s in the background (%llu "
			 "bytes, %llu us)", (unsigned long long)c->id,
			 ESC(path), (unsigned long long)m->arg0,
			 (unsigned long long)m->arg1);
	co_ckpt_bg_decide();
}

void co_ckpt_written(struct co_client *c, const struct dmtcp_msg *m,
		     const char *path)
{
	uint64_t bytes = m->arg0, usec = m->arg1;

	if (m->flags & DMTCP_CKPT_BG_DONE) {
		co_ckpt_bg_report(c, m, path);
		return;
	}
	if ((m->flags & DMTCP_CKPT_FORKED) && !c->lagging &&
	    co.phase == CO_CKPT && c->in_ckpt && !c->bg_writing &&
	    co.released < DMTCP_BAR_CHECKPOINTED) {
		c->bg_writing = 1;
		co.txn.nbg++;
		co.txn.nforked++;
		co.txn.bg_used = 1;
		return;
	}
	if (c->lagging || (co.phase == CO_CKPT &&
			   co.released >= DMTCP_BAR_CHECKPOINTED)) {
		/* a checkpoint that is over, or decided already */
		pr_debug("worker %llu: late image report ignored",
			 (unsigned long long)c->id);
		return;
	}
	if (co.phase == CO_CKPT && c->in_ckpt &&
	    (m->flags & DMTCP_CKPT_FAILED)) {
		co_ckpt_fail(c, "%s", path[0] ? ESC(path) :
			     "(no reason given)");
		return;
	}
	if (co.phase != CO_CKPT || !c->in_ckpt || !path[0]) {
		co_event(1, "worker %llu reported image '%s' outside a "
			 "checkpoint; ignored", (unsigned long long)c->id,
			 ESC(path));
		return;
	}
	if (co_txn_add_image(&co.txn, path, bytes, c->id) < 0)
		return;
	pr_debug("worker %llu wrote %s (%llu bytes, %llu us)",
		 (unsigned long long)c->id, ESC(path),
		 (unsigned long long)bytes,
		 (unsigned long long)usec);
}

void co_ckpt_writing(struct co_client *c, const char *path)
{
	size_t n = 0;

	if (co.phase != CO_CKPT || !c->in_ckpt || c->lagging || !path[0] ||
	    path[0] != '/')
		return;
	if (co_txn_add_writing(&co.txn, path) < 0 || co.txn.nfailed)
		return;
	/* every process announced its image: the restart script naming
	   them is written and synced now, while they write (the commit is
	   then a rename) */
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && w->in_ckpt)
			n++;
	}
	if (n == co.txn.nwriting)
		co_script_prepare(co.txn.writing, co.txn.nwriting);
}

/*
 * Called before c stops taking part.  A process that leaves before it
 * reached SUSPENDED ended before the checkpoint (an exit racing it: fine,
 * it is simply not in it); once it was suspended, only a kill or a crash
 * takes it away, and until the generation is committed that fails the
 * checkpoint: the images of the others would restart without it.
 */
void co_ckpt_worker_lost(struct co_client *c)
{
	if (c->bg_writing && co.phase == CO_CKPT) {
		c->bg_writing = 0;
		co.txn.nbg--;
		c->in_ckpt = 0;
		co_ckpt_fail(c, "the process was lost while its image was "
			     "written in the background (checkpoint %u); the "
			     "previous checkpoint stays the one to restart",
			     co.generation);
		co_ckpt_bg_decide();
		return;
	}
	if (co.phase != CO_CKPT || !c->in_ckpt ||
	    c->barrier < DMTCP_BAR_SUSPENDED ||
	    co.released >= DMTCP_BAR_CHECKPOINTED)
		return;
	co_ckpt_fail(c, "the process was lost during checkpoint %u (killed "
		     "or crashed after it was suspended); the previous "
		     "checkpoint stays the one to restart", co.generation);
}

/*
 * Nobody may hold a checkpoint forever: a worker that has not reached
 * the next barrier (other than the image writing) within --ckpt-timeout
 * is left behind.  Before the images are written that fails the
 * checkpoint; at the last barrier (committed already) it only stops
 * holding the answer.  It goes through the checkpoint when it wakes up
 * (co_lagging_barrier), saving nothing.
 */
/*
 * A worker on this host that a debugger holds stopped (gdb attached, in
 * a stop) cannot answer: fail the checkpoint at once, saying so, instead
 * of waiting for --ckpt-timeout.  The tracer's pid, or 0.
 */
static int co_pid_traced(const struct co_client *w)
{
	struct util_proc_status st;
	char path[64];

	if (!w->pid || strcmp(w->host, co.hostname) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/status", w->pid);
	if (util_proc_status(AT_FDCWD, path, &st) < 0 ||
	    (st.state != 't' && st.state != 'T'))
		return 0;
	return st.tracer > 0 ? st.tracer : 0;
}

#define CO_TRACED_AFTER_MS	1500	/* look for held workers after */
#define CO_TRACED_EVERY_MS	500

static void co_ckpt_check_traced(uint64_t now)
{
	int next = co.released + 1, any = 0, tracer;

	if (co.phase != CO_CKPT || next > DMTCP_BAR_SUSPENDED ||
	    now < co.ckpt_start_ms + CO_TRACED_AFTER_MS ||
	    now < co.traced_check_ms)
		return;
	co.traced_check_ms = now + CO_TRACED_EVERY_MS;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing || !w->in_ckpt ||
		    w->barrier >= next)
			continue;
		tracer = co_pid_traced(w);
		if (!tracer)
			continue;
		w->lagging = 1;
		w->lag_failed = 1;
		w->in_ckpt = 0;
		co_ckpt_fail(w, "is stopped by a debugger (tracer pid %d): "
			     "it cannot reach the checkpoint until the "
			     "debugger lets it run (continue it there, or use "
			     "`dmtcp checkpoint` in gdb, which does)", tracer);
		any = 1;
	}
	if (any)
		co_barrier_recheck();
}

static void co_ckpt_expire(uint64_t now)
{
	int next = co.released + 1;

	if (co.phase != CO_CKPT || !co.barrier_deadline_ms ||
	    now < co.barrier_deadline_ms)
		return;
	co.barrier_deadline_ms = 0;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing || !w->in_ckpt ||
		    w->barrier >= next)
			continue;
		w->lagging = 1;
		w->lag_failed = next < DMTCP_BAR_CHECKPOINTED;
		w->in_ckpt = 0;
		if (!w->lag_failed)
			co_event(1, "checkpoint %u: worker %llu (%s pid %u) "
				 "did not resume within %ld s; not waiting "
				 "for it", co.generation,
				 (unsigned long long)w->id, w->prog, w->pid,
				 co.opts.ckpt_timeout);
		else if (w->prejoin)
			co_ckpt_fail(w, "the process it started (fork or "
				     "exec) never joined within %ld s (does "
				     "the new program run without dmtcp?)",
				     co.opts.ckpt_timeout);
		else
			co_ckpt_fail(w, "did not answer within %ld s (%s "
				     "barrier; stopped, or running a program "
				     "without dmtcp?)", co.opts.ckpt_timeout,
				     dmtcp_barrier_name(next));
	}
	co_barrier_recheck();
}

/*
 * Kill in two steps: every worker first stops its threads (KILL FREEZE,
 * answered by KILL_READY), then all die together (KILL NOW), so no
 * process sees another one of the computation die (a parent reaping a
 * killed child and reporting it, a make deleting the target of a killed
 * job).  A worker that does not answer within CO_KILL_FREEZE_MS does not
 * hold the others.
 */
#define CO_KILL_FREEZE_MS	1500

void co_kill_all(void)
{
	int n = 0;

	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		co_send(w, DMTCP_MSG_KILL, DMTCP_KILL_FREEZE, 0, NULL, 0);
		w->kill_ready = 0;
		w->in_ckpt = w->restarting = w->lagging = 0;
		w->bg_writing = 0;
		n++;
	}
	co.barrier_deadline_ms = 0;
	if (co.phase == CO_CKPT && co.released < DMTCP_BAR_CHECKPOINTED)
		co_ckpt_discard();	/* what is written so far */
	if (co.phase == CO_CKPT && co.txn.bg_used)
		co_ckpt_discard();	/* not all written yet */
	if (co.phase == CO_CKPT && co.released >= DMTCP_BAR_CHECKPOINTED &&
	    !co.txn.nfailed && !co.txn.bg_used)
		co_ckpt_finished(1, "checkpoint committed; the processes were "
				 "killed before they resumed\n");
	else if (co.phase == CO_CKPT)
		co_ckpt_finished(0, "checkpoint abandoned: the processes "
				 "were killed\n");
	co.phase = CO_IDLE;
	co.next_ckpt_ms = 0;
	co.killing = 1;
	co.kill_freezing = 1;
	co.kill_freeze_deadline_ms = co_now_ms() + CO_KILL_FREEZE_MS;
	co.kill_deadline_ms = co.kill_freeze_deadline_ms + CO_KILL_WAIT_MS;
	co_event(0, "killing %d process%s", n, n == 1 ? "" : "es");
	co_kill_recheck();
}

static void co_kill_now(void)
{
	int late = 0;

	co.kill_freezing = 0;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		late += !w->kill_ready;
		co_send(w, DMTCP_MSG_KILL, DMTCP_KILL_NOW, 0, NULL, 0);
	}
	if (late)
		pr_debug("%d worker(s) did not stop in time; killing all", late);
	co.kill_deadline_ms = co_now_ms() + CO_KILL_WAIT_MS;
}

/* Every worker stopped (or left): all die now. */
void co_kill_recheck(void)
{
	if (!co.killing || !co.kill_freezing)
		return;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && !w->kill_ready)
			return;
	}
	co_kill_now();
}

uint64_t co_next_deadline(void)
{
	uint64_t d = 0;

	if (co.next_ckpt_ms)
		d = co.next_ckpt_ms;
	if (co.killing && (!d || co.kill_deadline_ms < d))
		d = co.kill_deadline_ms;
	if (co.kill_freezing && (!d || co.kill_freeze_deadline_ms < d))
		d = co.kill_freeze_deadline_ms;
	if (co.phase == CO_CKPT && co.barrier_deadline_ms &&
	    (!d || co.barrier_deadline_ms < d))
		d = co.barrier_deadline_ms;
	if (co.phase == CO_CKPT && co.released < DMTCP_BAR_SUSPENDED) {
		uint64_t t = co.ckpt_start_ms + CO_TRACED_AFTER_MS;

		if (co.traced_check_ms > t)
			t = co.traced_check_ms;
		if (!d || t < d)
			d = t;
	}
	return d;
}

void co_tick(uint64_t now)
{
	const char *why;

	co_ckpt_expire(now);
	co_ckpt_check_traced(now);

	if (co.kill_freezing && now >= co.kill_freeze_deadline_ms)
		co_kill_now();
	if (co.killing) {
		int n = co_num_workers();

		if (n == 0 || now >= co.kill_deadline_ms) {
			co.killing = 0;
			co.kill_freezing = 0;
			co_kill_finished(n);
		}
	}
	if (co.next_ckpt_ms && now >= co.next_ckpt_ms) {
		co.next_ckpt_ms = 0;
		if (co.interval_ms > 0 && co.phase == CO_IDLE && !co.killing) {
			co.ckpt_trigger = IMG_SNAP_INTERVAL;
			co.ckpt_tag[0] = 0;
			if (co_ckpt_start(&why) != 0)
				co_schedule_interval();
		}
	}
}
