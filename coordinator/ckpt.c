/*
 * ckpt.c - the checkpoint and restart state machine.
 *
 * Checkpoint: DO_CHECKPOINT to every worker, then the barriers
 * SUSPENDED, FD_LEADER_ELECTION, DRAINED, CHECKPOINTED, REFILLED; each is
 * released when every worker still taking part has reached it.  A worker
 * that disconnects simply stops taking part, so nothing waits for a
 * dead process.  Restart: RESTARTED is released once num_peers restarted
 * processes reached it, RESTART_REFILLED when all of them did.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#define CO_KILL_WAIT_MS	5000

static void co_images_clear(void)
{
	for (size_t i = 0; i < co.nimages; i++)
		free(co.images[i].path);
	co.nimages = 0;
	co.images_bytes = 0;
	co_buf_free(&co.failures);
	co.nfailed = 0;
}

void co_schedule_interval(void)
{
	co.next_ckpt_ms = co.interval > 0 ?
		co_now_ms() + (uint64_t)co.interval * 1000 : 0;
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
	return 0;
}

int co_ckpt_start(const char **why)
{
	int n = 0, st = co_ckpt_can_start(why);

	if (st)
		return st;
	co_images_clear();
	co.phase = CO_CKPT;
	co.released = 0;
	co.generation++;
	co.ckpt_start_ms = co_now_ms();
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		w->in_ckpt = 1;
		w->barrier = 0;
		co_send(w, DMTCP_MSG_DO_CHECKPOINT, co.generation, 0,
			co.ckpt_dir_explicit, strlen(co.ckpt_dir_explicit));
		n++;
	}
	co_event(0, "checkpoint %u of %s started: %d process%s",
		 co.generation, ESC(co.comp_id), n, n == 1 ? "" : "es");
	return 0;
}

static void co_ckpt_complete(void)
{
	struct co_buf b = { 0 };
	uint64_t ms = co_now_ms() - co.ckpt_start_ms;

	co.phase = CO_IDLE;
	co.last_ckpt_time = time(NULL);
	co.last_ckpt_ms = ms;
	co.last_nimages = co.nimages;
	co.last_bytes = co.images_bytes;
	co.ckpts_done++;
	for (size_t i = 0; i < co_nclients; i++)
		co_clients[i]->in_ckpt = 0;
	for (size_t i = 0; i < co.nimages; i++) {
		co_buf_printf(&b, "IMAGE=");
		co_buf_esc(&b, co.images[i].path);
		co_buf_printf(&b, "\n");
	}
	if (co.failures.s)
		co_buf_printf(&b, "%s", co.failures.s);
	co_buf_printf(&b, "GENERATION=%u\nNUM_IMAGES=%zu\nTOTAL_BYTES=%llu\n"
		      "TIME_MS=%llu\n", co.generation, co.nimages, (unsigned long long)co.images_bytes,
		      (unsigned long long)ms);
	co_event(1, "checkpoint %u done: %zu image%s, %.1f MiB, %llu ms%s",
		 co.generation, co.nimages, co.nimages == 1 ? "" : "s",
		 co.images_bytes / 1048576.0, (unsigned long long)ms,
		 co.nfailed ? " (SOME IMAGES FAILED)" : "");
	co_ckpt_finished(co.nfailed == 0, b.s ? b.s : "");
	co_buf_free(&b);
	co_schedule_interval();
	if (co.opts.exit_after_ckpt) {
		co_event(1, "killing the processes (--exit-after-ckpt)");
		co_kill_all();
	}
}

static void co_release(int barrier)
{
	co.released = barrier;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		if (barrier <= DMTCP_BAR_REFILLED ? !w->in_ckpt :
		    !w->restarting)
			continue;
		/* arg1: failures so far (a worker seeing it at DRAINED does
		   not write its image: the previous set stays consistent) */
		co_send(w, DMTCP_MSG_BARRIER_RELEASE, barrier,
			barrier <= DMTCP_BAR_REFILLED ? (uint64_t)co.nfailed : 0,
			NULL, 0);
		if (barrier == DMTCP_BAR_REFILLED ||
		    barrier == DMTCP_BAR_RESTART_REFILLED)
			w->state = DMTCP_WS_RUNNING;
		else if (barrier == DMTCP_BAR_SUSPENDED)
			w->state = DMTCP_WS_SUSPENDED;
		else if (barrier == DMTCP_BAR_FD_LEADER_ELECTION)
			w->state = DMTCP_WS_CHECKPOINTING;
	}
	pr_debug("released barrier %d", barrier);
	if (barrier == DMTCP_BAR_CHECKPOINTED) {
		char path[PATH_MAX];

		if (co.nfailed)
			co_event(1, "checkpoint %u: %d image%s failed; not "
				 "writing a restart script", co.generation,
				 co.nfailed, co.nfailed == 1 ? "" : "s");
		else if (co.nimages == 0)
			co_event(1, "checkpoint %u: no process reported an "
				 "image; not writing a restart script",
				 co.generation);
		else if (co_write_restart_script(path, sizeof(path)) == 0)
			co_event(0, "restart script: %s", path);
	} else if (barrier == DMTCP_BAR_REFILLED) {
		co_ckpt_complete();
	} else if (barrier == DMTCP_BAR_RESTART_REFILLED) {
		co.phase = CO_IDLE;
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
		if (restart)
			next = co.released < DMTCP_BAR_RESTARTED ?
				DMTCP_BAR_RESTARTED : co.released + 1;
		else
			next = co.released + 1;
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
			} else {
				co_event(1, "checkpoint %u abandoned: every "
					 "process left", co.generation);
				co.phase = CO_IDLE;
				co_ckpt_finished(0, "checkpoint abandoned: "
						 "every process disconnected\n");
			}
			return;
		}
		if (at < total)
			return;
		if (next == DMTCP_BAR_RESTARTED && at < co.restart_expected)
			return;
		co_release(next);
		co_user_barrier_recheck();
		if (next == DMTCP_BAR_REFILLED ||
		    next == DMTCP_BAR_RESTART_REFILLED)
			return;
	}
}

void co_barrier_reached(struct co_client *c, int barrier)
{
	int ok;

	if (barrier >= DMTCP_BAR_SUSPENDED && barrier <= DMTCP_BAR_REFILLED)
		ok = co.phase == CO_CKPT && c->in_ckpt &&
			barrier == co.released + 1;
	else if (barrier == DMTCP_BAR_RESTARTED && co.phase == CO_RESTART &&
		 c->restarting && co.released >= DMTCP_BAR_RESTARTED) {
		/* came back after the others were released (num_peers was
		 * low): let it catch up instead of holding everyone */
		c->barrier = barrier;
		co_send(c, DMTCP_MSG_BARRIER_RELEASE, barrier, 0, NULL, 0);
		co_barrier_recheck();
		return;
	} else if (barrier == DMTCP_BAR_RESTARTED ||
		   barrier == DMTCP_BAR_RESTART_REFILLED)
		ok = co.phase == CO_RESTART && c->restarting &&
			barrier == (co.released < DMTCP_BAR_RESTARTED ?
				    DMTCP_BAR_RESTARTED : co.released + 1);
	else
		ok = 0;
	if (!ok) {
		co_event(1, "worker %llu (%s pid %u) reached barrier %d out "
			 "of turn (last released %d); ignored",
			 (unsigned long long)c->id, c->prog, c->pid, barrier,
			 co.released);
		return;
	}
	c->barrier = barrier;
	co_barrier_recheck();
}

void co_ckpt_written(struct co_client *c, const struct dmtcp_msg *m,
		     const char *path)
{
	uint64_t bytes = m->arg0, usec = m->arg1;
	struct co_image *im;

	if (co.phase == CO_CKPT && c->in_ckpt &&
	    (m->flags & DMTCP_CKPT_FAILED)) {
		const char *why = path[0] ? ESC(path) : "(no reason given)";

		co_event(1, "checkpoint %u: worker %llu (%s pid %u) could not "
			 "write its image: %s", co.generation,
			 (unsigned long long)c->id, c->prog, c->pid, why);
		co_buf_printf(&co.failures, "FAILED=%llu %s pid %u: %s\n",
			      (unsigned long long)c->id, c->prog, c->pid,
			      why);
		co.nfailed++;
		return;
	}
	if (co.phase != CO_CKPT || !c->in_ckpt || !path[0]) {
		co_event(1, "worker %llu reported image '%s' outside a "
			 "checkpoint; ignored", (unsigned long long)c->id,
			 ESC(path));
		return;
	}
	snprintf(c->image, sizeof(c->image), "%s", path);
	if (co.nimages == co.images_cap) {
		size_t ncap = co.images_cap ? co.images_cap * 2 : 16;
		struct co_image *n = realloc(co.images, ncap * sizeof(*n));

		if (!n)
			return;
		co.images = n;
		co.images_cap = ncap;
	}
	im = &co.images[co.nimages];
	im->path = strdup(path);
	if (!im->path)
		return;
	im->bytes = bytes;
	co.nimages++;
	co.images_bytes += bytes;
	pr_debug("worker %llu wrote %s (%llu bytes, %llu us)",
		 (unsigned long long)c->id, ESC(path),
		 (unsigned long long)bytes,
		 (unsigned long long)usec);
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
		w->in_ckpt = w->restarting = 0;
		n++;
	}
	if (co.phase == CO_CKPT)
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
	return d;
}

/*
 * A connection opened for a process about to be created that never said
 * who it is (the new program is not under our control after all: a
 * static program we did not recognize keeps the descriptor) would hold
 * the checkpoint forever: after CO_PREJOIN_WAIT_MS it is dropped.
 */
#define CO_PREJOIN_WAIT_MS	15000

static void co_prejoin_expire(uint64_t now)
{
	if (co.phase != CO_CKPT || now < co.ckpt_start_ms + CO_PREJOIN_WAIT_MS)
		return;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing || !w->prejoin ||
		    !w->in_ckpt)
			continue;
		co_event(1, "worker %llu, opened by pid %u for a process it "
			 "created, never said who it is: left out of "
			 "checkpoint %u", (unsigned long long)w->id,
			 w->prejoin_by, co.generation);
		co_client_drop(w);
	}
}

void co_tick(uint64_t now)
{
	const char *why;

	co_prejoin_expire(now);

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
		if (co.interval > 0 && co.phase == CO_IDLE && !co.killing) {
			if (co_ckpt_start(&why) != 0)
				co_schedule_interval();
		}
	}
}
