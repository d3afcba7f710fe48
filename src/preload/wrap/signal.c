/*
 * wrap/signal.c - keep the checkpoint signal away from the
 * application: it can neither install a handler for it nor block it.
 * What it asks for is remembered and reported back, so the program sees
 * consistent answers.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#define API __attribute__((visibility("default")))

static struct sigaction app_ckpt_action;	/* what the app asked for */

static int is_ckpt_sig(int sig)
{
	return sig == (dmtcp_cfg.ckpt_signal ? dmtcp_cfg.ckpt_signal : SIGUSR2);
}

API int sigaction(int sig, const struct sigaction *act,
		  struct sigaction *old)
{
	if (is_ckpt_sig(sig)) {
		if (old)
			*old = app_ckpt_action;
		if (act)
			app_ckpt_action = *act;
		return 0;
	}
	return REAL(sigaction)(sig, act, old);
}

API sighandler_t signal(int sig, sighandler_t handler)
{
	if (is_ckpt_sig(sig)) {
		sighandler_t prev = app_ckpt_action.sa_handler;

		app_ckpt_action.sa_handler = handler;
		return prev;
	}
	return REAL(signal)(sig, handler);
}

static const sigset_t *filter(int how, const sigset_t *set, sigset_t *copy)
{
	if (!set || how == SIG_UNBLOCK)
		return set;
	*copy = *set;
	sigdelset(copy, dmtcp_cfg.ckpt_signal ? dmtcp_cfg.ckpt_signal : SIGUSR2);
	return copy;
}

API int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	return REAL(sigprocmask)(how, filter(how, set, &copy), old);
}

API int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	return REAL(pthread_sigmask)(how, filter(how, set, &copy), old);
}
