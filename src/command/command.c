/*
 * command.c - dmtcp_command: send commands to a running coordinator and
 * print its replies ("KEY=VALUE" lines, or JSON with --json).
 *
 * All the commands of one invocation go over one connection, in order;
 * the first that fails ends the run with its exit status (see
 * cmd_usage() and doc/dmtcp_command.1).  A blocking checkpoint waits as
 * long as the checkpoint takes; on a terminal it shows a spinner with
 * the elapsed time on stderr meanwhile and a summary at the end.
 */
#include "config.h"
#include "cmd-json.h"
#include "cmd-opts.h"
#include "common-opts.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD_CONNECT_MS	3000
#define CMD_REPLY_MS	30000
#define CMD_SPIN_AFTER_MS 300	/* no spinner for quick checkpoints */

enum {
	CMD_EXIT_OK = 0,
	CMD_EXIT_USAGE = 1,
	CMD_EXIT_UNREACHABLE = 2,
	CMD_EXIT_REFUSED = 3,
};

struct cmd_conn {
	int fd;
	int port;
	int json;
	int have_secret;
	char where[300];
	const char *tag;	/* --tag, for checkpoints */
	int trigger;		/* --from-gdb */
};

static char cmd_reply[DMTCP_MSG_MAX_PAYLOAD + 1];

static uint64_t cmd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until fd is readable; timeout_ms < 0 waits forever.  With
 * progress set and stderr a terminal, draws a spinner and the elapsed
 * time after CMD_SPIN_AFTER_MS, and erases it before returning.
 */
static int cmd_wait_readable(int fd, int timeout_ms, const char *progress)
{
	static const char spin[] = "|/-\\";
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t start = cmd_now_ms();
	int tty = progress && isatty(2), shown = 0, i = 0, r;

	for (;;) {
		uint64_t el = cmd_now_ms() - start;
		int slice = timeout_ms;

		if (tty) {
			if (el >= CMD_SPIN_AFTER_MS) {
				fprintf(stderr, "\r%c %s... %.1f s ",
					spin[i++ % 4], progress, el / 1000.0);
				fflush(stderr);
				shown = 1;
			}
			slice = 100;
			if (timeout_ms >= 0 && el + slice > (uint64_t)timeout_ms)
				slice = el >= (uint64_t)timeout_ms ? 0 :
					(int)(timeout_ms - el);
		}
		r = poll(&p, 1, slice);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && tty && (timeout_ms < 0 ||
				      cmd_now_ms() - start <
				      (uint64_t)timeout_ms))
			continue;
		break;
	}
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* Report a failure: stderr, and the JSON object on stdout with --json. */
static int cmd_fail(struct cmd_conn *cn, const char *name, const char *st,
		    int rc, const char *msg)
{
	fprintf(stderr, "dmtcp_command: %s\n", msg);
	if (cn->json) {
		cmd_json_print(stdout, name, 0, st, msg);
		fflush(stdout);
	}
	return rc;
}

static int cmd_connect(struct cmd_conn *cn, const char *host, int port)
{
	struct dmtcp_hello h;
	struct dmtcp_msg m;

	snprintf(cn->where, sizeof(cn->where), "%s:%d", host, port);
	cn->port = port;
	cn->fd = coord_connect(host, port, CMD_CONNECT_MS);
	if (cn->fd < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	coord_get_secret(port, h.secret, sizeof(h.secret));
	cn->have_secret = h.secret[0] != 0;
	h.pid = getpid();
	h.ppid = getppid();
	h.uid = getuid();
	gethostname(h.hostname, sizeof(h.hostname) - 1);
	snprintf(h.progname, sizeof(h.progname), "dmtcp_command");
	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_COMMAND);
	if (dmtcp_msg_send(cn->fd, &m, &h, sizeof(h)) < 0) {
		close(cn->fd);
		cn->fd = -1;
		return -1;
	}
	return 0;
}

/*
 * One request/reply.  Returns an exit status; on CMD_EXIT_OK or
 * CMD_EXIT_REFUSED with a REPLY, *status is the reply status and the
 * text is in cmd_reply.  Transport problems are reported here.
 */
static int cmd_request(struct cmd_conn *cn, int cmd, uint64_t arg,
		       const char *name, uint64_t *status)
{
	struct dmtcp_msg m;
	char msg[1200];
	int ckpt = cmd == DMTCP_CMD_CHECKPOINT || cmd == DMTCP_CMD_BCHECKPOINT;
	const char *tag = ckpt && cn->tag ? cn->tag : NULL;

	dmtcp_msg_init(&m, DMTCP_MSG_COMMAND);
	m.arg0 = cmd;
	m.arg1 = ckpt ? (uint64_t)cn->trigger : arg;
	if (dmtcp_msg_send(cn->fd, &m, tag, tag ? strlen(tag) : 0) < 0) {
		snprintf(msg, sizeof(msg), "sending '%s' to the coordinator "
			 "at %s: %s", name, cn->where, strerror(errno));
		return cmd_fail(cn, name, "UNREACHABLE", CMD_EXIT_UNREACHABLE,
				msg);
	}
	/* a blocking checkpoint takes as long as the checkpoint takes */
	if (cmd_wait_readable(cn->fd, cmd == DMTCP_CMD_BCHECKPOINT ? -1 :
			      CMD_REPLY_MS, cmd == DMTCP_CMD_BCHECKPOINT ?
			      "checkpointing" : NULL) < 0 ||
	    dmtcp_msg_recv(cn->fd, &m, cmd_reply, sizeof(cmd_reply) - 1) < 0) {
		int e = errno;

		snprintf(msg, sizeof(msg), "no reply from the coordinator at "
			 "%s to '%s': %s", cn->where, name,
			 e == 0 ? "connection closed" :
			 e == EPROTO ? "not a dmtcp coordinator (bad reply)" :
			 strerror(e));
		return cmd_fail(cn, name, "UNREACHABLE", CMD_EXIT_UNREACHABLE,
				msg);
	}
	cmd_reply[m.payload_len] = 0;
	if (m.type == DMTCP_MSG_REFUSE) {
		char path[600] = "";

		snprintf(msg, sizeof(msg), "the coordinator at %s refused the "
			 "connection: %.600s", cn->where, cmd_reply);
		if (!cn->have_secret &&
		    coord_secret_path(cn->port, path, sizeof(path)) == 0)
			fprintf(stderr, "dmtcp_command: no secret found: set "
				"DMTCP_COORD_SECRET to the contents of %s on "
				"the coordinator's host\n", path);
		return cmd_fail(cn, name, "REFUSED", CMD_EXIT_REFUSED, msg);
	}
	if (m.type != DMTCP_MSG_REPLY) {
		snprintf(msg, sizeof(msg), "unexpected message type %u from "
			 "the coordinator at %s", m.type, cn->where);
		return cmd_fail(cn, name, "ERROR", CMD_EXIT_REFUSED, msg);
	}
	*status = m.arg0;
	return CMD_EXIT_OK;
}

/* "KEY=" value of a reply, or "" */
static const char *cmd_value(const char *text, const char *key, char *buf,
			     size_t cap)
{
	size_t kl = strlen(key);
	const char *p = text;

	buf[0] = 0;
	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, "\n");

			snprintf(buf, cap, "%.*s", (int)n, p + kl + 1);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return buf;
}

/* For people at a terminal: what a blocking checkpoint achieved. */
static void cmd_ckpt_summary(const char *text)
{
	char n[32], bytes[32], ms[32], gen[32];

	if (!isatty(2))
		return;
	cmd_value(text, "NUM_IMAGES", n, sizeof(n));
	cmd_value(text, "TOTAL_BYTES", bytes, sizeof(bytes));
	cmd_value(text, "TIME_MS", ms, sizeof(ms));
	cmd_value(text, "GENERATION", gen, sizeof(gen));
	fprintf(stderr, "dmtcp_command: checkpoint %s complete: %s image%s, "
		"%.1f MiB, %s ms\n", gen[0] ? gen : "?", n,
		strcmp(n, "1") ? "s" : "", strtod(bytes, NULL) / 1048576.0, ms);
}

static int cmd_one(struct cmd_conn *cn, const struct cmd_request *rq)
{
	const char *name = cmd_name(rq->cmd);
	int wire = rq->cmd == CMD_KCHECKPOINT ? DMTCP_CMD_BCHECKPOINT :
		rq->cmd;
	uint64_t st = DMTCP_REPLY_ERROR;
	char *text = NULL;
	int rc;

	rc = cmd_request(cn, wire, rq->arg, name, &st);
	if (rc)
		return rc;
	if (st == DMTCP_REPLY_OK && rq->cmd == CMD_KCHECKPOINT) {
		/* keep the checkpoint's lines, then add the kill's */
		text = strdup(cmd_reply);
		if (!text)
			return cmd_fail(cn, name, "ERROR", CMD_EXIT_REFUSED,
					"out of memory");
		rc = cmd_request(cn, DMTCP_CMD_KILL, 0, name, &st);
		if (rc) {
			free(text);
			return rc;
		}
		if (st == DMTCP_REPLY_OK) {
			char *both = malloc(strlen(text) + strlen(cmd_reply) +
					    1);

			if (both) {
				strcpy(both, text);
				strcat(both, cmd_reply);
			}
			free(text);
			text = both;
		}
	}
	if (st != DMTCP_REPLY_OK) {
		size_t n = strlen(cmd_reply);
		char msg[1600];

		free(text);
		while (n && cmd_reply[n - 1] == '\n')
			cmd_reply[--n] = 0;
		snprintf(msg, sizeof(msg), "%s: coordinator at %s: %.900s",
			 name, cn->where, cmd_reply[0] ? cmd_reply : "error");
		fprintf(stderr, "dmtcp_command: %s\n", msg);
		if (cn->json) {
			cmd_json_print(stdout, name, 0, dmtcp_reply_name(st),
				       cmd_reply[0] ? cmd_reply : "error");
			fflush(stdout);
		}
		return CMD_EXIT_REFUSED;
	}
	if (!text)
		text = cmd_reply;
	if (cn->json)
		cmd_json_print(stdout, name, 1, "OK", text);
	else
		fputs(text, stdout);
	fflush(stdout);
	if (wire == DMTCP_CMD_BCHECKPOINT && !cn->json)
		cmd_ckpt_summary(text);
	if (text != cmd_reply)
		free(text);
	return CMD_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cmd_conn cn = { .fd = -1 };
	struct cmd_opts o;
	char err[256];
	const char *host;
	int port, rc;

	rc = cmd_opts_parse(argc, argv, &o, err, sizeof(err));
	rc = copt_report("dmtcp_command", cmd_usage, rc, err, &o.c,
			 CMD_EXIT_USAGE);
	if (rc >= 0)
		return rc;
	host = copt_coord_host(&o.c, NULL);
	port = copt_coord_port(&o.c, 0, err, sizeof(err));
	if (port < 0) {
		fprintf(stderr, "dmtcp_command: %s\n", err);
		return CMD_EXIT_USAGE;
	}
	rc = CMD_EXIT_OK;
	cn.json = o.json;
	cn.tag = o.tag;
	cn.trigger = o.trigger;
	if (cmd_connect(&cn, host, port) < 0) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "cannot reach the coordinator at "
			 "%s: %s\n(is dmtcp_coordinator running there? choose "
			 "it with -h/-p or DMTCP_COORD_HOST/DMTCP_COORD_PORT)",
			 cn.where, strerror(errno));
		return cmd_fail(&cn, cmd_name(o.req[0].cmd), "UNREACHABLE",
				CMD_EXIT_UNREACHABLE, msg);
	}
	for (int i = 0; i < o.nreq && rc == CMD_EXIT_OK; i++)
		rc = cmd_one(&cn, &o.req[i]);
	close(cn.fd);
	return rc;
}
