/*
 * plugin-log.h - shared by the example plugins of tests/plugin: append
 * one line to the file named by $PLUGIN_LOG (open, write, close: no
 * stdio, no malloc, so it is safe in hooks that run while the
 * application's threads are frozen), and event names.
 */
#ifndef PLUGIN_LOG_H
#define PLUGIN_LOG_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmtcp.h"

static void plog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void plog(const char *fmt, ...)
{
	const char *path = getenv("PLUGIN_LOG");
	char buf[512];
	va_list ap;
	int fd, n;

	if (!path)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	(void)!write(fd, buf, n);
	close(fd);
}

static inline const char *pevent(DmtcpEvent_t e)
{
	switch (e) {
	case DMTCP_EVENT_INIT: return "INIT";
	case DMTCP_EVENT_EXIT: return "EXIT";
	case DMTCP_EVENT_PRE_EXEC: return "PRE_EXEC";
	case DMTCP_EVENT_POST_EXEC: return "POST_EXEC";
	case DMTCP_EVENT_ATFORK_PREPARE: return "ATFORK_PREPARE";
	case DMTCP_EVENT_ATFORK_PARENT: return "ATFORK_PARENT";
	case DMTCP_EVENT_ATFORK_CHILD: return "ATFORK_CHILD";
	case DMTCP_EVENT_PTHREAD_START: return "PTHREAD_START";
	case DMTCP_EVENT_PTHREAD_EXIT: return "PTHREAD_EXIT";
	case DMTCP_EVENT_PTHREAD_RETURN: return "PTHREAD_RETURN";
	case DMTCP_EVENT_PRESUSPEND: return "PRESUSPEND";
	case DMTCP_EVENT_PRECHECKPOINT: return "PRECHECKPOINT";
	case DMTCP_EVENT_RESUME: return "RESUME";
	case DMTCP_EVENT_RESTART: return "RESTART";
	case DMTCP_EVENT_RUNNING: return "RUNNING";
	case DMTCP_EVENT_THREAD_RESUME: return "THREAD_RESUME";
	default: return "OTHER";
	}
}

#endif /* PLUGIN_LOG_H */
