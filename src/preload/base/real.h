/*
 * base/real.h - the one way the library calls libc's own function under
 * a name it wraps: REAL(name)(args...).  Plugin authors write
 * NEXT_FNC(name) (dmtcp.h); REAL is its internal twin, with one
 * difference that matters while threads are frozen: every pointer is
 * looked up once, in a constructor that runs before any other of ours
 * (base/real.c), never on a first call.  A dlsym during a checkpoint
 * waits forever for the loader's lock when a frozen thread holds it
 * (inside dlopen: test-dlopen_churn).
 *
 * The library's own calls (its code, and src/common and src/image linked
 * into it) never enter the application-facing wrappers: libdmtcp.so is
 * linked with -Wl,--wrap=NAME for the names in DMTCP_INTERNAL_CALLS
 * (src/preload/Makefile.mk), which sends them to __wrap_NAME in
 * base/real.c, straight to libc.
 */
#ifndef DMTCP_PRELOAD_BASE_REAL_H
#define DMTCP_PRELOAD_BASE_REAL_H

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/sendfile.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* glibc's _FORTIFY_SOURCE entry points (no prototype without it) */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t cap, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t cap, int flags,
		       struct sockaddr *a, socklen_t *al);

/* every libc function some wrapper of ours stands in front of */
#define DMTCP_LIBC_FUNCS(X) \
	X(read) X(__read_chk) X(readv) X(write) X(writev) \
	X(recv) X(__recv_chk) X(recvfrom) X(__recvfrom_chk) X(recvmsg) \
	X(send) X(sendto) X(sendmsg) X(sendmmsg) X(sendfile) X(splice) \
	X(shutdown) \
	X(nanosleep) X(clock_nanosleep) X(sleep) X(usleep) \
	X(poll) X(ppoll) X(select) X(epoll_wait) \
	X(sigaction) X(signal) X(sigprocmask) X(pthread_sigmask) \
	X(pthread_create) X(pthread_exit) X(clone) X(vfork) \
	X(execve) X(execvpe) X(posix_spawn) X(posix_spawnp) \
	X(system) X(popen) X(pclose) \
	X(inotify_add_watch) X(inotify_rm_watch) \
	X(shmget) X(semget) X(msgget) X(semop) X(semtimedop) \
	X(msgsnd) X(msgrcv)

#define DMTCP_LIBC_MEMBER(name) __typeof__(&name) name;
struct dmtcp_libc {
	DMTCP_LIBC_FUNCS(DMTCP_LIBC_MEMBER)
	void (*_exit)(int);	/* built-ins: no __typeof__(&_exit) */
	void (*_Exit)(int);
	volatile int ready;
};
extern struct dmtcp_libc dmtcp_libc __attribute__((visibility("hidden")));

/* resolves everything now: only a wrapper called from another library's
   constructor, before ours, ever needs this */
void dmtcp_libc_resolve(void) __attribute__((visibility("hidden")));

#define REAL(name) \
	((__builtin_expect(dmtcp_libc.ready, 1) ? (void)0 : \
	  dmtcp_libc_resolve()), dmtcp_libc.name)

#endif /* DMTCP_PRELOAD_BASE_REAL_H */
