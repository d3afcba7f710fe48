/*
 * reconnect.c - example plugin that saves and restores an external
 * resource: the application talks to a server outside the computation
 * through fd 100 (EXT_FD).  The plugin opens that connection at INIT,
 * closes it before the checkpoint (the tool never sees a socket to a
 * peer it cannot restore), opens it again when the process resumes, and
 * at restart connects to the server named by the restart's environment
 * ($ECHO_PORT given to dmtcp_restart, read with dmtcp_get_restart_env),
 * which may be a new server on a new port.
 */
#include "plugin-log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define EXT_FD 100

static int port;

static int connect_to(int p)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_port = htons(p);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		plog("reconnect: cannot connect to port %d", p);
		if (s >= 0)
			close(s);
		return -1;
	}
	if (dup2(s, EXT_FD) < 0)
		return -1;
	close(s);
	port = p;
	return 0;
}

static void reconnect_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	char val[32];

	(void)data;
	switch (event) {
	case DMTCP_EVENT_INIT:
		if (getenv("ECHO_PORT") && connect_to(atoi(getenv("ECHO_PORT")))
		    == 0)
			plog("reconnect INIT port=%d", port);
		break;
	case DMTCP_EVENT_PRECHECKPOINT:
		close(EXT_FD);
		plog("reconnect PRECHECKPOINT closed");
		break;
	case DMTCP_EVENT_RESUME:
		if (connect_to(port) == 0)
			plog("reconnect RESUME port=%d", port);
		break;
	case DMTCP_EVENT_RESTART:
		if (dmtcp_get_restart_env("ECHO_PORT", val, sizeof(val)) ==
		    RESTART_ENV_SUCCESS)
			port = atoi(val);
		if (connect_to(port) == 0)
			plog("reconnect RESTART port=%d", port);
		break;
	default:
		break;
	}
}

static DmtcpPluginDescriptor_t reconnect_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	"reconnect",
	"dmtcp-debug tests",
	"nobody@example.invalid",
	"Reconnects to a server outside the computation after checkpoints",
	reconnect_hook
};

DMTCP_DECL_PLUGIN(reconnect_plugin);
