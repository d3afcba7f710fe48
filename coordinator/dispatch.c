/*
 * dispatch.c - what the coordinator does with each message a client
 * sends: the hello handshake (secret check, computation id, restart
 * admission), worker barrier/image reports and dmtcp_command requests.
 */
#include "config.h"
#include "coord.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Compare secrets without leaking the matching prefix length. */
static int co_secret_ok(const char *given)
{
	unsigned char diff = 0;

	if (strlen(given) != DMTCP_SECRET_LEN)
		return 0;
	for (int i = 0; i < DMTCP_SECRET_LEN; i++)
		diff |= (unsigned char)given[i] ^ (unsigned char)co.secret[i];
	return diff == 0;
}

static void co_new_comp_id(void)
{
	char host[32];

	util_strlcpy(host, co.hostname, sizeof(host));
	/* "." would make the id ambiguous in file names; keep it short */
	for (char *p = host; *p; p++)
		if (*p == '.') {
			*p = 0;
			break;
		}
	snprintf(co.comp_id, sizeof(co.comp_id), "%s-%d-%lx", host,
		 (int)getpid(), (unsigned long)time(NULL));
	co.generation = 0;
}

/* Is a non-restarted worker of a computation other than comp alive? */
static int co_live_other_comp(const char *comp)
{
	if (!co.comp_id[0] || !strcmp(co.comp_id, comp))
		return 0;
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind == CO_WORKER && !w->closing && !w->restarting)
			return 1;
	}
	return 0;
}

static int co_hello_worker(struct co_client *c, struct dmtcp_hello *h)
{
	struct dmtcp_welcome wel;
	int restart = !!(h->flags & DMTCP_HELLO_RESTART);
	int prejoin = !restart && (h->flags & DMTCP_HELLO_PREJOIN);
	int fresh = co_num_workers() == 0;

	if (prejoin && (co.phase == CO_CKPT || co.killing || fresh)) {
		/* the fork or exec waits until the checkpoint is over, so
		   the new process is in every image set or in none; with
		   no worker left the computation is gone */
		co_refuse_retry(c, fresh ? "no computation to join" :
				"a checkpoint is in progress");
		return 0;
	}
	if (restart) {
		char reason[256];

		if (co.phase == CO_CKPT) {
			co_refuse(c, "a checkpoint is in progress on this "
				  "coordinator; restart after it completes");
			return 0;
		}
		if (co_live_other_comp(h->comp_id)) {
			snprintf(reason, sizeof(reason),
				 "this coordinator is running computation %s "
				 "(%d processes); restart %s with another "
				 "coordinator (-p PORT) or kill it first",
				 ESC(co.comp_id), co_num_workers(),
				 ESC(h->comp_id));
			co_refuse(c, reason);
			return 0;
		}
		if (co.phase == CO_RESTART && co.comp_id[0] &&
		    strcmp(co.comp_id, h->comp_id) != 0) {
			snprintf(reason, sizeof(reason),
				 "restart of computation %s in progress; "
				 "cannot join %s to it", ESC(co.comp_id),
				 ESC(h->comp_id));
			co_refuse(c, reason);
			return 0;
		}
	}

	c->kind = CO_WORKER;
	c->id = co.next_client_id++;
	c->pid = h->pid;
	esc_str(c->host, sizeof(c->host), h->hostname);
	esc_str(c->prog, sizeof(c->prog), h->progname);
	snprintf(c->unique_id, sizeof(c->unique_id), "%s", h->unique_id);
	snprintf(c->image, sizeof(c->image), "%s", restart ? h->image : "");
	c->state = restart ? DMTCP_WS_RESTARTING : DMTCP_WS_RUNNING;
	c->prejoin = prejoin;
	c->prejoin_by = prejoin ? h->pid : 0;

	if (restart) {
		if (co.phase != CO_RESTART) {
			co.phase = CO_RESTART;
			co.released = 0;
			co.restart_expected = 0;
			snprintf(co.comp_id, sizeof(co.comp_id), "%s",
				 h->comp_id);
			co.generation = h->generation;
		}
		if (h->generation > co.generation)
			co.generation = h->generation;
		if ((int)h->num_peers > co.restart_expected)
			co.restart_expected = h->num_peers;
		c->restarting = 1;
	} else if (fresh && co.phase != CO_RESTART) {
		co_new_comp_id();
	}
	co.had_workers = 1;
	/* dmtcp_launch --timeline / --interval-ms (a restarted process
	   keeps asking: its settings came back with it) */
	if (fresh && co.asked) {
		/* a new computation: its own wishes, or the coordinator's
		   options again */
		co.timeline = 0;
		co.asked = 0;
		co.opts.keep_generations = co.keep_configured;
		co.interval_ms = co.interval_configured_ms;
	}
	if ((h->flags & DMTCP_HELLO_TIMELINE) && !co.timeline) {
		co.timeline = 1;
		co.asked = 1;
		co.opts.keep_generations = (int)(h->keep > 100000 ? 0 :
						 h->keep);
		if (co.opts.keep_generations)
			co_event(0, "timeline: keeping the newest %d "
				 "generations", co.opts.keep_generations);
		else
			co_event(0, "timeline: keeping every generation");
	}
	if (h->interval_ms && (long)h->interval_ms != co.interval_ms) {
		co_set_interval_ms((long)h->interval_ms);
		co.asked = 1;
	}
	if (!co.next_ckpt_ms)
		co_schedule_interval();

	memset(&wel, 0, sizeof(wel));
	snprintf(wel.comp_id, sizeof(wel.comp_id), "%s", co.comp_id);
	snprintf(wel.ckpt_dir, sizeof(wel.ckpt_dir), "%s",
		 co.ckpt_dir_explicit);
	wel.generation = co.generation;
	if (prejoin)
		pr_debug("worker %llu: connection opened by pid %u for a "
			 "process it is creating", (unsigned long long)c->id,
			 c->pid);
	else
		co_event(0, "worker %llu joined: %s pid %u on %s%s (%s)",
			 (unsigned long long)c->id, c->prog, c->pid, c->host,
			 restart ? ", restarting" : "", c->peer);
	if (co_send(c, DMTCP_MSG_WELCOME, c->id, co_interval_s(), &wel,
		    sizeof(wel)) < 0)
		return -1;
	if (co.killing && !restart)	/* created while we kill: goes too */
		return co_send(c, DMTCP_MSG_KILL, co.kill_freezing ?
			       DMTCP_KILL_FREEZE : DMTCP_KILL_NOW, 0, NULL, 0);
	return 0;
}

static int co_hello(struct co_client *c, const struct dmtcp_msg *m,
		    char *payload)
{
	struct dmtcp_hello h;

	if (m->payload_len != sizeof(h)) {
		co_refuse(c, "malformed hello (wrong size: client and "
			  "coordinator are from different releases?)");
		return 0;
	}
	memcpy(&h, payload, sizeof(h));
	h.secret[sizeof(h.secret) - 1] = 0;
	h.hostname[sizeof(h.hostname) - 1] = 0;
	h.progname[sizeof(h.progname) - 1] = 0;
	h.comp_id[sizeof(h.comp_id) - 1] = 0;
	h.unique_id[sizeof(h.unique_id) - 1] = 0;
	h.image[sizeof(h.image) - 1] = 0;
	if (!co_secret_ok(h.secret)) {
		co_refuse(c, h.secret[0] ?
			  "wrong secret (the client read the secret of "
			  "another coordinator on this port?)" :
			  "no secret given (DMTCP_COORD_SECRET unset and "
			  "the coordinator's secret file not readable)");
		return 0;
	}
	/* from here on the limits of authenticated clients apply */
	c->authed = 1;
	if (m->type == DMTCP_MSG_HELLO_COMMAND) {
		c->kind = CO_COMMAND;
		pr_debug("command connection from %s", c->peer);
		return 0;
	}
	return co_hello_worker(c, &h);
}

/* The process a prejoined connection was opened for says who it is. */
static int co_worker_update(struct co_client *c, const struct dmtcp_msg *m,
			    const char *payload)
{
	struct dmtcp_hello h;

	if (m->payload_len != sizeof(h)) {
		co_event(1, "worker %llu sent a malformed update; dropping it",
			 (unsigned long long)c->id);
		return -1;
	}
	memcpy(&h, payload, sizeof(h));
	h.hostname[sizeof(h.hostname) - 1] = 0;
	h.progname[sizeof(h.progname) - 1] = 0;
	h.unique_id[sizeof(h.unique_id) - 1] = 0;
	c->pid = h.pid;
	esc_str(c->host, sizeof(c->host), h.hostname);
	esc_str(c->prog, sizeof(c->prog), h.progname);
	snprintf(c->unique_id, sizeof(c->unique_id), "%s", h.unique_id);
	if (c->prejoin)
		co_event(0, "worker %llu joined: %s pid %u on %s (%s by pid "
			 "%u)", (unsigned long long)c->id, c->prog, c->pid,
			 c->host, c->pid == c->prejoin_by ? "exec'd" :
			 "created", c->prejoin_by);
	c->prejoin = 0;
	return 0;
}

static int co_worker_msg(struct co_client *c, const struct dmtcp_msg *m,
			 char *payload)
{
	switch (m->type) {
	case DMTCP_MSG_BARRIER:
		co_barrier_reached(c, (int)m->arg0);
		return 0;
	case DMTCP_MSG_CKPT_WRITTEN:
		co_ckpt_written(c, m, payload);
		return 0;
	case DMTCP_MSG_CKPT_WRITING:
		co_ckpt_writing(c, payload);
		return 0;
	case DMTCP_MSG_WORKER_STATE:
		c->state = (int)m->arg0;
		return 0;
	case DMTCP_MSG_WORKER_UPDATE:
		return co_worker_update(c, m, payload);
	case DMTCP_MSG_KILL_READY:
		c->kill_ready = 1;
		co_kill_recheck();
		return 0;
	default:
		co_event(1, "worker %llu (%s pid %u) sent unexpected message "
			 "type %u; dropping it", (unsigned long long)c->id,
			 c->prog, c->pid, m->type);
		return -1;
	}
}

int co_dispatch(struct co_client *c, const struct dmtcp_msg *m,
		char *payload)
{
	switch (c->kind) {
	case CO_NEW:
		if (m->type == DMTCP_MSG_HELLO_WORKER ||
		    m->type == DMTCP_MSG_HELLO_COMMAND)
			return co_hello(c, m, payload);
		co_client_event(c, 1, "client %s sent message type %u "
				"before hello; dropping it", c->peer,
				m->type);
		return -1;
	case CO_WORKER:
		return co_worker_msg(c, m, payload);
	case CO_COMMAND:
		if (m->type == DMTCP_MSG_KV_PUT || m->type == DMTCP_MSG_KV_GET ||
		    m->type == DMTCP_MSG_USER_BARRIER)
			return co_service(c, m, payload);
		if (m->type != DMTCP_MSG_COMMAND) {
			co_event(1, "command client %s sent message type %u; "
				 "dropping it", c->peer, m->type);
			return -1;
		}
		co_command(c, (int)m->arg0, m->arg1, payload,
			   m->payload_len);
		return 0;
	}
	return -1;
}

void co_client_gone(struct co_client *c)
{
	if (c->kind != CO_WORKER) {
		c->kind = CO_NEW;
		c->ubar[0] = 0;
		return;
	}
	if (c->prejoin)	/* the fork or exec it was made for failed */
		pr_debug("worker %llu, opened by pid %u, closed unused",
			 (unsigned long long)c->id, c->prejoin_by);
	else
		co_event(0, "worker %llu left: %s pid %u on %s",
			 (unsigned long long)c->id, c->prog, c->pid, c->host);
	c->prejoin = 0;
	if (co.phase == CO_RESTART && c->restarting &&
	    co.released < DMTCP_BAR_RESTARTED && co.restart_expected > 0)
		co.restart_expected--;
	co_ckpt_worker_lost(c);	/* a frozen process killed: ckpt fails */
	/* no longer counted by barriers or co_num_workers() */
	c->kind = CO_NEW;
	c->in_ckpt = c->restarting = 0;
	co_barrier_recheck();
	co_kill_recheck();
	co_user_barrier_recheck();
	if (co_num_workers() == 0) {
		co_kv_clear();
		if (co.phase == CO_RESTART)
			co_event(1, "restart of %s abandoned: every restarting "
				 "process left", ESC(co.comp_id));
		co.phase = CO_IDLE;
		co.comp_id[0] = 0;
		co.next_ckpt_ms = 0;
		if (co.opts.exit_on_last && co.had_workers && !co.killing) {
			co_event(0, "last process left; exiting "
				 "(--exit-on-last)");
			co.quit = 1;
		}
	}
}
