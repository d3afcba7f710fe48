/*
 * main.c - dmtcp_coordinator start-up and shut-down: options, the
 * listening socket, the secret file, the port file, daemonizing; then
 * the event loop (loop.c).  The top layer (coord.h).
 */
#include "config.h"
#include "coord.h"
#include "log.h"
#include "util.h"
#include "safefile.h"
#include "coord-client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int co_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
			>> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
			&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return 0;
}

static int co_is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
			htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return 0;
}

static int co_listen(void)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	char portstr[16];
	int fd, one = 1, rc, err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", co.opts.c.port);
	rc = getaddrinfo(co.opts.listen_addr, portstr, &hints, &res);
	if (rc) {
		fprintf(stderr, "dmtcp_coordinator: cannot listen on '%s': %s\n",
			co.opts.listen_addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0) {
		fprintf(stderr, "dmtcp_coordinator: socket: %s\n",
			strerror(errno));
		goto fail;
	}
	/* lets a restarted coordinator reuse a port in TIME_WAIT; two
	 * listeners on one port still fail with EADDRINUSE */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
		err = errno;
		if (err == EADDRINUSE)
			fprintf(stderr, "dmtcp_coordinator: port %d is already "
				"in use (another coordinator?); use -p to pick "
				"another port or -p 0\n", co.opts.c.port);
		else
			fprintf(stderr, "dmtcp_coordinator: cannot listen on "
				"%s port %d: %s\n", co.opts.listen_addr,
				co.opts.c.port, strerror(err));
		goto fail;
	}
	if (listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &slen) < 0) {
		fprintf(stderr, "dmtcp_coordinator: listen on %s port %d: %s\n",
			co.opts.listen_addr, co.opts.c.port, strerror(errno));
		goto fail;
	}
	co.port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	if (co_is_loopback(res->ai_addr))
		snprintf(co.host, sizeof(co.host), "localhost");
	else if (co_is_wildcard(res->ai_addr))
		snprintf(co.host, sizeof(co.host), "%s", co.hostname);
	else
		snprintf(co.host, sizeof(co.host), "%s", co.opts.listen_addr);
	freeaddrinfo(res);
	co.listen_fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

static int co_write_secret(void)
{
	unsigned char raw[DMTCP_SECRET_LEN / 2];
	char line[DMTCP_SECRET_LEN + 2];
	ssize_t got = 0;
	int fd;

	while (got < (ssize_t)sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "dmtcp_coordinator: getrandom: %s\n",
				strerror(errno));
			return -1;
		}
		got += n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(co.secret + 2 * i, 3, "%02x", raw[i]);
	if (coord_secret_path(co.port, co.secret_path,
			      sizeof(co.secret_path)) < 0) {
		fprintf(stderr, "dmtcp_coordinator: cannot create the state "
			"directory under %s: %s\n", util_tmpdir(),
			strerror(errno));
		return -1;
	}
	/* we own the port now: any file there is stale */
	unlink(co.secret_path);
	fd = open(co.secret_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		  O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "dmtcp_coordinator: cannot create secret file "
			"%s: %s\n", co.secret_path, strerror(errno));
		co.secret_path[0] = 0;
		return -1;
	}
	snprintf(line, sizeof(line), "%s\n", co.secret);
	if (util_write_all(fd, line, strlen(line)) < 0) {
		fprintf(stderr, "dmtcp_coordinator: write %s: %s\n",
			co.secret_path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int co_write_port_file(const char *path)
{
	char tmp[PATH_MAX], text[16];
	int fd, n;

	fd = safe_create_tmp(path, tmp, sizeof(tmp), 0644);
	if (fd < 0)
		goto fail;
	n = snprintf(text, sizeof(text), "%d\n", co.port);
	if (fchmod(fd, 0644) < 0 || util_write_all(fd, text, n) < 0) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "dmtcp_coordinator: cannot write port file %s: %s\n",
		path, strerror(errno));
	return -1;
}

static int co_setup_dirs(void)
{
	char err[PATH_MAX + 200];

	if (copt_ckptdir(&co.opts.c, co.ckpt_dir, sizeof(co.ckpt_dir), err,
			 sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_coordinator: %s\n", err);
		return -1;
	}
	if (safe_shared_dir(co.ckpt_dir))
		fprintf(stderr, "dmtcp_coordinator: warning: checkpoint "
			"directory %s is writable by every user and has no "
			"sticky bit: others can rename or replace the images "
			"and the restart script in it (doc/security.md)\n",
			co.ckpt_dir);
	if (co.opts.c.ckptdir)
		snprintf(co.ckpt_dir_explicit, sizeof(co.ckpt_dir_explicit),
			 "%s", co.ckpt_dir);
	return 0;
}

static int co_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		fprintf(stderr, "dmtcp_coordinator: fork: %s\n",
			strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);	/* the listener is ready: callers may connect */
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(co.log_fd >= 0 ? co.log_fd : fd, 1);
		dup2(co.log_fd >= 0 ? co.log_fd : fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

static void co_banner(void)
{
	printf("dmtcp_coordinator starting...\n"
	       "    Host: %s (listening on %s)\n"
	       "    Port: %d\n"
	       "    Checkpoint interval: ",
	       co.host, co.opts.listen_addr, co.port);
	if (co.interval_ms)
		printf("%ld s\n", co_interval_s());
	else
		printf("disabled (checkpoint manually)\n");
	printf("    Checkpoint directory: %s\n"
	       "    Exit on last client: %s\n"
	       "Type h<return> for help.\n",
	       co.ckpt_dir, co.opts.exit_on_last ? "yes" : "no");
	fflush(stdout);
}

static void co_cleanup(void)
{
	co_console_close();
	if (co.secret_path[0])
		unlink(co.secret_path);
	while (co_nclients)
		co_client_remove(co_clients[0]);
	free(co_clients);
	co_script_unprepare();	/* a checkpoint cut short: its script */
	co_reap_wait();		/* the helper's stack, for valgrind */
	co_state_free();
}

int main(int argc, char **argv)
{
	char err[1024];
	int rc, requested_port;

	co_state_init();
	rc = co_opts_parse(argc, argv, &co.opts, err, sizeof(err));
	rc = copt_report("dmtcp_coordinator", co_usage, rc, err, &co.opts.c,
			 1);
	if (rc >= 0)
		return rc;
	log_init("dmtcp_coordinator");
	if (copt_apply_tmpdir(&co.opts.c, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_coordinator: %s\n", err);
		return 1;
	}
	co.interval_ms = co.opts.c.interval * 1000;
	co.keep_configured = co.opts.keep_generations;
	co.interval_configured_ms = co.interval_ms;
	requested_port = co.opts.c.port;
	if (gethostname(co.hostname, sizeof(co.hostname) - 1) < 0)
		snprintf(co.hostname, sizeof(co.hostname), "localhost");

	/* the log is named after the port, known once we listen */
	if (co_setup_dirs() < 0 || co_listen() < 0 || co_log_open() < 0)
		goto fail;
	if (co_write_secret() < 0)
		goto fail;
	if (co.opts.port_file && co_write_port_file(co.opts.port_file) < 0)
		goto fail;
	if (!co.opts.quiet && !co.opts.daemon)
		co_banner();
	else if (requested_port == 0 && !co.opts.port_file)
		printf("%d\n", co.port);
	fflush(stdout);
	if (co.opts.daemon && co_daemonize() < 0)
		goto fail;
	co_event(0, "listening on %s port %d (pid %d, protocol version %d)",
		 co.opts.listen_addr, co.port, (int)getpid(),
		 DMTCP_PROTO_VERSION);
	co_console_init();
	rc = co_loop_run();
	co_console_close();
	co_event(0, "exiting");
	co_cleanup();
	return rc;
fail:
	co_cleanup();
	return 1;
}
