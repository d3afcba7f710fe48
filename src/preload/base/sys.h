/*
 * base/sys.h - raw system calls for code that runs before TLS is usable
 * (the restore path) or must not touch errno (signal handlers).
 * Return the kernel's value: negative errno on failure.
 */
#ifndef DMTCP_PRELOAD_SYS_H
#define DMTCP_PRELOAD_SYS_H

#include <stdint.h>
#include <sys/syscall.h>

#include "dmtcp/rawsys.h"

static inline int rsys_gettid(void)
{
	return (int)rsys0(SYS_gettid);
}

static inline int rsys_getpid(void)
{
	return (int)rsys0(SYS_getpid);
}

#define FUTEX_WAIT_PRIV	(0 | 128)
#define FUTEX_WAKE_PRIV	(1 | 128)

static inline void futex_wait(volatile int *addr, int val)
{
	rsys4(SYS_futex, (long)addr, FUTEX_WAIT_PRIV, val, 0);
}

static inline void futex_wake(volatile int *addr)
{
	rsys3(SYS_futex, (long)addr, FUTEX_WAKE_PRIV, 0x7fffffff);
}

#endif /* DMTCP_PRELOAD_SYS_H */
