/*
 * log.h - levelled logging for the libc-world components.
 *
 * Off by default.  DMTCP_DEBUG=1 (or ./configure --enable-debug) turns on
 * debug messages, written to stderr and appended to
 * $DMTCP_TMPDIR/dmtcp-$USER@$HOST/log.<component>.<pid>.
 * Errors and warnings always go to stderr, prefixed with the component.
 * The functions only use write(2) and a stack buffer: safe in the
 * checkpoint thread and in signal handlers (no malloc, no stdio).
 */
#ifndef DMTCP_LOG_H
#define DMTCP_LOG_H

#include <stdarg.h>

void log_init(const char *component);
int log_debug_enabled(void);
void log_msg(int level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define LOG_ERROR	0
#define LOG_WARN	1
#define LOG_INFO	2
#define LOG_DEBUG	3

#define pr_err(...)	log_msg(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define pr_warn(...)	log_msg(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define pr_debug(...) \
	do { \
		if (log_debug_enabled()) \
			log_msg(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif /* DMTCP_LOG_H */
