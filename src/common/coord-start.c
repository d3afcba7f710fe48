/*
 * coord-start.c - find or start a coordinator; see coord-start.h.
 *
 * A coordinator started here is run with --daemon: its first process
 * exits only once the listening socket is bound (status 0) or binding
 * failed (status 1, message on stderr), so waiting for that exit tells
 * us the outcome without polling the port.  --port-file in a private
 * temporary directory reports the port it chose.
 */
#include "config.h"
#include "coord-start.h"
#include "coord-client.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COORD_WAIT_MS		5000
#define COORD_CONNECT_MS	2000

static void coord_err(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void coord_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!err || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

int coord_host_is_local(const char *host)
{
	char me[256] = "";
	size_t n;

	if (!host || !*host || !strcmp(host, "localhost") ||
	    !strncmp(host, "127.", 4) || !strcmp(host, "::1") ||
	    !strcmp(host, "localhost.localdomain"))
		return 1;
	if (gethostname(me, sizeof(me) - 1) < 0)
		return 0;
	if (!strcmp(host, me))
		return 1;
	/* short name vs. fully qualified name */
	n = strcspn(me, ".");
	return strlen(host) == n && !strncmp(host, me, n);
}

/* dmtcp_coordinator next to us, else in PATH.  0 or -1. */
static int coord_find_binary(char *buf, size_t cap)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (util_find_file(buf, cap, "dmtcp_coordinator", NULL,
			   DMTCP_BINDIR "/dmtcp_coordinator") == 0 &&
	    access(buf, X_OK) == 0)
		return 0;
	if (!path)
		return -1;
	copy = strdup(path);
	if (!copy)
		return -1;
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		int n = snprintf(buf, cap, "%s/dmtcp_coordinator",
				 *dir ? dir : ".");

		if (n > 0 && (size_t)n < cap && access(buf, X_OK) == 0) {
			free(copy);
			return 0;
		}
	}
	free(copy);
	return -1;
}

static uint64_t coord_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* First line of a small file into buf ("" if none). */
static void coord_read_line(const char *path, char *buf, size_t cap)
{
	util_read_small(AT_FDCWD, path, buf, cap);
	buf[strcspn(buf, "\n")] = 0;
}

/*
 * Run the coordinator with --daemon and wait (bounded) for its first
 * process to exit.  Returns 0 with *port set, 1 if it reported that the
 * port is in use, -1 on other errors (message in err).
 */
static int coord_spawn(int *port, int interval, const char *ckptdir,
		       char *err, size_t errcap)
{
	char bin[PATH_MAX], tmpl[PATH_MAX], portfile[PATH_MAX + 16];
	char errfile[PATH_MAX + 16], portstr[16], ivstr[24], line[512];
	const char *argv[16];
	int argc = 0, status, rc = -1;
	uint64_t deadline;
	pid_t pid, w;

	if (coord_find_binary(bin, sizeof(bin)) < 0) {
		coord_err(err, errcap, "cannot find dmtcp_coordinator next "
			  "to this program or in PATH; install it or start a "
			  "coordinator yourself");
		return -1;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/dmtcp-coord-XXXXXX", util_tmpdir());
	if (!mkdtemp(tmpl)) {
		coord_err(err, errcap, "cannot create a temporary directory "
			  "in %s: %s", util_tmpdir(), strerror(errno));
		return -1;
	}
	snprintf(portfile, sizeof(portfile), "%s/port", tmpl);
	snprintf(errfile, sizeof(errfile), "%s/stderr", tmpl);
	snprintf(portstr, sizeof(portstr), "%d", *port);

	argv[argc++] = bin;
	argv[argc++] = "--daemon";
	argv[argc++] = "--exit-on-last";
	argv[argc++] = "-p";
	argv[argc++] = portstr;
	argv[argc++] = "--port-file";
	argv[argc++] = portfile;
	if (interval >= 0) {
		snprintf(ivstr, sizeof(ivstr), "%d", interval);
		argv[argc++] = "--interval";
		argv[argc++] = ivstr;
	}
	if (ckptdir) {
		argv[argc++] = "--ckptdir";
		argv[argc++] = ckptdir;
	}
	argv[argc] = NULL;

	pid = fork();
	if (pid < 0) {
		coord_err(err, errcap, "cannot start %s: fork: %s", bin,
			  strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int efd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		const char *pre = getenv("LD_PRELOAD");

		if (efd >= 0)
			dup2(efd, 2);
		/* a daemon must not hold our caller's pipes open */
		close_range(3, ~0U, 0);
		/* never checkpoint the coordinator itself (nested launch) */
		if (pre && strstr(pre, "libdmtcp"))
			unsetenv("LD_PRELOAD");
		execv(bin, (char **)argv);
		dprintf(2, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	deadline = coord_ms() + COORD_WAIT_MS;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			coord_err(err, errcap, "waiting for %s: %s", bin,
				  strerror(errno));
			goto out;
		}
		if (coord_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			coord_err(err, errcap, "%s did not start within %d s",
				  bin, COORD_WAIT_MS / 1000);
			goto out;
		}
		usleep(5000);
	}
	coord_read_line(errfile, line, sizeof(line));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (strstr(line, "already in use")) {
			coord_err(err, errcap, "%s", line);
			rc = 1;
		} else {
			coord_err(err, errcap, "%s failed to start%s%s", bin,
				  line[0] ? ": " : "", line);
		}
		goto out;
	}
	coord_read_line(portfile, line, sizeof(line));
	if (util_parse_port(line) <= 0) {
		coord_err(err, errcap, "%s started but did not report its "
			  "port in %s", bin, portfile);
		goto out;
	}
	*port = util_parse_port(line);
	rc = 0;
out:
	unlink(portfile);
	unlink(errfile);
	rmdir(tmpl);
	return rc;
}

int coord_ensure(const char *host, int *port, int mode, int interval,
		 const char *ckptdir, char *err, size_t errcap)
{
	int fd, rc, e;

	if (!host || !*host)
		host = "localhost";
	if (err && errcap)
		err[0] = 0;
	if (mode != COORD_NEW && *port == 0)
		mode = COORD_NEW;	/* "any port" can only be a new one */

	if (mode == COORD_NEW) {
		if (!coord_host_is_local(host)) {
			coord_err(err, errcap, "cannot start a coordinator on "
				  "remote host %s; start it there and use "
				  "--join-coordinator", host);
			return -1;
		}
		rc = coord_spawn(port, interval, ckptdir, err, errcap);
		return rc == 0 ? 0 : -1;
	}

	fd = coord_connect(host, *port, COORD_CONNECT_MS);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	e = errno;
	if (mode == COORD_JOIN) {
		coord_err(err, errcap, "no coordinator listening at %s:%d (%s); "
			  "start one with dmtcp_coordinator or drop "
			  "--join-coordinator", host, *port, strerror(e));
		return -1;
	}
	if (!coord_host_is_local(host)) {
		coord_err(err, errcap, "no coordinator listening at %s:%d (%s); "
			  "start dmtcp_coordinator on %s first", host, *port,
			  strerror(e), host);
		return -1;
	}
	if (e != ECONNREFUSED) {
		coord_err(err, errcap, "cannot reach the coordinator at %s:%d "
			  "(%s)", host, *port, strerror(e));
		return -1;
	}
	rc = coord_spawn(port, interval, ckptdir, err, errcap);
	if (rc == 1) {
		/* someone else started one at the same time: use it */
		fd = coord_connect(host, *port, COORD_CONNECT_MS);
		if (fd >= 0) {
			close(fd);
			if (err && errcap)
				err[0] = 0;
			return 0;
		}
	}
	return rc == 0 ? 0 : -1;
}
