/*
 * base/real.c - libc's functions under the names we wrap (base/real.h):
 * looked up once, before any other constructor of ours runs, and the
 * __wrap_NAME entry points the linker sends the library's own calls to
 * (-Wl,--wrap=NAME, src/preload/Makefile.mk): an internal read() or
 * poll() is libc's, whatever wrapper the application sees.
 */
#include "config.h"
#include "base/state.h"

#include <dlfcn.h>
#include <stdlib.h>

struct dmtcp_libc dmtcp_libc;

void dmtcp_libc_resolve(void)
{
#define RESOLVE(name) \
	dmtcp_libc.name = (__typeof__(&name))dlsym(RTLD_NEXT, #name);
	DMTCP_LIBC_FUNCS(RESOLVE)
#undef RESOLVE
	dmtcp_libc._exit = (void (*)(int))dlsym(RTLD_NEXT, "_exit");
	dmtcp_libc._Exit = (void (*)(int))dlsym(RTLD_NEXT, "_Exit");
	dmtcp_libc.ready = 1;
}

/* before any other constructor of ours */
__attribute__((constructor(101))) static void real_init(void)
{
	if (!dmtcp_libc.ready)
		dmtcp_libc_resolve();
}

/* The library's own calls (DMTCP_INTERNAL_CALLS in Makefile.mk); the
   linker, not C code, calls these: no prototypes elsewhere. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#define INTERNAL __attribute__((visibility("hidden")))

INTERNAL ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	return REAL(read)(fd, buf, n);
}

INTERNAL ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	return REAL(write)(fd, buf, n);
}

INTERNAL ssize_t __wrap_writev(int fd, const struct iovec *iov, int cnt)
{
	return REAL(writev)(fd, iov, cnt);
}

INTERNAL ssize_t __wrap_recv(int fd, void *buf, size_t n, int flags)
{
	return REAL(recv)(fd, buf, n, flags);
}

INTERNAL ssize_t __wrap_sendto(int fd, const void *buf, size_t n, int flags,
			       const struct sockaddr *a, socklen_t al)
{
	return REAL(sendto)(fd, buf, n, flags, a, al);
}

INTERNAL int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return REAL(poll)(fds, n, timeout);
}

INTERNAL int __wrap_nanosleep(const struct timespec *req,
			      struct timespec *rem)
{
	return REAL(nanosleep)(req, rem);
}

INTERNAL int __wrap_usleep(useconds_t usec)
{
	return REAL(usleep)(usec);
}

INTERNAL void __wrap__exit(int status)
{
	REAL(_exit)(status);
	abort();
}

INTERNAL int __wrap_execv(const char *path, char *const argv[])
{
	return REAL(execve)(path, argv, environ);
}

INTERNAL sighandler_t __wrap_signal(int sig, sighandler_t handler)
{
	return REAL(signal)(sig, handler);
}

INTERNAL int __wrap_sigaction(int sig, const struct sigaction *act,
			      struct sigaction *old)
{
	return REAL(sigaction)(sig, act, old);
}

INTERNAL int __wrap_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return REAL(sigprocmask)(how, set, old);
}

INTERNAL int __wrap_pthread_create(pthread_t *th, const pthread_attr_t *attr,
				   void *(*fn)(void *), void *arg)
{
	return REAL(pthread_create)(th, attr, fn, arg);
}
