/* protocol.c - message framing for the coordinator protocol, and the
 * names of its numbers for messages. */
#include "config.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void dmtcp_msg_init(struct dmtcp_msg *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	m->magic = DMTCP_MSG_MAGIC;
	m->version = DMTCP_PROTO_VERSION;
	m->type = type;
}

int dmtcp_msg_check(const struct dmtcp_msg *m)
{
	if (m->magic != DMTCP_MSG_MAGIC || m->version != DMTCP_PROTO_VERSION ||
	    m->payload_len > DMTCP_MSG_MAX_PAYLOAD) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int dmtcp_msg_send(int fd, struct dmtcp_msg *m, const void *payload,
		   size_t len)
{
	if (len > DMTCP_MSG_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	m->magic = DMTCP_MSG_MAGIC;
	m->version = DMTCP_PROTO_VERSION;
	m->payload_len = len;
	if (util_write_all(fd, m, sizeof(*m)) < 0)
		return -1;
	if (len && util_write_all(fd, payload, len) < 0)
		return -1;
	return 0;
}

int dmtcp_msg_recv(int fd, struct dmtcp_msg *m, void *buf, size_t cap)
{
	ssize_t n = util_read_all(fd, m, sizeof(*m));

	if (n < 0)
		return -1;
	if (n == 0) {
		errno = 0;
		return -1;
	}
	if ((size_t)n < sizeof(*m)) {
		errno = EIO;
		return -1;
	}
	if (dmtcp_msg_check(m) < 0)
		return -1;
	if (m->payload_len > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	if (m->payload_len) {
		n = util_read_all(fd, buf, m->payload_len);
		if (n < 0)
			return -1;
		if ((size_t)n < m->payload_len) {
			errno = EIO;
			return -1;
		}
	}
	if (cap > m->payload_len)
		((char *)buf)[m->payload_len] = 0;
	return 0;
}

/* The names of the protocol's numbers, indexed by the number. */
static const char *const proto_barrier_names[] = {
	NULL, "suspend", "fd leader election", "drain", "image written",
	"resume",
};
static const char *const proto_state_names[] = {
	NULL, "RUNNING", "SUSPENDED", "CHECKPOINTING", "RESTARTING",
	"PARKED",
};
static const char *const proto_reply_names[] = {
	"OK", "ERROR", "NO_PEERS", "BUSY",
};
_Static_assert(DMTCP_BAR_SUSPENDED == 1 && DMTCP_BAR_REFILLED == 5 &&
	       DMTCP_WS_RUNNING == 1 && DMTCP_WS_RESTARTING == 4 &&
	       DMTCP_REPLY_OK == 0 && DMTCP_REPLY_BUSY == 3,
	       "the name tables follow the numbers of protocol.h");

/* names[v], or fallback when v has no name */
static const char *proto_name(const char *const *names, size_t n,
			      int64_t v, const char *fallback)
{
	return v >= 0 && (uint64_t)v < n && names[v] ? names[v] : fallback;
}

#define PROTO_NAME(names, v, fallback) \
	proto_name((names), sizeof(names) / sizeof((names)[0]), (v), \
		   (fallback))

const char *dmtcp_barrier_name(int barrier)
{
	return PROTO_NAME(proto_barrier_names, barrier, "?");
}

const char *dmtcp_worker_state_name(int state)
{
	return PROTO_NAME(proto_state_names, state, "UNKNOWN");
}

const char *dmtcp_reply_name(uint64_t status)
{
	return status > INT64_MAX ? "ERROR" :
		PROTO_NAME(proto_reply_names, (int64_t)status, "ERROR");
}
