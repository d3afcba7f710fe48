/*
 * bad_version.c - a plugin that claims another plugin API version: the
 * tool refuses it with a message naming it (tests/e2e/test-plugin-errors.sh).
 */
#include "dmtcp.h"

static void bad_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	(void)event;
	(void)data;
}

static DmtcpPluginDescriptor_t bad_plugin = {
	"2", DMTCP_PACKAGE_VERSION, "old_plugin", "tests", "",
	"built for an older plugin API", bad_hook
};

DMTCP_DECL_PLUGIN(bad_plugin);
