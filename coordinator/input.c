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
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* never hold more than one message's worth of input */
#define CO_IN_MAX	(sizeof(struct dmtcp_msg) + DMTCP_MSG_MAX_PAYLOAD)

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
				co_event(1, "dropping %s: bad magic (not a "
					 "dmtcp client)",
					 co_client_desc(c, desc, sizeof(desc)));
				co_client_drop(c);
			}
			break;
		}
		memcpy(&m, c->in + off, sizeof(m));
		why = co_header_problem(&m);
		if (why) {
			co_event(1, "dropping %s: %s (magic %#x version %u "
				 "payload %u)",
				 co_client_desc(c, desc, sizeof(desc)), why,
				 m.magic, m.version, m.payload_len);
			co_client_drop(c);
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
	if (!c->closing && c->in_len > CO_IN_MAX)
		co_client_drop(c);
}

int co_client_feed(struct co_client *c, const void *data, size_t len)
{
	size_t need;

	if (c->closing)
		return -1;
	if (len > CO_IN_MAX + 1 || c->in_len + len > CO_IN_MAX + 1) {
		/* more than a whole message pending: nothing legal does that */
		co_client_drop(c);
		return -1;
	}
	need = c->in_len + len + 1;
	if (need > c->in_cap) {
		unsigned char *p = realloc(c->in, need);

		if (!p) {
			co_client_drop(c);
			return -1;
		}
		c->in = p;
		c->in_cap = need;
	}
	memcpy(c->in + c->in_len, data, len);
	c->in_len += len;
	co_client_parse(c);
	return c->closing ? -1 : 0;
}
