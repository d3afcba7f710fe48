/*
 * sock_external.c - sockets connected to a server OUTSIDE the
 * computation (doc/sockets.md, "Peers outside the computation").
 *
 *   sock_external server DIR   (run without dmtcp_launch) listens on
 *       127.0.0.1:0 (port written to DIR/ext.port) and on DIR/ext.sock,
 *       sends "hello-from-outside" to every client at once and then
 *       reads and discards what it gets; it also receives datagrams on
 *       DIR/ext.dgram and counts them in DIR/ext.count.
 *   sock_external PORT DIR     (the checkpointed program) connects to
 *       all three without reading the greeting (it stays queued), then
 *       loops.  After the first restart it checks the policy: TCP gives
 *       the queued greeting, then ECONNRESET, then EOF, and EPIPE on
 *       write; the UNIX stream gives the greeting, then EOF, and EPIPE;
 *       the UNIX datagram socket is connected to DIR/ext.dgram again
 *       (a send reaches the server).  After later restarts the closed
 *       sockets must still answer at once (no hang).
 */
#include "testprog.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#define HELLO "hello-from-outside"

static void addr_un(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
}

static int server(const char *dir)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_un un, dg;
	socklen_t l = sizeof(in);
	struct pollfd p[64];
	int n = 3, count = 0;
	char path[512];
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p[0].fd = socket(AF_INET, SOCK_STREAM, 0);
	p[1].fd = socket(AF_UNIX, SOCK_STREAM, 0);
	p[2].fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	addr_un(&un, dir, "ext.sock");
	addr_un(&dg, dir, "ext.dgram");
	if (bind(p[0].fd, (void *)&in, sizeof(in)) < 0 ||
	    listen(p[0].fd, 8) < 0 ||
	    getsockname(p[0].fd, (void *)&in, &l) < 0 ||
	    bind(p[1].fd, (void *)&un, sizeof(un)) < 0 ||
	    listen(p[1].fd, 8) < 0 || bind(p[2].fd, (void *)&dg, sizeof(dg)) < 0)
		tp_fail("server: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/ext.port.tmp", dir);
	f = fopen(path, "w");
	fprintf(f, "%d\n", ntohs(in.sin_port));
	fclose(f);
	{
		char final[512];

		snprintf(final, sizeof(final), "%s/ext.port", dir);
		rename(path, final);
	}
	for (int i = 0; i < 3; i++)
		p[i].events = POLLIN;
	for (;;) {
		char buf[4096];

		if (poll(p, n, -1) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (i < 2) {
				int c = accept(p[i].fd, NULL, NULL);

				if (c < 0)
					continue;
				(void)!write(c, HELLO, strlen(HELLO));
				if (n < 64) {
					p[n].fd = c;
					p[n++].events = POLLIN;
				}
			} else if (i == 2) {
				if (recv(p[2].fd, buf, sizeof(buf), 0) > 0) {
					snprintf(path, sizeof(path),
						 "%s/ext.count", dir);
					f = fopen(path, "w");
					fprintf(f, "%d\n", ++count);
					fclose(f);
				}
			} else if (read(p[i].fd, buf, sizeof(buf)) <= 0) {
				close(p[i].fd);
				p[i--] = p[--n];
			}
		}
	}
}

/* read with a bound: the policy must never hang the program */
static ssize_t read_bounded(int fd, char *buf, size_t len, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 3000) == 0)
		tp_fail("%s: read would block (a restored socket to a peer "
			"outside must be closed)", what);
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static void expect_greeting(int fd, const char *what)
{
	char buf[64];
	size_t got = 0;

	while (got < strlen(HELLO)) {
		ssize_t n = read_bounded(fd, buf + got, strlen(HELLO) - got,
					 what);

		if (n <= 0)
			tp_fail("%s: the greeting queued before the "
				"checkpoint is lost (read %zd after %zu bytes:"
				" %s)", what, n, got, n ? strerror(errno) :
				"EOF");
		got += n;
	}
	if (memcmp(buf, HELLO, got) != 0)
		tp_fail("%s: greeting is '%.*s'", what, (int)got, buf);
}

/* the peer of fd (what) is gone: reading gives end of file (a failure
 * says "<when>: read ..."), writing EPIPE */
static void expect_closed(int fd, const char *what, const char *when)
{
	char buf[64];
	ssize_t n = read_bounded(fd, buf, sizeof(buf), what);

	if (n != 0)
		tp_fail("%s: read %zd, expected EOF", when, n);
	n = send(fd, "x", 1, MSG_NOSIGNAL);
	if (!(n < 0 && errno == EPIPE))
		tp_fail("%s: write gave %zd (%s), expected EPIPE", what, n,
			n < 0 ? strerror(errno) : "ok");
}

static void check_after_first_restart(int tcp, int us, int ud,
				      const char *dir)
{
	char buf[64];
	ssize_t n;
	int count0 = 0, count1 = 0;
	char path[512];
	FILE *f;

	expect_greeting(tcp, "tcp");
	n = read_bounded(tcp, buf, sizeof(buf), "tcp");
	if (!(n < 0 && errno == ECONNRESET))
		tp_fail("tcp: after the greeting: read %zd (%s), expected "
			"ECONNRESET", n, n < 0 ? strerror(errno) : "data/EOF");
	expect_closed(tcp, "tcp", "tcp: after the reset");

	expect_greeting(us, "unix stream");
	expect_closed(us, "unix stream", "unix stream");

	snprintf(path, sizeof(path), "%s/ext.count", dir);
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%d", &count0) != 1)
			count0 = 0;
		fclose(f);
	}
	if (send(ud, "log line", 8, 0) != 8)
		tp_fail("unix dgram: send after restart: %s", strerror(errno));
	for (int i = 0; i < 300 && count1 <= count0; i++) {
		tp_sleep_ms(10);
		if ((f = fopen(path, "r"))) {
			if (fscanf(f, "%d", &count1) != 1)
				count1 = 0;
			fclose(f);
		}
	}
	if (count1 <= count0)
		tp_fail("unix dgram: the server did not get the datagram sent "
			"after the restart");
	printf("external peers: policy checked after the restart\n");
	fflush(stdout);
}

static void check_later(int tcp, int us)
{
	char buf[16];

	/* closed sockets: an error or EOF at once, never a hang */
	if (read_bounded(tcp, buf, sizeof(buf), "tcp (closed)") > 0 ||
	    read_bounded(us, buf, sizeof(buf), "unix stream (closed)") > 0)
		tp_fail("a closed socket returned data after a restart");
}

int main(int argc, char **argv)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_un un, dg;
	int tcp, us, ud, seen = 0;

	tp_init("sock_external");
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return server(argv[2]);
	if (argc != 3)
		tp_fail("usage: sock_external server DIR | PORT DIR");
	signal(SIGPIPE, SIG_IGN);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons(atoi(argv[1]));
	addr_un(&un, argv[2], "ext.sock");
	addr_un(&dg, argv[2], "ext.dgram");
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	us = socket(AF_UNIX, SOCK_STREAM, 0);
	ud = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (connect(tcp, (void *)&in, sizeof(in)) < 0 ||
	    connect(us, (void *)&un, sizeof(un)) < 0 ||
	    connect(ud, (void *)&dg, sizeof(dg)) < 0)
		tp_fail("connect to the external server: %s", strerror(errno));
	if (send(tcp, "ping", 4, 0) != 4 || send(us, "ping", 4, 0) != 4 ||
	    send(ud, "ping", 4, 0) != 4)
		tp_fail("send: %s", strerror(errno));
	tp_ready();
	while (!tp_should_stop()) {
		int c, r;

		tp_status(&c, &r);
		if (r > seen) {
			if (seen == 0)
				check_after_first_restart(tcp, us, ud, argv[2]);
			else
				check_later(tcp, us);
			seen = r;
		}
		tp_sleep_ms(10);
	}
	if (seen == 0) {
		/* never restarted: the connections still work */
		expect_greeting(tcp, "tcp");
		expect_greeting(us, "unix stream");
	}
	tp_pass();
}
