/*
 * sleep2.c - example wrapper plugin: wraps sleep() and logs around the
 * call, then calls the next definition with NEXT_FNC (sleep1.c is
 * the same; loaded as --with-plugin libsleep1.so:libsleep2.so the
 * application's sleep() goes sleep1 -> sleep2 -> the tool -> libc).  It
 * also logs the checkpoint events, to show their order across plugins.
 */
#include "plugin-log.h"

unsigned int sleep(unsigned int seconds)
{
	unsigned int left;

	plog("sleep2 enter %u", seconds);
	left = NEXT_FNC(sleep)(seconds);
	plog("sleep2 leave %u", left);
	return left;
}

static void sleep2_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	(void)data;
	switch (event) {
	case DMTCP_EVENT_INIT:
	case DMTCP_EVENT_PRESUSPEND:
	case DMTCP_EVENT_PRECHECKPOINT:
	case DMTCP_EVENT_RESUME:
	case DMTCP_EVENT_RESTART:
	case DMTCP_EVENT_RUNNING:
		plog("sleep2 %s", pevent(event));
		break;
	default:
		break;
	}
}

static DmtcpPluginDescriptor_t sleep2_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	"sleep2",
	"dmtcp-debug tests",
	"nobody@example.invalid",
	"Wraps sleep() and logs checkpoint events",
	sleep2_hook
};

DMTCP_DECL_PLUGIN(sleep2_plugin);
