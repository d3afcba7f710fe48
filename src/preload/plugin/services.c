/*
 * plugin/services.c - the coordinator services of include/dmtcp.h for
 * plugins: named global barriers and the publish/subscribe key-value
 * database (coordinator/services.c is the other side).
 *
 * Each call opens its own short command connection, so it works from
 * any thread: from the checkpoint thread inside an event hook (the
 * worker connection is busy with the checkpoint's own barriers there),
 * or from an application thread while running.  The coordinator address
 * is numeric after a restart, so no name lookup allocates while threads
 * are frozen.
 */
#include "config.h"
#include "threads/threads.h"
#include "plugin/plugin.h"
#include "log.h"
#include "base/sys.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dmtcp.h"
#undef dmtcp_get_coord_ckpt_dir

#define API __attribute__((visibility("default")))
#define BARRIER_WARN_MS 10000

/*
 * Buffers: [0] for application threads (one at a time, svc_lock), [1]
 * for the checkpoint thread, which never takes the lock: an application
 * thread may be frozen while holding it.
 */
static char svc_buf[2][1u << 16];	/* replies */
static char svc_msg[2][1u << 16];	/* requests */
static pthread_mutex_t svc_lock = PTHREAD_MUTEX_INITIALIZER;

static int svc_enter(void)
{
	if (dmtcp_ckpt_tid && rsys_gettid() == dmtcp_ckpt_tid)
		return 1;
	pthread_mutex_lock(&svc_lock);
	return 0;
}

static void svc_leave(int k)
{
	if (!k)
		pthread_mutex_unlock(&svc_lock);
}

/* A command connection to our coordinator, or -1. */
int dmtcp_coord_open(void)
{
	struct dmtcp_hello h;
	struct dmtcp_msg m;
	int fd;

	if (!dmtcp_enabled)
		return -1;
	fd = coord_connect(dmtcp_cfg.coord_host, dmtcp_cfg.coord_port, 5000);
	if (fd < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	util_strlcpy(h.secret, dmtcp_cfg.secret, sizeof(h.secret));
	h.pid = getpid();
	h.uid = getuid();
	util_strlcpy(h.progname, dmtcp_cfg.progname, sizeof(h.progname));
	util_strlcpy(h.unique_id, dmtcp_cfg.unique_id, sizeof(h.unique_id));
	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_COMMAND);
	if (dmtcp_msg_send(fd, &m, &h, sizeof(h)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One request on a new command connection: send it, wait for a reply of
 * type want (or REFUSE; reply->type says which) with its payload in buf
 * (NUL-terminated, at most cap - 1 bytes).  what names the wait in the
 * messages (a warning every 10 s while waiting, errors); NULL: no
 * messages (the caller reports).  0, or -1 if the coordinator cannot be
 * reached or went away.
 */
int dmtcp_coord_call(uint16_t type, uint64_t a0, uint64_t a1,
		     const void *payload, size_t len, uint16_t want,
		     struct dmtcp_msg *reply, void *buf, size_t cap,
		     const char *what)
{
	struct dmtcp_msg m;
	int fd = dmtcp_coord_open(), waited = 0;

	if (fd < 0) {
		if (what)
			pr_err("%s: cannot reach the coordinator at %s:%d: %s",
			       what, dmtcp_cfg.coord_host,
			       dmtcp_cfg.coord_port, strerror(errno));
		return -1;
	}
	dmtcp_msg_init(&m, type);
	m.arg0 = a0;
	m.arg1 = a1;
	if (dmtcp_msg_send(fd, &m, payload, len) < 0)
		goto lost;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, BARRIER_WARN_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			waited += BARRIER_WARN_MS / 1000;
			if (what)
				pr_warn("%s: still waiting after %d s (do all "
					"processes load the same plugins?)",
					what, waited);
			continue;
		}
		if (r < 0 || dmtcp_msg_recv(fd, reply, buf, cap - 1) < 0)
			goto lost;
		if (reply->type == want || reply->type == DMTCP_MSG_REFUSE)
			break;
	}
	((char *)buf)[reply->payload_len] = 0;
	close(fd);
	return 0;
lost:
	if (what)
		pr_err("%s: lost the coordinator: %s", what,
		       errno ? strerror(errno) : "connection closed");
	close(fd);
	return -1;
}

/* dmtcp_coord_call into buffer set k; a refusal is an error too. */
static int request(int k, uint16_t type, uint64_t a0, uint64_t a1,
		   const void *payload, size_t len, uint16_t want,
		   struct dmtcp_msg *reply, const char *what)
{
	if (dmtcp_coord_call(type, a0, a1, payload, len, want, reply,
			     svc_buf[k], sizeof(svc_buf[k]), what) < 0)
		return -1;
	if (reply->type == DMTCP_MSG_REFUSE) {
		pr_err("%s: the coordinator refused: %s", what, svc_buf[k]);
		return -1;
	}
	return 0;
}

API void dmtcp_global_barrier(const char *name)
{
	struct dmtcp_msg r;
	char what[160];
	int k;

	if (!name || !*name || strlen(name) >= 128) {
		pr_err("dmtcp_global_barrier: the name must have 1 to 127 "
		       "characters");
		return;
	}
	snprintf(what, sizeof(what), "global barrier '%s'", name);
	k = svc_enter();
	pr_debug("%s: arrived", what);
	request(k, DMTCP_MSG_USER_BARRIER, 0, 0, name, strlen(name) + 1,
		DMTCP_MSG_REPLY, &r, what);
	pr_debug("%s: released", what);
	svc_leave(k);
}

API void dmtcp_local_barrier(const char *name)
{
	pr_debug("local barrier '%s'", name ? name : "");
}

static int kv_put(const char *id, const void *key, uint32_t key_len,
		  const void *val, uint32_t val_len)
{
	struct dmtcp_msg r;
	size_t n;
	int rc, k;
	char *msg;

	if (!id || (!key && key_len) || (!val && val_len))
		return 0;
	n = strlen(id) + 1;
	if (n + (size_t)key_len + val_len > sizeof(svc_msg[0])) {
		pr_err("key-value '%s': key and value exceed %zu bytes", id,
		       sizeof(svc_msg[0]));
		return 0;
	}
	k = svc_enter();
	msg = svc_msg[k];
	memcpy(msg, id, n);
	memcpy(msg + n, key, key_len);
	memcpy(msg + n + key_len, val, val_len);
	rc = request(k, DMTCP_MSG_KV_PUT, key_len, val_len, msg,
		     n + key_len + val_len, DMTCP_MSG_REPLY, &r,
		     "publishing to the coordinator") == 0 &&
		r.arg0 == DMTCP_REPLY_OK;
	svc_leave(k);
	return rc;
}

API int dmtcp_send_key_val_pair_to_coordinator(const char *id,
	const void *key, uint32_t key_len, const void *val, uint32_t val_len)
{
	return kv_put(id, key, key_len, val, val_len);
}

API int dmtcp_send_key_val_pair_to_coordinator_sync(const char *id,
	const void *key, uint32_t key_len, const void *val, uint32_t val_len)
{
	return kv_put(id, key, key_len, val, val_len);
}

API int dmtcp_send_query_to_coordinator(const char *id, const void *key,
					uint32_t key_len, void *val,
					uint32_t *val_len)
{
	struct dmtcp_msg r;
	size_t n;
	int found = 0, k;
	char *msg;

	if (!id || (!key && key_len) || !val_len || (!val && *val_len))
		return 0;
	n = strlen(id) + 1;
	if (n + (size_t)key_len > sizeof(svc_msg[0]))
		return 0;
	k = svc_enter();
	msg = svc_msg[k];
	memcpy(msg, id, n);
	memcpy(msg + n, key, key_len);
	if (request(k, DMTCP_MSG_KV_GET, key_len, 0, msg, n + key_len,
		    DMTCP_MSG_KV_VALUE, &r, "querying the coordinator") == 0 &&
	    r.arg0 == 1) {
		uint32_t len = r.payload_len;

		memcpy(val, svc_buf[k], len < *val_len ? len : *val_len);
		*val_len = len;
		found = 1;
	}
	svc_leave(k);
	return found;
}
