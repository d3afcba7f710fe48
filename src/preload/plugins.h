/*
 * plugins.h - the plugin registry inside the preload library
 * (plugins.c) and the tool's own internal plugins (internal-plugins.c).
 */
#ifndef DMTCP_PRELOAD_PLUGINS_H
#define DMTCP_PRELOAD_PLUGINS_H

#include "internal.h"
#include "dmtcp.h"

/* set by our exec wrappers in the new program's environment, removed
   again by its initialization: POST_EXEC is due */
#define DMTCP_EXEC_MARK "DMTCP_POST_EXEC"

/* which plugins an event goes to */
#define PLUG_INTERNAL	0x1
#define PLUG_USER	0x2
#define PLUG_ALL	(PLUG_INTERNAL | PLUG_USER)

extern int dmtcp_n_user_plugins HIDDEN;

/* Register the internal plugins, then the user's (the preloaded
   dmtcp_initialize_plugin chain). */
void dmtcp_plugins_load(void) HIDDEN;
void dmtcp_plugins_register_internal(const DmtcpPluginDescriptor_t *d)
	HIDDEN;
void dmtcp_internal_plugins_register(void) HIDDEN;
/* Deliver ev in the documented order to the plugins selected by which. */
void dmtcp_plugins_event(int ev, DmtcpEventData_t *data, int which) HIDDEN;
/* Same, with data.resumeUserThreadInfo.isRestart = is_restart. */
void dmtcp_plugins_event_restart(int ev, int is_restart, int which) HIDDEN;
const char *dmtcp_event_name(int ev) HIDDEN;

/* init.c: a new process of the computation (fork, clone used as fork)
   joins the coordinator and starts its checkpoint thread */
void dmtcp_atfork_child(void) HIDDEN;
void dmtcp_atfork_child_conn(int conn) HIDDEN;	/* conn: prejoin.c, or -1 */

/* wrappers-thread.c: set while the library creates a thread of its own */
extern __thread int dmtcp_tl_internal_create HIDDEN;

/* plugin-services.c: a command connection to our coordinator, or -1 */
int dmtcp_coord_open(void) HIDDEN;
struct dmtcp_msg;
/* One request and its reply on a new command connection (see there). */
int dmtcp_coord_call(uint16_t type, uint64_t a0, uint64_t a1,
		     const void *payload, size_t len, uint16_t want,
		     struct dmtcp_msg *reply, void *buf, size_t cap,
		     const char *what) HIDDEN;

/* ckpt-thread.c: wait at one of the checkpoint's own barriers; 1 when
 * the checkpoint has failed by then (do no more work for it). */
int dmtcp_ckpt_barrier(int id) HIDDEN;
/* 0 between the start of a checkpoint/restart and running again. */
extern volatile int dmtcp_running_state HIDDEN;
/* user threads deliver THREAD_RESUME when they leave this checkpoint */
extern int dmtcp_thread_resume_hooks HIDDEN;

#endif /* DMTCP_PRELOAD_PLUGINS_H */
