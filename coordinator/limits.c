/*
 * limits.c - logging that floods cannot turn into a flood of log lines.
 *
 * Messages about connections that have not authenticated (junk and
 * timeouts; refusals such as a wrong secret; running out of file
 * descriptors, loop.c) are rate-limited: at most `burst` lines a second
 * per kind; the rest are counted and summed up in one line.  The other
 * bounds on what such a peer may cost are in pending.c (connections
 * waiting for their hello) and input.c (CO_PREAUTH_MAX bytes of input).
 *
 * Just above state.c (co_event): every layer may log through here.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

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
	static struct co_ratelimit *const all[] = {
		&co_rl_preauth, &co_rl_auth, &co_rl_fds,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->suppressed && now - all[i]->window_ms >= 1000)
			co_rl_roll(all[i], now);
}
