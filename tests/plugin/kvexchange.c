/*
 * kvexchange.c - example plugin: processes exchange data through the
 * coordinator's publish/subscribe database at restart.  Each process of
 * the computation (rank 0 = the launched one, rank 1 = its forked child)
 * makes up a fresh token at every restart, publishes it under its rank,
 * waits at a global barrier until everybody published, then reads the
 * other rank's token.  Lines in $PLUGIN_LOG:
 *   kv rank=R restart=N published=TOKEN
 *   kv rank=R restart=N peer=TOKEN-OF-THE-OTHER-RANK
 * (the test checks that each peer= is exactly what the other published).
 */
#include "plugin-log.h"

#include <time.h>

static int rank;
static int restarts;

static void kv_hook(DmtcpEvent_t event, DmtcpEventData_t *data)
{
	char key[32], token[64], peer[64];
	uint32_t len = sizeof(peer) - 1;
	struct timespec ts;

	(void)data;
	if (event == DMTCP_EVENT_ATFORK_CHILD) {
		rank = 1;
		return;
	}
	if (event != DMTCP_EVENT_RESTART)
		return;
	restarts++;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(token, sizeof(token), "r%d-n%d-%ld%09ld-p%d", rank, restarts,
		 (long)ts.tv_sec, ts.tv_nsec, (int)getpid());
	snprintf(key, sizeof(key), "rank%d", rank);
	if (!dmtcp_send_key_val_pair_to_coordinator("kvexchange", key,
						    strlen(key), token,
						    strlen(token) + 1)) {
		plog("kv rank=%d restart=%d publish FAILED", rank, restarts);
		return;
	}
	plog("kv rank=%d restart=%d published=%s", rank, restarts, token);
	dmtcp_global_barrier("kvexchange:published");
	snprintf(key, sizeof(key), "rank%d", 1 - rank);
	if (!dmtcp_send_query_to_coordinator("kvexchange", key, strlen(key),
					     peer, &len)) {
		plog("kv rank=%d restart=%d query FAILED", rank, restarts);
		return;
	}
	peer[sizeof(peer) - 1] = 0;
	plog("kv rank=%d restart=%d peer=%s len=%u", rank, restarts, peer,
	     len);
	/* nobody may leave before everybody read (a later restart must
	   not see stale tokens: the database is per computation anyway) */
	dmtcp_global_barrier("kvexchange:read");
}

static DmtcpPluginDescriptor_t kv_plugin = {
	DMTCP_PLUGIN_API_VERSION,
	DMTCP_PACKAGE_VERSION,
	"kvexchange",
	"dmtcp-debug tests",
	"nobody@example.invalid",
	"Exchanges restart-time tokens through publish/subscribe",
	kv_hook
};

DMTCP_DECL_PLUGIN(kv_plugin);
