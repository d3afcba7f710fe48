/*
 * sys.h - raw system calls for code that runs before TLS is usable
 * (the restore path) or must not touch errno (signal handlers).
 * Return the kernel's value: negative errno on failure.
 */
#ifndef DMTCP_PRELOAD_SYS_H
#define DMTCP_PRELOAD_SYS_H

#include <stdint.h>
#include <sys/syscall.h>

static inline long rsys0(long n)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
	return r;
}

static inline long rsys1(long n, long a)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long rsys2(long n, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long rsys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long rsys4(long n, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long rsys5(long n, long a, long b, long c, long d, long e)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall" : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long rsys6(long n, long a, long b, long c, long d, long e,
			 long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

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
