/*
 * ckpt/steps.c - the tool's own features that fit the plugin
 * interface, registered as internal plugins before the user's: process
 * state (signal dispositions, timers, rlimits, cwd, umask) and file
 * descriptors (capture, pipe/socket leader election, drain, restore).
 * They receive PRECHECKPOINT after the user plugins (so a plugin can
 * release a resource before the tool records its fds) and RESTART
 * before them (so plugins find their fds back).  Threads, memory and the
 * coordinator connection are the frame around the events and stay in
 * ckpt-thread.c.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "image/image.h"
#include "fd/fd.h"
#include "fd/socket.h"
#include "plugin/plugin.h"

#include "dmtcp/protocol.h"

static void procstate_hook(DmtcpEvent_t ev, DmtcpEventData_t *d)
{
	(void)d;
	if (ev == DMTCP_EVENT_PRECHECKPOINT)
		dmtcp_capture_procstate();
	else if (ev == DMTCP_EVENT_RESTART)
		dmtcp_restore_procstate();
}

static void files_hook(DmtcpEvent_t ev, DmtcpEventData_t *d)
{
	(void)d;
	static char why[1024];

	if (ev == DMTCP_EVENT_PRECHECKPOINT) {
		/* records every fd and bids for pipe leadership; a refusal
		   goes to the coordinator at once, before any process
		   writes its image: then none does */
		if (dmtcp_capture_fds(why, sizeof(why)))
			dmtcp_ckpt_refuse(why);
		/* a failed checkpoint drains nothing: the others may be
		   running again already (a process that did not answer in
		   time comes here late) */
		if (!dmtcp_ckpt_barrier(DMTCP_BAR_FD_LEADER_ELECTION))
			dmtcp_drain_fds();	/* leaders save in-flight data */
		/* TCP bytes drained by the peers, written again */
		dmtcp_sk_drained(dmtcp_ckpt_barrier(DMTCP_BAR_DRAINED));
		dmtcp_drain_done();
	} else if (ev == DMTCP_EVENT_RESUME) {
		dmtcp_sk_resume();	/* those bytes written again */
	} else if (ev == DMTCP_EVENT_RESTART) {
		dmtcp_restore_fds();
		dmtcp_sk_restored();	/* and written again */
	}
}

void dmtcp_internal_plugins_register(void)
{
	static const DmtcpPluginDescriptor_t procstate = {
		DMTCP_PLUGIN_API_VERSION, DMTCP_PACKAGE_VERSION,
		"procstate", "dmtcp-debug", "",
		"signal dispositions, timers, rlimits, cwd, umask",
		procstate_hook,
	};
	static const DmtcpPluginDescriptor_t files = {
		DMTCP_PLUGIN_API_VERSION, DMTCP_PACKAGE_VERSION,
		"files", "dmtcp-debug", "",
		"file descriptors: files, pipes, sockets, epoll, eventfd",
		files_hook,
	};

	dmtcp_plugins_register_internal(&procstate);
	dmtcp_plugins_register_internal(&files);
}
