/*
 * event_logger.c - example plugin: announces every event it receives
 * ("<name> <EVENT> pid=<pid>" lines in $PLUGIN_LOG; THREAD_RESUME
 * lines go to the log only once per checkpoint so the order of the
 * others stays deterministic).  With PLUGIN_CRASH_AT=<EVENT> it crashes
 * in that hook, to show how the tool reports a failing plugin.
 *
 *   gcc -shared -fPIC -I<prefix>/include -o libevent_logger.so event_logger.c
 *   dmtcp_launch --with-plugin ./libevent_logger.so ./app
 */
#include "plugin-log.h"

#include <signal.h>

static volatile int thread_resumes;

static void logger_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	const char *crash_at = getenv("PLUGIN_CRASH_AT");

	if (crash_at && !strcmp(crash_at, pevent(event))) {
		plog("logger about to crash in %s", pevent(event));
		raise(SIGSEGV);		/* as a wild pointer would */
	}
	switch (event) {
	case DMTCP_EVENT_THREAD_RESUME:
		/* one line per checkpoint, from the first thread back */
		if (__atomic_fetch_add(&thread_resumes, 1, __ATOMIC_SEQ_CST))
			return;
		plog("logger THREAD_RESUME restart=%d",
		     data->resumeUserThreadInfo.isRestart);
		return;
	case DMTCP_EVENT_RESUME:
	case DMTCP_EVENT_RESTART:
	case DMTCP_EVENT_RUNNING:
		plog("logger %s restart=%d running_state=%d", pevent(event),
		     data->resumeUserThreadInfo.isRestart,
		     dmtcp_is_running_state());
		return;
	case DMTCP_EVENT_PRESUSPEND:
		thread_resumes = 0;
		plog("logger PRESUSPEND pid=%d", (int)getpid());
		return;
	case DMTCP_EVENT_PRE_EXEC:
		plog("logger PRE_EXEC %s", data->preExec.filename);
		return;
	case DMTCP_EVENT_PRECHECKPOINT:
		plog("logger PRECHECKPOINT generation=%u running_state=%d",
		     dmtcp_get_generation(), dmtcp_is_running_state());
		return;
	default:
		plog("logger %s pid=%d", pevent(event), (int)getpid());
		return;
	}
}

static DmtcpPluginDescriptor_t logger_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	"event_logger",
	"dmtcp-debug tests",
	"nobody@example.invalid",
	"Announces every event it receives",
	logger_hook
};

DMTCP_DECL_PLUGIN(logger_plugin);
