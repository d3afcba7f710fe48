/* log.c - levelled logging; see log.h. */
#include "config.h"
#include "log.h"
#include "util.h"
#include "dmtcp/fds.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *log_component = "dmtcp";
static int log_debug = -1;
static int log_fd = -1;

void log_init(const char *component)
{
	const char *env = getenv("DMTCP_DEBUG");

	log_component = component;
	log_debug = DMTCP_DEBUG_DEFAULT;
	if (env)
		log_debug = atoi(env) > 0;
	if (log_debug && log_fd < 0) {
		char dir[400], path[512];

		if (util_state_dir(dir, sizeof(dir)) == 0) {
			snprintf(path, sizeof(path), "%s/log.%s.%d", dir,
				 component, (int)getpid());
			char why[160];

			/* a private directory, but never through a link */
			log_fd = safe_open_own(path, O_WRONLY | O_CREAT |
					       O_APPEND, 0600, why,
					       sizeof(why));
			if (log_fd >= 0 && log_fd < 100) {
				/* out of the app's way, in the range checkpoints skip */
				int hi = fcntl(log_fd, F_DUPFD_CLOEXEC, DMTCP_FD_LOG);

				if (hi >= 0) {
					close(log_fd);
					log_fd = hi;
				}
			}
		}
	}
}

int log_debug_enabled(void)
{
	if (log_debug < 0)
		log_init(log_component);
	return log_debug;
}

void log_msg(int level, const char *file, int line, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	char buf[2048];
	int saved = errno;
	int n;
	va_list ap;

	if (level == LOG_DEBUG || log_debug > 0)
		n = snprintf(buf, sizeof(buf), "[%s %d %s:%d] %s: ",
			     log_component, (int)getpid(), file, line,
			     names[level]);
	else if (level == LOG_INFO)
		n = snprintf(buf, sizeof(buf), "%s: ", log_component);
	else
		n = snprintf(buf, sizeof(buf), "%s: %s: ", log_component,
			     names[level]);
	if (n < 0)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n')
		buf[n++] = '\n';
	if (level < LOG_DEBUG || log_debug > 0)
		util_write_all(2, buf, n);
	if (log_fd >= 0)
		util_write_all(log_fd, buf, n);
	errno = saved;
}
