/*
 * clients.c - the coordinator's client table and per-client buffers.
 *
 * Sockets are non-blocking.  Output is queued per client and written when
 * the socket accepts it, so a client that does not read never blocks the
 * event loop; one whose backlog grows past CO_OUT_MAX is dropped.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CO_OUT_MAX	(8u << 20)

struct co_client **co_clients;
size_t co_nclients;
static size_t co_clients_cap;

struct co_client *co_client_add(int fd, const char *peer)
{
	struct co_client *c;

	if (co_nclients == co_clients_cap) {
		size_t ncap = co_clients_cap ? co_clients_cap * 2 : 16;
		struct co_client **n = realloc(co_clients, ncap * sizeof(*n));

		if (!n)
			return NULL;
		co_clients = n;
		co_clients_cap = ncap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->kind = CO_NEW;
	c->connected_ms = co_now_ms();
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	co_clients[co_nclients++] = c;
	return c;
}

void co_client_remove(struct co_client *c)
{
	for (size_t i = 0; i < co_nclients; i++) {
		if (co_clients[i] != c)
			continue;
		memmove(&co_clients[i], &co_clients[i + 1],
			(co_nclients - i - 1) * sizeof(*co_clients));
		co_nclients--;
		break;
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

int co_flush(struct co_client *c)
{
	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
	return 0;
}

static int co_queue(struct co_client *c, const void *data, size_t len)
{
	if (c->out_len + len > CO_OUT_MAX) {
		errno = ENOBUFS;
		return -1;
	}
	if (c->out_len + len > c->out_cap) {
		size_t ncap = c->out_cap ? c->out_cap : 4096;
		unsigned char *n;

		while (ncap < c->out_len + len)
			ncap *= 2;
		n = realloc(c->out, ncap);
		if (!n)
			return -1;
		c->out = n;
		c->out_cap = ncap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

int co_send(struct co_client *c, uint16_t type, uint64_t arg0,
	    uint64_t arg1, const void *payload, size_t len)
{
	return co_send_flags(c, type, 0, arg0, arg1, payload, len);
}

int co_send_flags(struct co_client *c, uint16_t type, uint32_t flags,
		  uint64_t arg0, uint64_t arg1, const void *payload,
		  size_t len)
{
	struct dmtcp_msg m;

	if (c->fd < 0)
		return -1;
	dmtcp_msg_init(&m, type);
	m.flags = flags;
	m.arg0 = arg0;
	m.arg1 = arg1;
	m.client_id = c->id;
	m.payload_len = len;
	if (co_queue(c, &m, sizeof(m)) < 0 ||
	    (len && co_queue(c, payload, len) < 0) || co_flush(c) < 0) {
		pr_debug("send to client %s: %s", c->peer, strerror(errno));
		/* the event loop drops it */
		c->closing = 1;
		c->out_len = 0;
		c->close_deadline_ms = 0;
		return -1;
	}
	return 0;
}

void co_client_drop(struct co_client *c)
{
	c->closing = 1;
	c->close_deadline_ms = 0;
	c->out_len = 0;
}

void co_refuse(struct co_client *c, const char *reason)
{
	if (c->authed)
		co_event(1, "refused connection from %s: %s", c->peer, reason);
	else
		co_event_limited(&co_rl_auth, 1, "refused connection from "
				 "%s: %s", c->peer, reason);
	co_send(c, DMTCP_MSG_REFUSE, 0, 0, reason, strlen(reason));
	c->closing = 1;
	c->close_deadline_ms = co_now_ms() + 2000;
}

/* Not now, later: the client retries (no event, it is routine). */
void co_refuse_retry(struct co_client *c, const char *reason)
{
	pr_debug("asked %s to come back later: %s", c->peer, reason);
	co_send_flags(c, DMTCP_MSG_REFUSE, DMTCP_REFUSE_RETRY, 0, 0, reason,
		      strlen(reason));
	c->closing = 1;
	c->close_deadline_ms = co_now_ms() + 2000;
}

int co_num_workers(void)
{
	int n = 0;

	for (size_t i = 0; i < co_nclients; i++)
		if (co_clients[i]->kind == CO_WORKER && !co_clients[i]->closing)
			n++;
	return n;
}
