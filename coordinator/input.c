/*
 * input.c - cutting a client's byte stream into protocol messages.
 *
 * The event loop appends whatever recv() returned to the client's input
 * buffer and calls co_client_parse(); co_client_feed() does the same for
 * bytes in memory (the decoder's fuzz test, tests/unit/test_coord_fuzz.c,
 * drives it with random and mutated streams).  A stream is judged as
 * early as possible: four bytes that are not the magic drop the client
 * at once (an HTTP request, random bytes), a bad version or an oversize
 * payload_len as soon as the header is complete.  Complete messages are
 * handed to co_dispatch() with the payload NUL-terminated in place (the
 * buffer always keeps one spare byte for that).  Only the offending
 * client is dropped; the caller's loop goes on serving everyone else.
 *
 * Before a client has authenticated (a hello with the right secret) it
 * may send a hello and nothing else: any other type, or a payload_len
 * above the hello's size, drops it as soon as the header is complete, and
 * no more than CO_PREAUTH_MAX bytes are read from it or kept for it (the
 * buffer is allocated at that size; bigger ones only once authenticated).
 * co_client_read() and co_client_feed() cut input at co_client_room(), so
 * a hello and the messages sent right after it are taken in turn.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* never hold more than one message's worth of input */
#define CO_IN_MAX	(sizeof(struct dmtcp_msg) + DMTCP_MSG_MAX_PAYLOAD)
/* an authenticated client's buffer grows by this much per read */
#define CO_READ_CHUNK	65536

const char *co_header_problem(const struct dmtcp_msg *m)
{
	if (m->magic != DMTCP_MSG_MAGIC)
		return "bad magic (not a dmtcp client)";
	if (m->version != DMTCP_PROTO_VERSION)
		return "protocol version mismatch";
	if (m->payload_len > DMTCP_MSG_MAX_PAYLOAD)
		return "payload too large";
	return NULL;
}

static const char *co_client_desc(struct co_client *c, char *buf,
				  size_t cap)
{
	if (c->kind == CO_WORKER)
		snprintf(buf, cap, "worker %llu (%s pid %u, %s)",
			 (unsigned long long)c->id, c->prog, c->pid, c->peer);
	else
		snprintf(buf, cap, "client %s", c->peer);
	return buf;
}

size_t co_client_room(const struct co_client *c)
{
	size_t max = c->authed ? CO_IN_MAX + 1 : CO_PREAUTH_MAX;

	return c->in_len < max ? max - c->in_len : 0;
}

/* Cut complete messages out of c->in and dispatch them. */
void co_client_parse(struct co_client *c)
{
	size_t off = 0;
	char desc[ESC_SIZE(64) + 160];

	while (!c->closing && c->in_len - off >= sizeof(uint32_t)) {
		struct dmtcp_msg m;
		const char *why;
		size_t total;
		unsigned char saved;

		if (c->in_len - off < sizeof(m)) {
			uint32_t magic;

			/* reject junk before a whole header arrived */
			memcpy(&magic, c->in + off, sizeof(magic));
			if (magic != DMTCP_MSG_MAGIC) {
				co_client_event(c, 1, "dropping %s: bad magic "
						"(not a dmtcp client)",
						co_client_desc(c, desc,
							       sizeof(desc)));
				co_client_drop(c);
			}
			break;
		}
		memcpy(&m, c->in + off, sizeof(m));
		why = co_header_problem(&m);
		if (why) {
			co_client_event(c, 1, "dropping %s: %s (magic %#x "
					"version %u payload %u)",
					co_client_desc(c, desc, sizeof(desc)),
					why, m.magic, m.version,
					m.payload_len);
			co_client_drop(c);
			break;
		}
		/* before authentication: a hello, not more (its payload is
		   not waited for) */
		if (!c->authed && m.type != DMTCP_MSG_HELLO_WORKER &&
		    m.type != DMTCP_MSG_HELLO_COMMAND) {
			co_client_event(c, 1, "client %s sent message type %u "
					"before hello; dropping it", c->peer,
					m.type);
			co_client_drop(c);
			break;
		}
		if (!c->authed && m.payload_len > sizeof(struct dmtcp_hello)) {
			char reason[160];

			/* tell the client: a release mismatch reads better
			   than a reset connection */
			snprintf(reason, sizeof(reason), "malformed hello "
				 "(payload too large before authentication: "
				 "%u bytes, a hello has %zu; client and "
				 "coordinator are from different releases?)",
				 m.payload_len, sizeof(struct dmtcp_hello));
			co_refuse(c, reason);
			break;
		}
		total = sizeof(m) + m.payload_len;
		if (c->in_len - off < total)
			break;
		/* NUL-terminate the payload in place for the handlers */
		saved = c->in[off + total];
		c->in[off + total] = 0;
		if (co_dispatch(c, &m, (char *)c->in + off + sizeof(m)) < 0)
			co_client_drop(c);
		c->in[off + total] = saved;
		off += total;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	/* more than a whole message pending: nothing legal does that */
	if (!c->closing && c->in_len > (c->authed ? CO_IN_MAX :
					CO_PREAUTH_MAX))
		co_client_drop(c);
}

/* Make room for n more bytes (plus the terminator); 0 or -1. */
static int co_client_reserve(struct co_client *c, size_t n)
{
	size_t need = c->in_len + n + 1;
	unsigned char *p;

	if (need <= c->in_cap)
		return 0;
	p = realloc(c->in, need);
	if (!p)
		return -1;
	c->in = p;
	c->in_cap = need;
	return 0;
}

void co_client_read(struct co_client *c)
{
	size_t room = co_client_room(c);
	ssize_t n;

	if (c->closing || c->fd < 0)
		return;
	if (room == 0) {	/* co_client_parse() drops it first */
		co_client_drop(c);
		return;
	}
	/* authenticated: the buffer grows a chunk at a time, up to one
	   whole message; before: a hello's worth, whatever the header says */
	if (c->authed && room > CO_READ_CHUNK)
		room = CO_READ_CHUNK;
	if (co_client_reserve(c, room) < 0) {
		co_client_drop(c);
		return;
	}
	/* co_client_reserve() left the byte for the payload terminator */
	n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		pr_debug("recv from %s: %s", c->peer, strerror(errno));
		co_client_drop(c);
		return;
	}
	if (n == 0) {
		co_client_drop(c);
		return;
	}
	c->in_len += n;
	co_client_parse(c);
	/* shrink a large idle buffer */
	if (c->in_len == 0 && c->in_cap > 4 * CO_READ_CHUNK) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

int co_client_feed(struct co_client *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* as the event loop reads: never more than co_client_room() */
	while (len > 0 && !c->closing) {
		size_t room = co_client_room(c), n = len < room ? len : room;

		if (n == 0 || co_client_reserve(c, n) < 0) {
			co_client_drop(c);
			break;
		}
		memcpy(c->in + c->in_len, p, n);
		c->in_len += n;
		p += n;
		len -= n;
		co_client_parse(c);
	}
	return c->closing ? -1 : 0;
}
