/*
 * state.c - the owner of the coordinator's one state, `co` (coord.h):
 * its initial values, the event log every layer writes to (co_event),
 * and what is released at exit.
 *
 * Above the console output (console-out.c) and the text buffer, below
 * everything else: it calls nothing of the coordinator but those.
 */
#include "config.h"
#include "coord.h"
#include "log.h"
#include "util.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct co_state co;

void co_state_init(void)
{
	memset(&co, 0, sizeof(co));
	co.listen_fd = -1;
	co.log_fd = -1;
	co.next_client_id = 1;
}

void co_event(int important, const char *fmt, ...)
{
	char raw[1024], msg[2048], line[2100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* one line, whatever a client managed to put into it: callers
	 * escape names they got from clients (escape.h), this catches any
	 * control character left (without escaping those escapes again) */
	esc_mem(msg, sizeof(msg), raw, strlen(raw), ESC_KEEP_BACKSLASH);
	if (co.log_fd >= 0) {
		char when[32];
		time_t now = time(NULL);
		struct tm tm;
		int n;

		localtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		n = snprintf(line, sizeof(line), "[%s] %s\n", when, msg);
		if (n > 0)
			util_write_all(co.log_fd, line,
				       (size_t)n < sizeof(line) ? (size_t)n :
				       sizeof(line) - 1);
	}
	if (!co.opts.daemon && (important || !co.opts.quiet)) {
		snprintf(line, sizeof(line), "dmtcp_coordinator: %s", msg);
		co_console_write(stderr, line);
	}
}

/*
 * --coord-logfile FILE, else for a daemon (which has no terminal to
 * talk to) $DMTCP_TMPDIR/dmtcp-$USER@$HOST/coordinator-<port>.log.
 */
int co_log_open(void)
{
	static char path[PATH_MAX];
	const char *file = co.opts.logfile;

	if (!file && co.opts.daemon) {
		char dir[PATH_MAX];

		if (util_state_dir(dir, sizeof(dir)) < 0 ||
		    snprintf(path, sizeof(path), "%s/coordinator-%d.log", dir,
			     co.port) >= (int)sizeof(path)) {
			fprintf(stderr, "dmtcp_coordinator: cannot create the "
				"state directory under %s: %s\n",
				util_tmpdir(), strerror(errno));
			return -1;
		}
		file = path;
	}
	if (!file)
		return 0;
	if (file == path) {
		/* ours, in our private state directory: never a link */
		char why[160];

		co.log_fd = safe_open_own(file, O_WRONLY | O_CREAT | O_APPEND,
					  0600, why, sizeof(why));
		if (co.log_fd < 0) {
			fprintf(stderr, "dmtcp_coordinator: refusing log file "
				"%s: %s\n", file, why);
			return -1;
		}
		return 0;
	}
	co.log_fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			 0600);
	if (co.log_fd < 0) {
		fprintf(stderr, "dmtcp_coordinator: cannot open log file %s: "
			"%s\n", file, strerror(errno));
		return -1;
	}
	return 0;
}

void co_state_free(void)
{
	co_txn_free(&co.txn);
	if (co.listen_fd >= 0)
		close(co.listen_fd);
	co.listen_fd = -1;
	if (co.log_fd >= 0)
		close(co.log_fd);
	co.log_fd = -1;
}
