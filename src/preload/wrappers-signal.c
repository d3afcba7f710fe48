/*
 * wrappers-signal.c - keep the checkpoint signal away from the
 * application: it can neither install a handler for it nor block it.
 * What it asks for is remembered and reported back, so the program sees
 * consistent answers.
 */
#include "config.h"
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#define API __attribute__((visibility("default")))

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
typedef int (*sigprocmask_fn)(int, const sigset_t *, sigset_t *);
typedef sighandler_t (*signal_fn)(int, sighandler_t);

static sigaction_fn real_sigaction_p;
static sigprocmask_fn real_sigprocmask_p;
static sigprocmask_fn real_pthread_sigmask_p;
static signal_fn real_signal_p;
static struct sigaction app_ckpt_action;	/* what the app asked for */

static void resolve(void)
{
	if (!real_sigaction_p) {
		real_sigaction_p = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
		real_sigprocmask_p =
			(sigprocmask_fn)dlsym(RTLD_NEXT, "sigprocmask");
		real_pthread_sigmask_p =
			(sigprocmask_fn)dlsym(RTLD_NEXT, "pthread_sigmask");
		real_signal_p = (signal_fn)dlsym(RTLD_NEXT, "signal");
	}
}

__attribute__((constructor(101))) static void wrappers_signal_init(void)
{
	resolve();
}

int dmtcp_real_sigaction(int sig, const struct sigaction *act,
			 struct sigaction *old)
{
	resolve();
	return real_sigaction_p(sig, act, old);
}

int dmtcp_real_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	resolve();
	return real_sigprocmask_p(how, set, old);
}

static int is_ckpt_sig(int sig)
{
	return sig == (dmtcp_cfg.ckpt_signal ? dmtcp_cfg.ckpt_signal : SIGUSR2);
}

API int sigaction(int sig, const struct sigaction *act,
		  struct sigaction *old)
{
	resolve();
	if (is_ckpt_sig(sig)) {
		if (old)
			*old = app_ckpt_action;
		if (act)
			app_ckpt_action = *act;
		return 0;
	}
	return real_sigaction_p(sig, act, old);
}

API sighandler_t signal(int sig, sighandler_t handler)
{
	resolve();
	if (is_ckpt_sig(sig)) {
		sighandler_t prev = app_ckpt_action.sa_handler;

		app_ckpt_action.sa_handler = handler;
		return prev;
	}
	return real_signal_p(sig, handler);
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

	resolve();
	return real_sigprocmask_p(how, filter(how, set, &copy), old);
}

API int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	resolve();
	return real_pthread_sigmask_p(how, filter(how, set, &copy), old);
}
