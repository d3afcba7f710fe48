/* protocol.c - message framing for the coordinator protocol. */
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
