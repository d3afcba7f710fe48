/*
 * sleepwrap.c - example wrapper plugin, built twice: as libsleep1.so
 * (-DSLEEP_PLUGIN=sleep1) and libsleep2.so (-DSLEEP_PLUGIN=sleep2).  Each
 * wraps sleep() and logs around the call, then calls the next definition
 * with NEXT_FNC: loaded as --with-plugin libsleep1.so:libsleep2.so the
 * application's sleep() goes sleep1 -> sleep2 -> the tool -> libc.  It
 * also logs the checkpoint events, to show their order across plugins.
 */
#include "plugin-log.h"

#ifndef SLEEP_PLUGIN
# define SLEEP_PLUGIN sleep1
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define NAME STR(SLEEP_PLUGIN)

unsigned int sleep(unsigned int seconds)
{
	unsigned int left;

	plog("%s enter %u", NAME, seconds);
	left = NEXT_FNC(sleep)(seconds);
	plog("%s leave %u", NAME, left);
	return left;
}

static void sleep_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	(void)data;
	switch (event) {
	case DMTCP_EVENT_INIT:
	case DMTCP_EVENT_PRESUSPEND:
	case DMTCP_EVENT_PRECHECKPOINT:
	case DMTCP_EVENT_RESUME:
	case DMTCP_EVENT_RESTART:
	case DMTCP_EVENT_RUNNING:
		plog("%s %s", NAME, pevent(event));
		break;
	default:
		break;
	}
}

static DmtcpPluginDescriptor_t sleep_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	NAME,
	"dmtcp-debug tests",
	"nobody@example.invalid",
	"Wraps sleep() and logs checkpoint events",
	sleep_hook
};

DMTCP_DECL_PLUGIN(sleep_plugin);
