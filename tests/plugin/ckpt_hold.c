/*
 * ckpt_hold.c - test plugin: holds a checkpoint at a known point, with
 * every process of the computation frozen.  In PRECHECKPOINT, while the
 * file $CKPT_HOLD_DIR/hold exists, it creates $CKPT_HOLD_DIR/held.<pid>
 * and waits (at most 60 s) for hold to go away.  The checkpoint tests
 * (tests/e2e/test-ckpt-txn-*.sh) kill or stop a process right there:
 * after it was suspended, before any image is written.  With
 * CKPT_SLOW_MS=N it also spends N ms in PRECHECKPOINT and in RESUME, so
 * that kills at random moments land in every phase of a checkpoint.
 */
#include "plugin-log.h"

#include <fcntl.h>
#include <limits.h>
#include <time.h>

static void hold_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	const char *dir = getenv("CKPT_HOLD_DIR");
	char hold[PATH_MAX], held[PATH_MAX];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int fd;

	(void)data;
	if (getenv("CKPT_SLOW_MS") && (event == DMTCP_EVENT_PRECHECKPOINT ||
				       event == DMTCP_EVENT_RESUME)) {
		long ms = atol(getenv("CKPT_SLOW_MS"));
		struct timespec slow = { ms / 1000, ms % 1000 * 1000000L };

		nanosleep(&slow, NULL);
	}
	if (event != DMTCP_EVENT_PRECHECKPOINT || !dir)
		return;
	snprintf(hold, sizeof(hold), "%s/hold", dir);
	snprintf(held, sizeof(held), "%s/held.%d", dir, (int)getpid());
	if (access(hold, F_OK) != 0)
		return;
	plog("ckpt_hold: pid %d holds generation %u", (int)getpid(),
	     dmtcp_get_generation());
	fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 6000 && access(hold, F_OK) == 0; i++)
		nanosleep(&ts, NULL);
	unlink(held);
}

static DmtcpPluginDescriptor_t hold_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	"ckpt_hold",
	"dmtcp-debug tests",
	"nobody@example.invalid",
	"Holds a checkpoint in PRECHECKPOINT while a file exists",
	hold_hook
};

DMTCP_DECL_PLUGIN(hold_plugin);
