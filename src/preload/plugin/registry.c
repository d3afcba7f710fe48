/*
 * plugin/registry.c - the plugin registry and event delivery (include/dmtcp.h,
 * doc/plugins.md).
 *
 * Plugins register a DmtcpPluginDescriptor_t: the tool's own internal
 * plugins first (process state, fds), then the user's, found through the
 * chain of dmtcp_initialize_plugin() definitions that DMTCP_DECL_PLUGIN
 * puts in each preloaded plugin (the first one in lookup order is the
 * first --with-plugin library; each calls the next with NEXT_FNC).
 * Events on the way out of running (checkpoint, exec, fork, thread exit,
 * exit) go to user plugins in load order, then to internal ones; events
 * on the way back go to internal plugins first, then to user plugins in
 * reverse load order.  While the checkpoint thread runs a user hook, a
 * fatal signal is reported naming the plugin and the event.
 */
#include "config.h"
#include "threads/threads.h"
#include "log.h"
#include "plugin/plugin.h"
#include "base/sys.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmtcp.h"

#define API __attribute__((visibility("default")))
#define MAX_PLUGINS 64

struct plugin {
	DmtcpPluginDescriptor_t d;
	char file[256];		/* shared object it came from */
	int internal;
};

static struct plugin plugins[MAX_PLUGINS];
static int nplugins;
static int registering_internal;
int dmtcp_n_user_plugins;
volatile int dmtcp_running_state = 1;

/* the hook running in the checkpoint thread, for the crash report */
static const struct plugin *volatile cur_plugin;
static volatile int cur_event = -1;

static const char *const event_names[nDmtcpEvents] = {
	[DMTCP_EVENT_INIT] = "INIT",
	[DMTCP_EVENT_EXIT] = "EXIT",
	[DMTCP_EVENT_PRE_EXEC] = "PRE_EXEC",
	[DMTCP_EVENT_POST_EXEC] = "POST_EXEC",
	[DMTCP_EVENT_ATFORK_PREPARE] = "ATFORK_PREPARE",
	[DMTCP_EVENT_ATFORK_PARENT] = "ATFORK_PARENT",
	[DMTCP_EVENT_ATFORK_CHILD] = "ATFORK_CHILD",
	[DMTCP_EVENT_ATFORK_FAILED] = "ATFORK_FAILED",
	[DMTCP_EVENT_VFORK_PREPARE] = "VFORK_PREPARE",
	[DMTCP_EVENT_VFORK_PARENT] = "VFORK_PARENT",
	[DMTCP_EVENT_VFORK_CHILD] = "VFORK_CHILD",
	[DMTCP_EVENT_VFORK_FAILED] = "VFORK_FAILED",
	[DMTCP_EVENT_PTHREAD_START] = "PTHREAD_START",
	[DMTCP_EVENT_PTHREAD_EXIT] = "PTHREAD_EXIT",
	[DMTCP_EVENT_PTHREAD_RETURN] = "PTHREAD_RETURN",
	[DMTCP_EVENT_PRESUSPEND] = "PRESUSPEND",
	[DMTCP_EVENT_PRECHECKPOINT] = "PRECHECKPOINT",
	[DMTCP_EVENT_RESUME] = "RESUME",
	[DMTCP_EVENT_RESTART] = "RESTART",
	[DMTCP_EVENT_RUNNING] = "RUNNING",
	[DMTCP_EVENT_THREAD_RESUME] = "THREAD_RESUME",
	[DMTCP_EVENT_OPEN_FD] = "OPEN_FD",
	[DMTCP_EVENT_REOPEN_FD] = "REOPEN_FD",
	[DMTCP_EVENT_CLOSE_FD] = "CLOSE_FD",
	[DMTCP_EVENT_DUP_FD] = "DUP_FD",
	[DMTCP_EVENT_VIRTUAL_TO_REAL_PATH] = "VIRTUAL_TO_REAL_PATH",
	[DMTCP_EVENT_REAL_TO_VIRTUAL_PATH] = "REAL_TO_VIRTUAL_PATH",
};

const char *dmtcp_event_name(int ev)
{
	return ev >= 0 && ev < nDmtcpEvents && event_names[ev] ?
		event_names[ev] : "?";
}

/* Events delivered to internal plugins first, then users' in reverse. */
static int inward(int ev)
{
	switch (ev) {
	case DMTCP_EVENT_INIT:
	case DMTCP_EVENT_POST_EXEC:
	case DMTCP_EVENT_ATFORK_PARENT:
	case DMTCP_EVENT_ATFORK_CHILD:
	case DMTCP_EVENT_ATFORK_FAILED:
	case DMTCP_EVENT_VFORK_PARENT:
	case DMTCP_EVENT_VFORK_CHILD:
	case DMTCP_EVENT_VFORK_FAILED:
	case DMTCP_EVENT_PTHREAD_START:
	case DMTCP_EVENT_RESUME:
	case DMTCP_EVENT_RESTART:
	case DMTCP_EVENT_RUNNING:
	case DMTCP_EVENT_THREAD_RESUME:
		return 1;
	}
	return 0;
}

API void dmtcp_register_plugin(DmtcpPluginDescriptor_t d)
{
	struct plugin *p;
	Dl_info info;

	if (!d.pluginName || !d.event_hook) {
		pr_err("a plugin registered without a name or event hook; "
		       "ignored");
		return;
	}
	if (!registering_internal &&
	    (!d.pluginApiVersion ||
	     strcmp(d.pluginApiVersion, DMTCP_PLUGIN_API_VERSION) != 0)) {
		pr_err("plugin '%s' was built for plugin API version %s; this "
		       "library implements version %s: plugin not loaded",
		       d.pluginName, d.pluginApiVersion ? d.pluginApiVersion :
		       "(none)", DMTCP_PLUGIN_API_VERSION);
		return;
	}
	for (int i = 0; i < nplugins; i++)
		if (plugins[i].d.event_hook == d.event_hook)
			return;		/* registered twice */
	if (nplugins == MAX_PLUGINS) {
		pr_err("plugin '%s': more than %d plugins; not loaded",
		       d.pluginName, MAX_PLUGINS);
		return;
	}
	p = &plugins[nplugins++];
	p->d = d;
	p->internal = registering_internal;
	p->file[0] = 0;
	if (!p->internal && dladdr((void *)d.event_hook, &info) &&
	    info.dli_fname)
		util_strlcpy(p->file, info.dli_fname, sizeof(p->file));
	if (!p->internal)
		dmtcp_n_user_plugins++;
	pr_debug("plugin %d: '%s'%s%s", nplugins, d.pluginName,
		 p->file[0] ? " from " : " (internal)", p->file);
}

void dmtcp_plugins_register_internal(const DmtcpPluginDescriptor_t *d)
{
	registering_internal = 1;
	dmtcp_register_plugin(*d);
	registering_internal = 0;
}

/* ---- reporting a plugin that crashes in a hook ---- */

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NFATAL ((int)(sizeof(fatal_sigs) / sizeof(fatal_sigs[0])))

static void hook_crashed(int sig)
{
	const struct plugin *p = cur_plugin;
	char msg[1024];
	int n;

	n = snprintf(msg, sizeof(msg), "dmtcp: plugin '%s'%s%s crashed with "
		     "%s in its DMTCP_EVENT_%s hook; process %d (%s) "
		     "dies\n", p ? p->d.pluginName : "?",
		     p && p->file[0] ? " from " : "", p ? p->file : "",
		     sigabbrev_np(sig) ? sigabbrev_np(sig) : "a signal",
		     dmtcp_event_name(cur_event), (int)getpid(),
		     dmtcp_cfg.progname);
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n :
			     sizeof(msg) - 1);
	signal(sig, SIG_DFL);
	raise(sig);	/* fatal now, whether it was a fault or raised */
}

struct guard {
	struct sigaction old[NFATAL];
	sigset_t oldmask;
};

static void guard_on(struct guard *g)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hook_crashed;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&set);
	for (int i = 0; i < NFATAL; i++) {
		REAL(sigaction)(fatal_sigs[i], &sa, &g->old[i]);
		sigaddset(&set, fatal_sigs[i]);
	}
	/* the checkpoint thread blocks every signal: a fault there would
	   kill the process without a word */
	REAL(sigprocmask)(SIG_UNBLOCK, &set, &g->oldmask);
}

static void guard_off(struct guard *g)
{
	REAL(sigprocmask)(SIG_SETMASK, &g->oldmask, NULL);
	for (int i = 0; i < NFATAL; i++)
		REAL(sigaction)(fatal_sigs[i], &g->old[i], NULL);
}

/* ---- delivery ---- */

static void call_hook(const struct plugin *p, int ev, DmtcpEventData_t *d,
		      int guarded)
{
	struct guard g;

	if (!guarded || p->internal) {
		p->d.event_hook((DmtcpEvent_t)ev, d);
		return;
	}
	cur_plugin = p;
	cur_event = ev;
	guard_on(&g);
	p->d.event_hook((DmtcpEvent_t)ev, d);
	guard_off(&g);
	cur_plugin = NULL;
	cur_event = -1;
}

void dmtcp_plugins_event(int ev, DmtcpEventData_t *data, int which)
{
	/* swapping signal handlers is safe when the application's threads
	   are frozen (checkpoint thread) or not running user code (INIT) */
	int guarded = (dmtcp_ckpt_tid && rsys_gettid() == dmtcp_ckpt_tid) ||
		      ev == DMTCP_EVENT_INIT;	/* in our constructor */
	int n = nplugins;
	DmtcpEventData_t none;

	if (!data) {	/* hooks may look at data whatever the event */
		memset(&none, 0, sizeof(none));
		data = &none;
	}
	if (inward(ev)) {
		if (which & PLUG_INTERNAL)
			for (int i = 0; i < n; i++)
				if (plugins[i].internal)
					call_hook(&plugins[i], ev, data, guarded);
		if (which & PLUG_USER)
			for (int i = n - 1; i >= 0; i--)
				if (!plugins[i].internal)
					call_hook(&plugins[i], ev, data, guarded);
	} else {
		if (which & PLUG_USER)
			for (int i = 0; i < n; i++)
				if (!plugins[i].internal)
					call_hook(&plugins[i], ev, data, guarded);
		if (which & PLUG_INTERNAL)
			for (int i = 0; i < n; i++)
				if (plugins[i].internal)
					call_hook(&plugins[i], ev, data, guarded);
	}
}

void dmtcp_plugins_event_restart(int ev, int is_restart, int which)
{
	DmtcpEventData_t d;

	memset(&d, 0, sizeof(d));
	d.resumeUserThreadInfo.isRestart = is_restart;
	dmtcp_plugins_event(ev, &d, which);
}

/* ---- loading ---- */

/* Each name in DMTCP_PLUGINS (set by dmtcp_launch) must be loaded. */
static void check_listed(void)
{
	const char *list = getenv("DMTCP_PLUGINS");
	char path[PATH_MAX];

	while (list && *list) {
		const char *colon = strchr(list, ':');
		size_t len = colon ? (size_t)(colon - list) : strlen(list);
		void *h;

		if (len && len < sizeof(path)) {
			memcpy(path, list, len);
			path[len] = 0;
			h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
			if (!h)
				pr_err("plugin %s is not loaded in %s (pid %d): "
				       "the dynamic loader refused it (see its "
				       "message above)", path,
				       dmtcp_cfg.progname, (int)getpid());
			else
				dlclose(h);
		}
		list = colon ? colon + 1 : NULL;
	}
}

void dmtcp_plugins_load(void)
{
	void (*first)(void);

	first = (void (*)(void))dlsym(RTLD_DEFAULT, "dmtcp_initialize_plugin");
	if (first)
		first();
	check_listed();
	if (dmtcp_n_user_plugins)
		pr_debug("%d plugin%s loaded", dmtcp_n_user_plugins,
			 dmtcp_n_user_plugins == 1 ? "" : "s");
}
