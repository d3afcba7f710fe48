/*
 * commands.c - coordinator commands, shared by the console (requester
 * NULL) and dmtcp_command connections: checkpoint, blocking checkpoint,
 * kill, quit, status, list, interval.  Replies (sent by reply.c) are
 * "KEY=VALUE\n" text; every value that may come from a client (names,
 * paths, the computation id a restarted process brought) is escaped
 * (escape.h), so it stays on its line.
 */
#include "config.h"
#include "coord.h"
#include "dmtcp/image.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void co_status_text(struct co_buf *b)
{
	int n = co_num_workers();
	char when[64] = "";

	if (co.last_ckpt_time) {
		struct tm tm;

		localtime_r(&co.last_ckpt_time, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
	}
	co_buf_printf(b, "COORDINATOR=%s:%d\n", ESC(co.host), co.port);
	co_buf_printf(b, "COMPUTATION=%s\n",
		      co.comp_id[0] ? ESC(co.comp_id) : "none");
	co_buf_printf(b, "NUM_PEERS=%d\n", n);
	co_buf_printf(b, "RUNNING=%s\n",
		      n > 0 && co.phase == CO_IDLE && !co.killing &&
		      !co_ckpt_lagging() ? "yes" : "no");
	co_buf_printf(b, "GENERATION=%u\n", co.generation);
	co_buf_printf(b, "INTERVAL=%ld\n", co_interval_s());
	co_buf_printf(b, "INTERVAL_MS=%ld\n", co.interval_ms);
	co_buf_printf(b, "TIMELINE=%s\n", co.timeline ? "yes" : "no");
	co_buf_printf(b, "CKPT_DIR=");
	co_buf_esc(b, co.ckpt_dir);
	co_buf_printf(b, "\n");
	co_buf_printf(b, "LAST_CKPT_TIME=%s\n", when);
	if (co.last_ckpt_time) {
		co_buf_printf(b, "LAST_CKPT_DURATION_MS=%llu\n",
			      (unsigned long long)co.last_ckpt_ms);
		co_buf_printf(b, "LAST_CKPT_IMAGES=%zu\n", co.last_nimages);
		co_buf_printf(b, "LAST_CKPT_BYTES=%llu\n",
			      (unsigned long long)co.last_bytes);
	} else {
		co_buf_printf(b, "LAST_CKPT_DURATION_MS=\n");
		co_buf_printf(b, "LAST_CKPT_IMAGES=\nLAST_CKPT_BYTES=\n");
	}
}

/* The console's list: a table with a header, for people. */
static void co_list_table(struct co_buf *b)
{
	int wh = 4, wp = 7, n = 0;

	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];
		int l;

		if (w->kind != CO_WORKER || w->closing)
			continue;
		l = (int)strlen(w->host);
		wh = l > wh ? l : wh;
		l = (int)strlen(w->prog);
		wp = l > wp ? l : wp;
		n++;
	}
	if (!n) {
		co_buf_printf(b, "no processes connected\n");
		return;
	}
	co_buf_printf(b, "%-4s %-8s %-*s %-*s %-13s %s\n", "ID", "PID", wh,
		      "HOST", wp, "PROGRAM", "STATE", "LAST IMAGE");
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		co_buf_printf(b, "%-4llu %-8u %-*s %-*s %-13s ",
			      (unsigned long long)w->id, w->pid, wh, w->host,
			      wp, w->prog, dmtcp_worker_state_name(w->state));
		co_buf_esc(b, w->image[0] ? w->image : "-");
		co_buf_printf(b, "\n");
	}
	co_buf_printf(b, "%d process%s, computation %s\n", n,
		      n == 1 ? "" : "es",
		      co.comp_id[0] ? ESC(co.comp_id) : "none");
}

void co_list_text(struct co_buf *b)
{
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		co_buf_printf(b, "%llu, %u, %s, %s, %s, ",
			      (unsigned long long)w->id, w->pid, w->host,
			      w->prog, dmtcp_worker_state_name(w->state));
		co_buf_esc(b, w->image[0] ? w->image : "-");
		co_buf_printf(b, "\n");
	}
}

static void co_start_kill(struct co_client *c, enum co_wait wait)
{
	if (c)
		c->wait = wait;
	else
		co.console_wait = wait;
	if (!co.killing)
		co_kill_all();
	/* nothing to wait for: answer right away */
	co_tick(co_now_ms());
}

/*
 * A snapshot's tag from a command's payload: at most 127 bytes, no
 * control characters (it goes into images, logs and listings).
 * 0, or -1 with the reason in why.
 */
static int co_take_tag(const char *tag, size_t len, const char **why)
{
	if (len && !tag[len - 1])
		len--;		/* a terminating NUL */
	if (len >= sizeof(co.ckpt_tag)) {
		*why = "snapshot tag too long (at most 127 bytes)";
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)tag[i] < 0x20 || tag[i] == 0x7f) {
			*why = "snapshot tag with a control character";
			return -1;
		}
	memcpy(co.ckpt_tag, tag, len);
	co.ckpt_tag[len] = 0;
	return 0;
}

long co_interval_s(void)
{
	return (co.interval_ms + 999) / 1000;
}

void co_set_interval_ms(long ms)
{
	co.interval_ms = ms;
	co_schedule_interval();
	if (co_num_workers() == 0)
		co.next_ckpt_ms = 0;
	co_event(0, "checkpoint interval set to %ld ms%s", ms,
		 ms ? "" : " (disabled)");
}

void co_command(struct co_client *c, int cmd, uint64_t arg,
		const char *payload, size_t len)
{
	struct co_buf b = { 0 };
	const char *why;
	int st;

	switch (cmd) {
	case DMTCP_CMD_CHECKPOINT:
	case DMTCP_CMD_BCHECKPOINT:
		st = co_ckpt_can_start(&why);
		if (!st && (arg > IMG_SNAP_TRIGGER_MAX ||
			    arg == IMG_SNAP_INTERVAL || arg == IMG_SNAP_CRASH)) {
			st = DMTCP_REPLY_ERROR;
			why = "unknown snapshot trigger";
		}
		if (!st && co_take_tag(payload ? payload : "",
				       payload ? len : 0, &why) < 0)
			st = DMTCP_REPLY_ERROR;
		if (st) {
			co_buf_printf(&b, "%s\n", why);
			co_reply(c, st, b.s);
			break;
		}
		co.ckpt_trigger = (uint32_t)arg;
		if (cmd == DMTCP_CMD_BCHECKPOINT && c) {
			c->wait = CO_WAIT_BCKPT;
		} else if (cmd == DMTCP_CMD_BCHECKPOINT) {
			co.console_bckpt = 1;
		} else {
			/*
			 * Reply before DO_CHECKPOINT goes out: the requester
			 * may be a thread of a worker (dmtcp_checkpoint()),
			 * which the checkpoint is about to suspend.
			 */
			co_buf_printf(&b, "GENERATION=%u\nNUM_PEERS=%d\n",
				      co.generation + 1, co_num_workers());
			co_reply(c, DMTCP_REPLY_OK, b.s);
		}
		co_ckpt_start(&why);
		break;
	case DMTCP_CMD_KILL:
		co_start_kill(c, CO_WAIT_KILL);
		break;
	case DMTCP_CMD_QUIT:
		co_start_kill(c, CO_WAIT_QUIT);
		break;
	case DMTCP_CMD_STATUS:
		co_status_text(&b);
		co_reply(c, DMTCP_REPLY_OK, b.s);
		break;
	case DMTCP_CMD_LIST:
		if (c)
			co_list_text(&b);
		else
			co_list_table(&b);
		co_reply(c, DMTCP_REPLY_OK, b.s ? b.s : "");
		break;
	case DMTCP_CMD_INTERVAL:
		if (arg > 100000000ull) {
			co_reply(c, DMTCP_REPLY_ERROR,
				 "interval out of range\n");
			break;
		}
		co.interval_ms = (long)arg * 1000;
		co_schedule_interval();
		if (co_num_workers() == 0)
			co.next_ckpt_ms = 0;
		co_event(0, "checkpoint interval set to %ld s%s",
			 co_interval_s(), co.interval_ms ? "" : " (disabled)");
		co_buf_printf(&b, "INTERVAL=%ld\n", co_interval_s());
		co_reply(c, DMTCP_REPLY_OK, b.s);
		break;
	case DMTCP_CMD_INTERVAL_MS:
		if (arg > 100000000000ull) {
			co_reply(c, DMTCP_REPLY_ERROR,
				 "interval out of range\n");
			break;
		}
		co_set_interval_ms((long)arg);
		co_buf_printf(&b, "INTERVAL_MS=%ld\n", co.interval_ms);
		co_reply(c, DMTCP_REPLY_OK, b.s);
		break;
	default:
		co_buf_printf(&b, "unknown command %d\n", cmd);
		co_reply(c, DMTCP_REPLY_ERROR, b.s);
		break;
	}
	co_buf_free(&b);
}
