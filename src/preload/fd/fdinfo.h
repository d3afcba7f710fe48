/*
 * fd/fdinfo.h - parsers of /proc/self/fdinfo/N (fd/fdinfo.c; the text
 * read by dmtcp_read_fdinfo, base/procdir.c) for the kinds that keep
 * their state only there (eventfd, epoll in fd/anon.c; timerfd,
 * signalfd, inotify, pidfd in fd/timers.c).  Pure functions, tested by
 * tests/unit/test_fdinfo.c on fdinfo texts the kernel writes.
 */
#ifndef DMTCP_PRELOAD_FD_FDINFO_H
#define DMTCP_PRELOAD_FD_FDINFO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifndef HIDDEN
#define HIDDEN __attribute__((visibility("hidden")))
#endif

/* What follows the first "name" in buf (name ends with its ':'), or
   NULL when it is not there. */
const char *dmtcp_fdinfo_field(const char *buf, const char *name) HIDDEN;
/* The hexadecimal number after name ("eventfd-count:", "sigmask:"):
   1 and *v, or 0 when name is not there. */
int dmtcp_fdinfo_hex(const char *buf, const char *name, uint64_t *v) HIDDEN;

/* An epoll fd's watches ("tfd: N events: X data: X" lines), one a call
   from *pos (start with the text; *pos moves past the one returned):
   1 and the watch, or 0 after the last one. */
int dmtcp_fdinfo_epoll_next(const char **pos, int32_t *fd, uint32_t *events,
			    uint64_t *data) HIDDEN;
/* An inotify fd's watches ("inotify wd:N ino:X ... mask:X" lines), in
   the same way. */
int dmtcp_fdinfo_inotify_next(const char **pos, int *wd, uint64_t *ino,
			      uint32_t *mask) HIDDEN;

/* A timerfd: what its fdinfo says (zero where a line is missing). */
struct dmtcp_fdinfo_timer {
	int clockid;
	int settime_flags;
	uint64_t ticks;		/* expirations not read */
	struct itimerspec its;	/* it_value (time left), it_interval */
};
void dmtcp_fdinfo_timerfd(const char *buf, struct dmtcp_fdinfo_timer *t)
	HIDDEN;

#endif /* DMTCP_PRELOAD_FD_FDINFO_H */
