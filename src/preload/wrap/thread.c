/*
 * wrap/thread.c - creating threads and processes outside fork():
 * pthread_create and pthread_exit, for the plugin events PTHREAD_START
 * (in the new thread, before its start routine), PTHREAD_RETURN (its
 * start routine returned) and PTHREAD_EXIT (it called pthread_exit);
 * without user plugins both go straight to libc.  And clone() used as
 * fork (no CLONE_VM): libc runs no atfork handlers for it, so the child
 * joins the computation here before the caller's function runs; vfork,
 * done as fork.  A raw clone system call cannot be seen (doc/design.md).
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "log.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>

#define API __attribute__((visibility("default")))


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
	__typeof__(&pthread_create) real = REAL(pthread_create);
	struct start *s;
	int rc;

	if (!real)
		return EAGAIN;
	if (!dmtcp_enabled || !dmtcp_n_user_plugins)
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
	__typeof__(&pthread_exit) real = REAL(pthread_exit);

	if (dmtcp_enabled && dmtcp_n_user_plugins)
		dmtcp_plugins_event(DMTCP_EVENT_PTHREAD_EXIT, NULL, PLUG_USER);
	real(ret);
	abort();	/* not reached */
}

struct clone_start {
	int (*fn)(void *);
	void *arg;
	int conn;	/* coordinator connection made for the child */
};

static int clone_child(void *p)
{
	/* our copy of the parent's memory: the parent frees its own */
	struct clone_start s = *(struct clone_start *)p;

	dmtcp_atfork_child_conn(s.conn);
	return s.fn(s.arg);
}

API int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	__typeof__(&clone) real = REAL(clone);
	struct clone_start *s;
	pid_t *ptid;
	void *tls;
	pid_t *ctid;
	va_list ap;
	int rc, saved;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	/* threads and vfork-like children share our memory: untouched */
	if (!dmtcp_enabled || (flags & (CLONE_VM | CLONE_THREAD)) || !fn)
		return real(fn, stack, flags, arg, ptid, tls, ctid);
	s = malloc(sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	s->fn = fn;
	s->arg = arg;
	s->conn = dmtcp_prejoin();
	rc = real(clone_child, stack, flags, s, ptid, tls, ctid);
	saved = errno;
	dmtcp_prejoin_end(s->conn);
	free(s);
	errno = saved;
	return rc;
}

/*
 * vfork(), done as fork().  A vfork child shares our memory and keeps
 * the calling thread stopped until it execs or exits: a checkpoint
 * cannot freeze that thread meanwhile, so the child could neither wait
 * for a checkpoint in progress to end nor be part of it, and the new
 * program joined too late (prejoin.c).  Forked, the child is joined
 * before it exists, like any other.  What POSIX lets a vfork child do
 * (exec, or _exit) works the same; only the speed differs.  (A real
 * vfork cannot be wrapped anyway: the child would return from this
 * function and clobber the stack frame its parent returns through.)
 */
API pid_t vfork(void)
{
	return fork();
}
