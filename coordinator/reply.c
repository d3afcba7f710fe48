/*
 * reply.c - answers to the requesters of a command: a dmtcp_command
 * connection, or the console (requester NULL).  A blocking checkpoint,
 * a kill and a quit are answered later, when ckpt.c reports the
 * checkpoint finished or every worker gone; the requesters waiting for
 * that are marked in their client (wait) or in co.console_wait /
 * co.console_bckpt.
 *
 * Below ckpt.c and commands.c, above clients.c: that is how a finished
 * checkpoint goes up to whoever asked for it without ckpt.c calling
 * commands.c.
 */
#include "config.h"
#include "coord.h"

#include <stdio.h>
#include <string.h>

void co_reply(struct co_client *c, int status, const char *text)
{
	if (!c) {
		co_console_print(text);
		return;
	}
	if (c->kind != CO_COMMAND || c->closing)
		return;
	co_send(c, DMTCP_MSG_REPLY, status, 0, text, strlen(text));
}

void co_ckpt_finished(int ok, const char *text)
{
	if (co.console_bckpt) {
		co.console_bckpt = 0;
		co_console_print(text);
	}
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *c = co_clients[i];

		if (c->kind != CO_COMMAND || c->wait != CO_WAIT_BCKPT)
			continue;
		c->wait = CO_WAIT_NONE;
		co_reply(c, ok ? DMTCP_REPLY_OK : DMTCP_REPLY_ERROR, text);
	}
}

void co_kill_finished(int remaining)
{
	char text[160];
	int quit = co.console_wait == CO_WAIT_QUIT;

	if (remaining)
		snprintf(text, sizeof(text), "KILLED=yes\nWARNING=%d "
			 "process%s still connected after the kill\n",
			 remaining, remaining == 1 ? "" : "es");
	else
		snprintf(text, sizeof(text), "KILLED=yes\n");
	if (remaining)
		co_event(1, "%d process%s did not exit after the kill",
			 remaining, remaining == 1 ? "" : "es");
	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *c = co_clients[i];

		if (c->kind != CO_COMMAND ||
		    (c->wait != CO_WAIT_KILL && c->wait != CO_WAIT_QUIT))
			continue;
		if (c->wait == CO_WAIT_QUIT)
			quit = 1;
		c->wait = CO_WAIT_NONE;
		co_reply(c, DMTCP_REPLY_OK, text);
	}
	if (co.console_wait == CO_WAIT_KILL)
		co_console_print(text);
	co.console_wait = CO_WAIT_NONE;
	if (quit) {
		co_event(0, "quitting on request");
		co.quit = 1;
	} else if (co.opts.exit_on_last && co.had_workers &&
		   co_num_workers() == 0) {
		co_event(0, "last process left; exiting (--exit-on-last)");
		co.quit = 1;
	}
}
