/*
 * command.c - dmtcp_command: send commands to a running coordinator and
 * print its replies ("KEY=VALUE" lines).
 */
#include "config.h"
#include "cmd-opts.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD_CONNECT_MS	3000
#define CMD_REPLY_MS	30000

enum {
	CMD_EXIT_OK = 0,
	CMD_EXIT_USAGE = 1,
	CMD_EXIT_UNREACHABLE = 2,
	CMD_EXIT_REFUSED = 3,
};

static char cmd_reply[DMTCP_MSG_MAX_PAYLOAD + 1];

/* Wait until fd is readable; timeout_ms < 0 waits forever.  0 or -1. */
static int cmd_wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		int r = poll(&p, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = ETIMEDOUT;
		return r > 0 ? 0 : -1;
	}
}

static int cmd_run(const char *host, int port, const struct cmd_request *rq)
{
	struct dmtcp_hello h;
	struct dmtcp_msg m;
	char where[300];
	int fd, rc;

	snprintf(where, sizeof(where), "%s:%d", host, port);
	fd = coord_connect(host, port, CMD_CONNECT_MS);
	if (fd < 0) {
		fprintf(stderr, "dmtcp_command: cannot reach the coordinator "
			"at %s: %s\n(is dmtcp_coordinator running there? "
			"choose it with -h/-p or DMTCP_COORD_HOST/"
			"DMTCP_COORD_PORT)\n", where, strerror(errno));
		return CMD_EXIT_UNREACHABLE;
	}
	memset(&h, 0, sizeof(h));
	coord_get_secret(port, h.secret, sizeof(h.secret));
	h.pid = getpid();
	h.ppid = getppid();
	h.uid = getuid();
	gethostname(h.hostname, sizeof(h.hostname) - 1);
	snprintf(h.progname, sizeof(h.progname), "dmtcp_command");

	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_COMMAND);
	rc = dmtcp_msg_send(fd, &m, &h, sizeof(h));
	if (rc == 0) {
		dmtcp_msg_init(&m, DMTCP_MSG_COMMAND);
		m.arg0 = rq->cmd;
		m.arg1 = rq->arg;
		rc = dmtcp_msg_send(fd, &m, NULL, 0);
	}
	if (rc < 0) {
		fprintf(stderr, "dmtcp_command: sending to the coordinator at "
			"%s: %s\n", where, strerror(errno));
		close(fd);
		return CMD_EXIT_UNREACHABLE;
	}
	/* a blocking checkpoint takes as long as the checkpoint takes */
	if (cmd_wait_readable(fd, rq->cmd == DMTCP_CMD_BCHECKPOINT ? -1 :
			      CMD_REPLY_MS) < 0 ||
	    dmtcp_msg_recv(fd, &m, cmd_reply, sizeof(cmd_reply)) < 0) {
		int e = errno;

		fprintf(stderr, "dmtcp_command: no reply from the coordinator "
			"at %s to '%s': %s\n", where, cmd_name(rq->cmd),
			e == 0 ? "connection closed" :
			e == EPROTO ? "not a dmtcp coordinator (bad reply)" :
			strerror(e));
		close(fd);
		return CMD_EXIT_UNREACHABLE;
	}
	close(fd);
	if (m.type == DMTCP_MSG_REFUSE) {
		char path[600] = "";

		fprintf(stderr, "dmtcp_command: the coordinator at %s refused "
			"the connection: %s\n", where, cmd_reply);
		if (!h.secret[0] && coord_secret_path(port, path,
						      sizeof(path)) == 0)
			fprintf(stderr, "dmtcp_command: no secret found: set "
				"DMTCP_COORD_SECRET to the contents of %s on "
				"the coordinator's host\n", path);
		return CMD_EXIT_REFUSED;
	}
	if (m.type != DMTCP_MSG_REPLY) {
		fprintf(stderr, "dmtcp_command: unexpected message type %u "
			"from the coordinator at %s\n", m.type, where);
		return CMD_EXIT_REFUSED;
	}
	if (m.arg0 != DMTCP_REPLY_OK) {
		size_t n = strlen(cmd_reply);

		while (n && cmd_reply[n - 1] == '\n')
			cmd_reply[--n] = 0;
		fprintf(stderr, "dmtcp_command: %s: coordinator at %s: %s\n",
			cmd_name(rq->cmd), where,
			cmd_reply[0] ? cmd_reply : "error");
		return CMD_EXIT_REFUSED;
	}
	fputs(cmd_reply, stdout);
	fflush(stdout);
	return CMD_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cmd_opts o;
	char err[256];
	const char *host;
	int port;

	if (cmd_opts_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		if (err[0]) {
			fprintf(stderr, "dmtcp_command: %s\n", err);
			cmd_usage(stderr);
		} else {
			cmd_usage(stdout);
		}
		return CMD_EXIT_USAGE;
	}
	if (o.help) {
		cmd_usage(stdout);
		return CMD_EXIT_OK;
	}
	if (o.version) {
		printf("dmtcp_command (%s) %s\n", PACKAGE_NAME,
		       PACKAGE_VERSION);
		return CMD_EXIT_OK;
	}
	host = util_coord_host(o.host);
	port = util_coord_port(o.port);
	if (port < 0) {
		fprintf(stderr, "dmtcp_command: invalid DMTCP_COORD_PORT '%s'\n",
			getenv("DMTCP_COORD_PORT"));
		return CMD_EXIT_USAGE;
	}
	for (int i = 0; i < o.nreq; i++) {
		int rc = cmd_run(host, port, &o.req[i]);

		if (rc)
			return rc;
	}
	return CMD_EXIT_OK;
}
