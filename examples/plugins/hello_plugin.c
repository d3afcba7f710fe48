/*
 * hello_plugin.c - the smallest useful plugin: announces on stderr the
 * events of its process that a checkpoint goes through ("hello_plugin:
 * INIT pid=1234", PRECHECKPOINT, RESUME, RESTART, EXIT).  It writes with
 * write(2), not stdio: PRECHECKPOINT runs while every thread of the
 * application is frozen, possibly holding stdio's or malloc's lock.
 *
 *   make                      # cc -shared -fPIC $(pkg-config --cflags dmtcp) ...
 *   dmtcp_launch --new-coordinator --with-plugin ./libhello_plugin.so ./app
 */
#include <dmtcp.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void say(const char *what)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "hello_plugin: %s pid=%d\n", what,
			 (int)getpid());

	if (n > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n);
}

static void hello_event(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	switch (event) {
	case DMTCP_EVENT_INIT:		/* the process joined its coordinator */
		say("INIT");
		break;
	case DMTCP_EVENT_PRECHECKPOINT:	/* frozen; the image is written next */
		say("PRECHECKPOINT");
		break;
	case DMTCP_EVENT_RESUME:	/* image written, in the original */
	case DMTCP_EVENT_RESTART:	/* in the restarted process */
		say(data->resumeUserThreadInfo.isRestart ? "RESTART" : "RESUME");
		break;
	case DMTCP_EVENT_EXIT:
		say("EXIT");
		break;
	default:
		break;
	}
}

static DmtcpPluginDescriptor_t hello_plugin = {
	DMTCP_PLUGIN_API_VERSION,	/* checked when the plugin is loaded */
	DMTCP_PACKAGE_VERSION,
	"hello_plugin",			/* names the plugin in messages */
	"dmtcp-debug examples",
	"nobody@example.invalid",
	"Announces checkpoint events on stderr",
	hello_event
};

DMTCP_DECL_PLUGIN(hello_plugin);
