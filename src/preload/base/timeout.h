/*
 * base/timeout.h - what is left of a timeout when a call the checkpoint
 * signal cut short is made again (wrap/sleep.c, ipc/sysv.c): pure
 * arithmetic on monotonic nanoseconds, tested by tests/unit/
 * test_preload_timeout.c.  Never negative, never more than was asked.
 */
#ifndef DMTCP_PRELOAD_BASE_TIMEOUT_H
#define DMTCP_PRELOAD_BASE_TIMEOUT_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#ifndef HIDDEN
#define HIDDEN __attribute__((visibility("hidden")))
#endif

#define DMTCP_NSEC 1000000000ull

/* A wait of total ns begun at start; the thread was frozen at suspend
   (0: never): the ns still to wait, 0 when it is over. */
uint64_t dmtcp_timeout_left(uint64_t total, uint64_t start,
			    uint64_t suspend) HIDDEN;
/* The same for a timeout in ms (poll, epoll_wait), rounded up so that
   the call never returns early; a negative one (no timeout) stays. */
int dmtcp_timeout_left_ms(int timeout, uint64_t start,
			  uint64_t suspend) HIDDEN;

uint64_t dmtcp_ts_ns(const struct timespec *ts) HIDDEN;
struct timespec dmtcp_ns_ts(uint64_t ns) HIDDEN;
uint64_t dmtcp_tv_ns(const struct timeval *tv) HIDDEN;
struct timeval dmtcp_ns_tv(uint64_t ns) HIDDEN;

#endif /* DMTCP_PRELOAD_BASE_TIMEOUT_H */
