/*
 * pending.c - connections that have not authenticated yet (no hello
 * with the right secret): at most CO_PENDING_MAX of them wait.  One more
 * makes the oldest pending connection go: first whatever it sent is
 * read (a real client sends its hello at once, so it usually is there
 * and the client is served instead), then, if it still has not
 * authenticated, it is closed at once.  Silent connections therefore
 * cannot lock out dmtcp_command or a new worker.
 *
 * Above input.c (it reads and serves a hello) and clients.c; below the
 * event loop, which accepts connections through co_client_accept().
 */
#include "config.h"
#include "coord.h"

#include <stdint.h>
#include <unistd.h>

int co_client_pending(const struct co_client *c)
{
	return !c->authed && !c->closing;
}

size_t co_pending_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < co_nclients; i++)
		n += co_client_pending(co_clients[i]);
	return n;
}

/* The oldest pending connection (the table is in order of arrival). */
static struct co_client *co_pending_oldest(void)
{
	for (size_t i = 0; i < co_nclients; i++)
		if (co_client_pending(co_clients[i]))
			return co_clients[i];
	return NULL;
}

/* Close c's socket now (the descriptor is free at once); the event
 * loop's sweep frees the rest. */
static void co_client_close_now(struct co_client *c)
{
	co_client_drop(c);
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Read what the oldest pending connection c sent (its hello may be
 * waiting: then it is served); if it is still pending, close it.
 * 1 if it was closed. */
static int co_pending_serve_or_drop(struct co_client *c, const char *why)
{
	co_client_read(c);
	if (!co_client_pending(c))
		return 0;
	co_event_limited(&co_rl_preauth, 0, "dropping client %s: %s (it "
			 "sent %zu bytes and no complete hello in %llu ms)",
			 c->peer, why, c->in_len,
			 (unsigned long long)(co_now_ms() - c->connected_ms));
	co_client_close_now(c);
	return 1;
}

int co_pending_drop_oldest(const char *why)
{
	struct co_client *c;

	/* a descriptor is needed: one served is still open */
	while ((c = co_pending_oldest()))
		if (co_pending_serve_or_drop(c, why))
			return 1;
	return 0;
}

void co_pending_make_room(void)
{
	struct co_client *c;

	while (co_pending_count() >= CO_PENDING_MAX &&
	       (c = co_pending_oldest()))
		co_pending_serve_or_drop(c, "too many unauthenticated "
					 "connections");
}

struct co_client *co_client_accept(int fd, const char *peer)
{
	/* a new connection is pending until its hello: keep the bound */
	co_pending_make_room();
	return co_client_add(fd, peer);
}
