/*
 * wrappers-thread.c - pthread_create and pthread_exit, for the plugin
 * events PTHREAD_START (in the new thread, before its start routine),
 * PTHREAD_RETURN (its start routine returned) and PTHREAD_EXIT (it
 * called pthread_exit).  Without user plugins both go straight to libc.
 */
#include "config.h"
#include "internal.h"
#include "plugins.h"
#include "log.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define API __attribute__((visibility("default")))

__thread int dmtcp_tl_internal_create;

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_start(void *p)
{
	struct start s = *(struct start *)p;
	void *ret;

	free(p);
	dmtcp_plugins_event(DMTCP_EVENT_PTHREAD_START, NULL, PLUG_USER);
	ret = s.fn(s.arg);
	dmtcp_plugins_event(DMTCP_EVENT_PTHREAD_RETURN, NULL, PLUG_USER);
	return ret;
}

API int pthread_create(pthread_t *th, const pthread_attr_t *attr,
		       void *(*fn)(void *), void *arg)
{
	static __typeof__(&pthread_create) real;
	struct start *s;
	int rc;

	if (!real)
		real = (__typeof__(&pthread_create))dlsym(RTLD_NEXT,
							  "pthread_create");
	if (!real)
		return EAGAIN;
	if (!dmtcp_enabled || !dmtcp_n_user_plugins ||
	    dmtcp_tl_internal_create)
		return real(th, attr, fn, arg);
	s = malloc(sizeof(*s));
	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	rc = real(th, attr, thread_start, s);
	if (rc)
		free(s);
	return rc;
}

API void pthread_exit(void *ret)
{
	static __typeof__(&pthread_exit) real;

	if (!real)
		real = (__typeof__(&pthread_exit))dlsym(RTLD_NEXT,
							"pthread_exit");
	if (dmtcp_enabled && dmtcp_n_user_plugins)
		dmtcp_plugins_event(DMTCP_EVENT_PTHREAD_EXIT, NULL, PLUG_USER);
	real(ret);
	abort();	/* not reached */
}
