/*
 * limits.c - what a peer that has not authenticated (no hello with the
 * right secret yet) can cost the coordinator, and logging that floods
 * cannot turn into a flood of log lines.
 *
 * - At most CO_PENDING_MAX connections wait for their hello.  One more
 *   makes the oldest pending connection go: first whatever it sent is
 *   read (a real client sends its hello at once, so it usually is there
 *   and the client is served instead), then, if it still has not
 *   authenticated, it is closed at once.  Silent connections therefore
 *   cannot lock out dmtcp_command or a new worker.
 * - Before authentication a client's input is a hello at most
 *   (CO_PREAUTH_MAX bytes, input.c).
 * - Messages about such connections (junk and timeouts; refusals such
 *   as a wrong secret; running out of file descriptors, loop.c) are
 *   rate-limited: at most `burst` lines a second per kind; the rest are
 *   counted and summed up in one line.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct co_ratelimit co_rl_preauth = {
	.what = "messages about unauthenticated connections", .burst = 5,
};
struct co_ratelimit co_rl_auth = {
	.what = "refusals of unauthenticated connections", .burst = 5,
};
struct co_ratelimit co_rl_fds = {
	.what = "messages about running out of file descriptors",
	.burst = 1,
};

/* Start a new one-second window, summing up the last one. */
static void co_rl_roll(struct co_ratelimit *rl, uint64_t now)
{
	rl->window_ms = now;
	rl->printed = 0;
	if (!rl->suppressed)
		return;
	co_event(1, "%lu more %s in the last %llu ms (rate-limited)",
		 rl->suppressed, rl->what,
		 (unsigned long long)(now - rl->start_ms));
	rl->suppressed = 0;
	rl->printed = 1;	/* the summary is this window's line */
}

void co_event_limited(struct co_ratelimit *rl, int important,
		      const char *fmt, ...)
{
	uint64_t now = co_now_ms();
	char msg[1024];
	va_list ap;

	if (now - rl->window_ms >= 1000)
		co_rl_roll(rl, now);
	if (rl->printed >= rl->burst) {
		if (!rl->suppressed++)
			rl->start_ms = now;
		return;
	}
	rl->printed++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	co_event(important, "%s", msg);
}

void co_limits_tick(uint64_t now)
{
	if (co_rl_preauth.suppressed && now - co_rl_preauth.window_ms >= 1000)
		co_rl_roll(&co_rl_preauth, now);
	if (co_rl_auth.suppressed && now - co_rl_auth.window_ms >= 1000)
		co_rl_roll(&co_rl_auth, now);
	if (co_rl_fds.suppressed && now - co_rl_fds.window_ms >= 1000)
		co_rl_roll(&co_rl_fds, now);
}

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
