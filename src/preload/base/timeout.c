/*
 * base/timeout.c - the remaining-timeout arithmetic of the wrappers that
 * call again what the checkpoint signal interrupted (base/timeout.h).
 */
#include "config.h"
#include "base/timeout.h"

uint64_t dmtcp_timeout_left(uint64_t total, uint64_t start, uint64_t suspend)
{
	uint64_t used = suspend > start ? suspend - start : 0;

	return used >= total ? 0 : total - used;
}

int dmtcp_timeout_left_ms(int timeout, uint64_t start, uint64_t suspend)
{
	uint64_t left;

	if (timeout < 0)
		return timeout;
	left = dmtcp_timeout_left((uint64_t)timeout * 1000000, start, suspend);
	return (int)((left + 999999) / 1000000);
}

uint64_t dmtcp_ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * DMTCP_NSEC + ts->tv_nsec;
}

struct timespec dmtcp_ns_ts(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / DMTCP_NSEC),
			       (long)(ns % DMTCP_NSEC) };

	return ts;
}

uint64_t dmtcp_tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * DMTCP_NSEC + (uint64_t)tv->tv_usec * 1000;
}

struct timeval dmtcp_ns_tv(uint64_t ns)
{
	struct timeval tv = { (time_t)(ns / DMTCP_NSEC),
			      (suseconds_t)((ns % DMTCP_NSEC) / 1000) };

	return tv;
}
