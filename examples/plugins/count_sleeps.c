/*
 * count_sleeps.c - a wrapper plugin: wraps the application's sleep() and
 * usleep(), calls the real ones through NEXT_FNC (the next definition:
 * another plugin's, the tool's or libc's), counts the calls and prints
 * the count at exit ("count_sleeps: 3 sleep, 0 usleep calls in pid
 * 1234").  The counters are part of the process's memory, so they are
 * checkpointed and restored with it.
 *
 *   make
 *   dmtcp_launch --new-coordinator --with-plugin ./libcount_sleeps.so ./app
 */
#include <dmtcp.h>

#include <stdio.h>
#include <unistd.h>

static unsigned long n_sleep, n_usleep;

unsigned int sleep(unsigned int seconds)
{
	__atomic_add_fetch(&n_sleep, 1, __ATOMIC_RELAXED);
	return NEXT_FNC(sleep)(seconds);
}

int usleep(useconds_t usec)
{
	__atomic_add_fetch(&n_usleep, 1, __ATOMIC_RELAXED);
	return NEXT_FNC(usleep)(usec);
}

static void count_event(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	char buf[128];
	int n;

	(void)data;
	if (event != DMTCP_EVENT_EXIT)
		return;
	n = snprintf(buf, sizeof(buf),
		     "count_sleeps: %lu sleep, %lu usleep calls in pid %d\n",
		     n_sleep, n_usleep, (int)getpid());
	if (n > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n);
}

static DmtcpPluginDescriptor_t count_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	"count_sleeps",
	"dmtcp-debug examples",
	"nobody@example.invalid",
	"Counts the application's sleep() and usleep() calls",
	count_event
};

DMTCP_DECL_PLUGIN(count_plugin);
