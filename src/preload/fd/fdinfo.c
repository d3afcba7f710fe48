/*
 * fd/fdinfo.c - parsing what the kernel writes in /proc/self/fdinfo/N
 * for eventfd, epoll, timerfd, signalfd, inotify and pidfd
 * (fd/fdinfo.h).  No allocation: it runs while the other threads are
 * frozen.
 */
#include "config.h"
#include "fd/fdinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dmtcp_fdinfo_field(const char *buf, const char *name)
{
	const char *p = strstr(buf, name);

	return p ? p + strlen(name) : NULL;
}

int dmtcp_fdinfo_hex(const char *buf, const char *name, uint64_t *v)
{
	const char *p = dmtcp_fdinfo_field(buf, name);

	if (!p)
		return 0;
	*v = strtoull(p, NULL, 16);
	return 1;
}

int dmtcp_fdinfo_epoll_next(const char **pos, int32_t *fd, uint32_t *events,
			    uint64_t *data)
{
	const char *p;

	for (p = strstr(*pos, "tfd:"); p; p = strstr(p + 4, "tfd:")) {
		unsigned long long d = 0;
		unsigned ev = 0;
		int tfd = -1;

		if (sscanf(p, "tfd: %d events: %x data: %llx", &tfd, &ev,
			   &d) != 3)
			continue;
		*fd = tfd;
		*events = ev;
		*data = d;
		*pos = p + 4;
		return 1;
	}
	*pos = "";
	return 0;
}

int dmtcp_fdinfo_inotify_next(const char **pos, int *wd, uint64_t *ino,
			      uint32_t *mask)
{
	const char *p;

	for (p = strstr(*pos, "inotify wd:"); p;
	     p = strstr(p + 11, "inotify wd:")) {
		unsigned long long i = 0;
		unsigned m = 0;
		int w = -1;
		const char *q = strstr(p, "mask:");

		if (sscanf(p, "inotify wd:%d ino:%llx", &w, &i) != 2 || !q ||
		    sscanf(q, "mask:%x", &m) != 1)
			continue;
		*wd = w;
		*ino = i;
		*mask = m;
		*pos = p + 11;
		return 1;
	}
	*pos = "";
	return 0;
}

void dmtcp_fdinfo_timerfd(const char *buf, struct dmtcp_fdinfo_timer *t)
{
	const char *p;
	unsigned long long a, b;

	memset(t, 0, sizeof(*t));
	if ((p = dmtcp_fdinfo_field(buf, "clockid:")))
		t->clockid = atoi(p);
	if ((p = dmtcp_fdinfo_field(buf, "ticks:")))
		t->ticks = strtoull(p, NULL, 10);
	if ((p = dmtcp_fdinfo_field(buf, "settime flags:")))
		t->settime_flags = strtol(p, NULL, 8);
	if ((p = dmtcp_fdinfo_field(buf, "it_value:")) &&
	    sscanf(p, " (%llu, %llu)", &a, &b) == 2) {
		t->its.it_value.tv_sec = a;
		t->its.it_value.tv_nsec = b;
	}
	if ((p = dmtcp_fdinfo_field(buf, "it_interval:")) &&
	    sscanf(p, " (%llu, %llu)", &a, &b) == 2) {
		t->its.it_interval.tv_sec = a;
		t->its.it_interval.tv_nsec = b;
	}
}
