/*
 * ckpt/snapsig.c - DMTCP_SNAPSHOT_SIGNAL=N (a number, or SIGUSR1,
 * SIGRTMIN+K, ...): sending that signal to any process of the
 * computation takes a snapshot of the whole computation (trigger
 * SIGNAL in its SNAP record).  The handler only wakes the checkpoint
 * thread, which asks the coordinator; the program's own handler for
 * that signal, if it installs one later, replaces ours.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void snapshot_handler(int sig)
{
	int saved = errno;

	(void)sig;
	dmtcp_request_snapshot();
	errno = saved;
}

/* A signal number from "12", "SIGUSR1", "USR1", "SIGRTMIN+2"; 0 if bad. */
static int parse_signal(const char *v)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM },
		{ "WINCH", SIGWINCH }, { "PWR", SIGPWR },
	};
	char *end;
	long n;

	if (!strncmp(v, "SIG", 3))
		v += 3;
	if (!strncmp(v, "RTMIN", 5)) {
		n = v[5] == '+' ? strtol(v + 6, &end, 10) : 0;
		if (v[5] && (v[5] != '+' || *end))
			return 0;
		n += SIGRTMIN;
		return n <= SIGRTMAX ? (int)n : 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i].name))
			return names[i].sig;
	n = strtol(v, &end, 10);
	return *v && !*end && n > 0 && n < NSIG ? (int)n : 0;
}

void dmtcp_install_snapshot_signal(void)
{
	const char *v = getenv("DMTCP_SNAPSHOT_SIGNAL");
	struct sigaction sa;
	int sig;

	if (!v || !*v)
		return;
	sig = parse_signal(v);
	if (!sig || sig == SIGKILL || sig == SIGSTOP ||
	    sig == dmtcp_cfg.ckpt_signal) {
		pr_warn("DMTCP_SNAPSHOT_SIGNAL=%.40s is not a usable signal "
			"(not KILL, STOP or the checkpoint signal %d): ignored",
			v, dmtcp_cfg.ckpt_signal);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = snapshot_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	REAL(sigaction)(sig, &sa, NULL);
}
