/*
 * plugin/plugin.h - the plugin registry (registry.c: events delivered in
 * the documented order to the internal plugins, then the user's) and the
 * services dmtcp.h offers plugins (services.c).  Rule: plugin/ uses
 * base/ and threads/ only; the sequence's own steps register themselves
 * from ckpt/ (ckpt/steps.c).
 */
#ifndef DMTCP_PRELOAD_PLUGINS_H
#define DMTCP_PRELOAD_PLUGINS_H

#include "base/state.h"
#include "dmtcp.h"

/* set by our exec wrappers in the new program's environment, removed
   again by its initialization: POST_EXEC is due */
#define DMTCP_EXEC_MARK "DMTCP_POST_EXEC"

/* which plugins an event goes to */
#define PLUG_INTERNAL	0x1
#define PLUG_USER	0x2
#define PLUG_ALL	(PLUG_INTERNAL | PLUG_USER)

extern int dmtcp_n_user_plugins HIDDEN;

/* Register the user's plugins (the preloaded dmtcp_initialize_plugin
   chain), after the internal ones. */
void dmtcp_plugins_load(void) HIDDEN;
void dmtcp_plugins_register_internal(const DmtcpPluginDescriptor_t *d)
	HIDDEN;
/* Deliver ev in the documented order to the plugins selected by which. */
void dmtcp_plugins_event(int ev, DmtcpEventData_t *data, int which) HIDDEN;
/* Same, with data.resumeUserThreadInfo.isRestart = is_restart. */
void dmtcp_plugins_event_restart(int ev, int is_restart, int which) HIDDEN;
const char *dmtcp_event_name(int ev) HIDDEN;



/* plugin/services.c: a command connection to our coordinator, or -1 */
int dmtcp_coord_open(void) HIDDEN;
struct dmtcp_msg;
/* One request and its reply on a new command connection (see there). */
int dmtcp_coord_call(uint16_t type, uint64_t a0, uint64_t a1,
		     const void *payload, size_t len, uint16_t want,
		     struct dmtcp_msg *reply, void *buf, size_t cap,
		     const char *what) HIDDEN;

/* 0 between the start of a checkpoint/restart and running again. */
extern volatile int dmtcp_running_state HIDDEN;

#endif /* DMTCP_PRELOAD_PLUGINS_H */
