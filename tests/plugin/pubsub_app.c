/*
 * pubsub_app.c - two processes (parent and forked child) for the
 * kvexchange plugin (tests/e2e/test-plugin-pubsub.sh).  Both count and
 * check a private pattern; the parent reaps the child at the end and
 * prints PASS only if the child passed too.
 */
#include "../progs/testprog.h"

#include <sys/wait.h>

static void loop(const char *who)
{
	uint64_t pattern[512], seed = (uint64_t)getpid() * 7919;

	for (int i = 0; i < 512; i++)
		pattern[i] = tp_rand(&seed);
	while (!tp_should_stop()) {
		uint64_t s = (uint64_t)getpid() * 7919;

		for (int i = 0; i < 512; i++)
			TP_CHECK(pattern[i] == tp_rand(&s), "%s: pattern "
				 "word %d changed", who, i);
		tp_sleep_ms(10);
	}
}

int main(void)
{
	pid_t child;
	int st;

	tp_init("pubsub_app");
	child = fork();
	TP_CHECK(child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		loop("child");
		_exit(0);
	}
	tp_ready();
	loop("parent");
	TP_CHECK(waitpid(child, &st, 0) == child, "waitpid: %s",
		 strerror(errno));
	TP_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x",
		 st);
	tp_pass();
}
