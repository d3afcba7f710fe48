/*
 * sock_pair.c - a parent and a child of one computation talking over
 * every kind of connected socket the restart recreates:
 *   socketpair(AF_UNIX) SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET;
 *   a UNIX stream connected through a path and one through an abstract
 *   name (the parent accept()s, the child connect()s);
 *   TCP over 127.0.0.1 (the parent listens on an ephemeral port);
 *   UDP over 127.0.0.1 (two sockets bound and connected to each other);
 *   a UNIX datagram "server" bound to a path (the parent's) and a client
 *   connected to it (the child's): the child sends 8 datagrams at the
 *   start and one at the end, the parent reads all 9 at the end.
 * On each "echo" channel the parent keeps up to 16 numbered messages of
 * varying length in flight and the child echoes each one back: both
 * check that none is lost, duplicated, reordered or cut.  On each
 * "backlog" channel (stream, dgram, seqpacket, TCP) the parent writes
 * 40 messages at the start which the child reads only at the end: they
 * sit in the socket queue through every checkpoint and restart, followed
 * on the stream and TCP ones by 100000 and 40000 bulk bytes.  At the
 * The child's stdin is a socketpair with the parent, with 20 messages
 * queued (fds 0-2 are recreated too when the peer is in the
 * computation).  At the end the child connects new clients to the three listeners, which
 * must accept them (listening again after a restart), and checks the
 * addresses of the path connection.
 */
#include "testprog.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define INFLIGHT 16
#define BACKLOG 40
#define END_SEQ UINT64_MAX
/* bulk bytes after the backlog messages: more than one skb, less than
   the default buffers (unix: sndbuf 208 KiB; tcp: the initial window) */
#define BULK_UNIX 100000
#define BULK_TCP 40000

static unsigned char bulk_byte(size_t i)
{
	return (unsigned char)(i * 131 + (i >> 8));
}

struct chan {
	const char *name;
	int type;		/* SOCK_STREAM: framed by the length */
	int p, c;		/* parent's and child's fd */
	uint64_t sent, done;	/* parent: sent, echoed; child: -, got */
	int ended;
};

enum { SP_STREAM, SP_DGRAM, SP_SEQ, UN_PATH, UN_ABSTRACT, TCP, UDP, NECHO };
#define CH(n, t) { .name = n, .type = t }
static struct chan echo[NECHO] = {
	CH("socketpair stream", SOCK_STREAM), CH("socketpair dgram", SOCK_DGRAM),
	CH("socketpair seqpacket", SOCK_SEQPACKET),
	CH("unix path stream", SOCK_STREAM),
	CH("unix abstract stream", SOCK_STREAM), CH("tcp", SOCK_STREAM),
	CH("udp", SOCK_DGRAM),
};
enum { BL_STREAM, BL_DGRAM, BL_SEQ, BL_TCP, BL_UDP, NBACK };
static struct chan back[NBACK] = {
	CH("backlog stream", SOCK_STREAM), CH("backlog dgram", SOCK_DGRAM),
	CH("backlog seqpacket", SOCK_SEQPACKET), CH("backlog tcp", SOCK_STREAM),
	CH("backlog udp", SOCK_DGRAM),
};

static int lpath, l_abs, ltcp, tcp_port, tcp_cport;
static struct sockaddr_un path_addr, abs_addr, dg_addr;
static int dg_srv, dg_cl, stdin_pair[2];
#define DG_COUNT 8
static socklen_t abs_len;

/* message n: u32 total length, u64 n, then filler bytes */
static size_t make_msg(uint64_t n, unsigned char *b)
{
	uint32_t len = n == END_SEQ ? 12 : 12 + (uint32_t)(n * 7 % 53);

	memcpy(b, &len, 4);
	memcpy(b + 4, &n, 8);
	for (uint32_t i = 12; i < len; i++)
		b[i] = (unsigned char)(n * 31 + i);
	return len;
}

static void check_msg(const struct chan *ch, const unsigned char *b,
		      size_t got, uint64_t expect, const char *who)
{
	unsigned char want[80];
	size_t len = make_msg(expect, want);
	uint64_t n;

	memcpy(&n, b + 4, 8);
	if (got >= 12 && n == END_SEQ)
		return;
	if (got != len || memcmp(b, want, len) != 0)
		tp_fail("%s: %s: message %llu wrong (got %zu bytes, seq %llu; "
			"lost, duplicated, reordered or cut data)", who,
			ch->name, (unsigned long long)expect, got,
			got >= 12 ? (unsigned long long)n : 0ULL);
}

static void write_all(int fd, const void *p, size_t len, const char *what)
{
	const char *c = p;

	while (len) {
		ssize_t n = send(fd, c, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			tp_fail("%s: send: %s", what, strerror(errno));
		c += n;
		len -= n;
	}
}

static void read_all(int fd, void *p, size_t len, const char *what)
{
	char *c = p;

	while (len) {
		ssize_t n = read(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			tp_fail("%s: read: %s", what,
				n ? strerror(errno) : "EOF");
		c += n;
		len -= n;
	}
}

static void send_msg(const struct chan *ch, int fd, uint64_t n)
{
	unsigned char b[80];
	size_t len = make_msg(n, b);

	if (ch->type == SOCK_STREAM) {
		write_all(fd, b, len, ch->name);
		return;
	}
	for (;;) {
		ssize_t r = send(fd, b, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)len)
			tp_fail("%s: send: %s", ch->name, strerror(errno));
		return;
	}
}

/* one whole message into b; its length */
static size_t recv_msg(const struct chan *ch, int fd, unsigned char *b)
{
	uint32_t len;
	ssize_t n;

	if (ch->type == SOCK_STREAM) {
		read_all(fd, b, 4, ch->name);
		memcpy(&len, b, 4);
		if (len < 12 || len > 80)
			tp_fail("%s: bad length %u in the stream", ch->name,
				len);
		read_all(fd, b + 4, len - 4, ch->name);
		return len;
	}
	do
		n = recv(fd, b, 80, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		tp_fail("%s: recv: %s", ch->name, n ? strerror(errno) : "EOF");
	return n;
}

static int listen_on(int domain, const void *addr, socklen_t len)
{
	int s = socket(domain, SOCK_STREAM, 0);

	if (s < 0 || bind(s, addr, len) < 0 || listen(s, 8) < 0)
		tp_fail("listen: %s", strerror(errno));
	return s;
}

static int connect_to(int domain, const void *addr, socklen_t len,
		      const char *what)
{
	int s = socket(domain, SOCK_STREAM, 0);

	if (s < 0 || connect(s, addr, len) < 0)
		tp_fail("child: connect (%s): %s", what, strerror(errno));
	return s;
}

static socklen_t tcp_addr(struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(tcp_port);
	return sizeof(*a);
}

/* The child's end of the named connections (after fork). */
static void child_connect(void)
{
	struct sockaddr_in a;
	socklen_t l = tcp_addr(&a);

	echo[UN_PATH].c = connect_to(AF_UNIX, &path_addr, sizeof(path_addr),
				     "path");
	echo[UN_ABSTRACT].c = connect_to(AF_UNIX, &abs_addr, abs_len,
					 "abstract");
	dg_cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (dg_cl < 0 || connect(dg_cl, (void *)&dg_addr, sizeof(dg_addr)) < 0)
		tp_fail("child: connect to the datagram server: %s",
			strerror(errno));
	for (uint64_t k = 0; k < DG_COUNT; k++) {
		unsigned char b[80];
		size_t len = make_msg(k, b);

		if (send(dg_cl, b, len, 0) != (ssize_t)len)
			tp_fail("child: datagram %d: %s", (int)k,
				strerror(errno));
	}
	echo[TCP].c = connect_to(AF_INET, &a, l, "tcp");
	l = sizeof(a);
	if (getsockname(echo[TCP].c, (void *)&a, &l) == 0)
		tcp_cport = ntohs(a.sin_port);
	{
		/* options the restart must keep */
		int one = 1;
		struct timeval tv = { 7, 0 };

		if (setsockopt(echo[TCP].c, IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)) < 0 ||
		    setsockopt(echo[TCP].c, SOL_SOCKET, SO_KEEPALIVE, &one,
			       sizeof(one)) < 0 ||
		    setsockopt(echo[TCP].c, SOL_SOCKET, SO_RCVTIMEO, &tv,
			       sizeof(tv)) < 0)
			tp_fail("child: setsockopt: %s", strerror(errno));
	}
	l = tcp_addr(&a);
	back[BL_TCP].c = connect_to(AF_INET, &a, l, "tcp backlog");
}

static void parent_accept(void)
{
	echo[UN_PATH].p = accept(lpath, NULL, NULL);
	echo[UN_ABSTRACT].p = accept(l_abs, NULL, NULL);
	echo[TCP].p = accept(ltcp, NULL, NULL);
	back[BL_TCP].p = accept(ltcp, NULL, NULL);
	if (echo[UN_PATH].p < 0 || echo[UN_ABSTRACT].p < 0 ||
	    echo[TCP].p < 0 || back[BL_TCP].p < 0)
		tp_fail("parent: accept: %s", strerror(errno));
}

/* New clients after the restarts: the listeners must accept them. */
static void child_new_clients(void)
{
	struct sockaddr_in a;
	socklen_t l = tcp_addr(&a);
	int s[3];
	char buf[16];

	s[0] = connect_to(AF_UNIX, &path_addr, sizeof(path_addr), "new path");
	s[1] = connect_to(AF_UNIX, &abs_addr, abs_len, "new abstract");
	s[2] = connect_to(AF_INET, &a, l, "new tcp");
	for (int i = 0; i < 3; i++) {
		read_all(s[i], buf, 5, "new client");
		if (memcmp(buf, "hello", 5) != 0)
			tp_fail("child: new client %d got '%.5s'", i, buf);
		close(s[i]);
	}
}

static void parent_new_clients(void)
{
	int ls[3] = { lpath, l_abs, ltcp };

	for (int i = 0; i < 3; i++) {
		int s = accept(ls[i], NULL, NULL);

		if (s < 0)
			tp_fail("parent: listener %d does not accept new "
				"clients: %s", i, strerror(errno));
		write_all(s, "hello", 5, "new client");
		close(s);
	}
}

/* two UDP sockets on 127.0.0.1, each connected to the other */
static void udp_pair(struct chan *ch)
{
	struct sockaddr_in a[2];
	int s[2];

	for (int i = 0; i < 2; i++) {
		socklen_t l = sizeof(a[i]);

		memset(&a[i], 0, sizeof(a[i]));
		a[i].sin_family = AF_INET;
		a[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (s[i] < 0 || bind(s[i], (void *)&a[i], sizeof(a[i])) < 0 ||
		    getsockname(s[i], (void *)&a[i], &l) < 0)
			tp_fail("udp %s: %s", ch->name, strerror(errno));
	}
	if (connect(s[0], (void *)&a[1], sizeof(a[1])) < 0 ||
	    connect(s[1], (void *)&a[0], sizeof(a[0])) < 0)
		tp_fail("udp %s: connect: %s", ch->name, strerror(errno));
	ch->p = s[0];
	ch->c = s[1];
}

static void check_options(void)
{
	int nodelay = 0, keepalive = 0;
	struct timeval tv = { 0, 0 };
	socklen_t l = sizeof(int), l2 = sizeof(int), l3 = sizeof(tv);

	if (getsockopt(echo[TCP].c, IPPROTO_TCP, TCP_NODELAY, &nodelay,
		       &l) < 0 ||
	    getsockopt(echo[TCP].c, SOL_SOCKET, SO_KEEPALIVE, &keepalive,
		       &l2) < 0 ||
	    getsockopt(echo[TCP].c, SOL_SOCKET, SO_RCVTIMEO, &tv, &l3) < 0)
		tp_fail("child: getsockopt: %s", strerror(errno));
	if (!nodelay || !keepalive || tv.tv_sec != 7)
		tp_fail("child: tcp options lost: TCP_NODELAY %d SO_KEEPALIVE "
			"%d SO_RCVTIMEO %lds", nodelay, keepalive,
			(long)tv.tv_sec);
}

static void check_path_names(void)
{
	struct sockaddr_un a;
	struct sockaddr_in in;
	socklen_t l = sizeof(a), il = sizeof(in);

	if (getpeername(echo[TCP].c, (void *)&in, &il) < 0 ||
	    ntohs(in.sin_port) != tcp_port)
		tp_fail("child: the tcp connection's peer port is %d, not the "
			"server's %d", ntohs(in.sin_port), tcp_port);
	il = sizeof(in);
	if (getsockname(echo[TCP].c, (void *)&in, &il) == 0)
		printf("child: tcp client port %d %s\n", ntohs(in.sin_port),
		       ntohs(in.sin_port) == tcp_cport ? "kept" :
		       "changed (it was not free at restart)");

	if (getpeername(echo[UN_PATH].c, (void *)&a, &l) < 0 ||
	    strcmp(a.sun_path, path_addr.sun_path) != 0)
		tp_fail("child: the path connection's peer is '%s', not %s",
			l > offsetof(struct sockaddr_un, sun_path) ?
			a.sun_path : "", path_addr.sun_path);
}

static void child(void)
{
	unsigned char b[80];
	int ended = 0;

	child_connect();
	while (ended < NECHO) {
		struct pollfd p[NECHO];

		for (int i = 0; i < NECHO; i++) {
			p[i].fd = echo[i].ended ? -1 : echo[i].c;
			p[i].events = POLLIN;
		}
		if (poll(p, NECHO, 1000) < 0 && errno != EINTR)
			tp_fail("child: poll: %s", strerror(errno));
		for (int i = 0; i < NECHO; i++) {
			struct chan *ch = &echo[i];
			size_t len;
			uint64_t n;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			len = recv_msg(ch, ch->c, b);
			check_msg(ch, b, len, ch->done, "child");
			memcpy(&n, b + 4, 8);
			if (n == END_SEQ) {
				ch->ended = 1;
				ended++;
				continue;
			}
			ch->done++;
			send_msg(ch, ch->c, n);
		}
	}
	for (int i = 0; i < NBACK; i++)
		for (uint64_t k = 0; k < BACKLOG; k++) {
			size_t len = recv_msg(&back[i], back[i].c, b);

			check_msg(&back[i], b, len, k, "child");
		}
	for (int j = 0; j < 2; j++) {
		static unsigned char blk[BULK_UNIX];
		int i = j ? BL_TCP : BL_STREAM;
		size_t len = j ? BULK_TCP : BULK_UNIX;

		read_all(back[i].c, blk, len, back[i].name);
		for (size_t k = 0; k < len; k++)
			if (blk[k] != bulk_byte(k))
				tp_fail("child: %s: bulk byte %zu is %u, not "
					"%u", back[i].name, k, blk[k],
					bulk_byte(k));
	}
	{
		static struct chan in = CH("stdin socketpair", SOCK_STREAM);

		for (uint64_t k = 0; k < 20; k++)
			check_msg(&in, b, recv_msg(&in, 0, b), k, "child");
	}
	check_path_names();
	check_options();
	child_new_clients();
	{
		unsigned char m[80];
		size_t len = make_msg(DG_COUNT, m);

		if (send(dg_cl, m, len, 0) != (ssize_t)len)
			tp_fail("child: datagram after the restarts: %s",
				strerror(errno));
	}
	printf("child: messages echoed:");
	for (int i = 0; i < NECHO; i++)
		printf(" %llu", (unsigned long long)echo[i].done);
	printf(", %d backlog messages\n", NBACK * BACKLOG);
	exit(0);
}

static void pair(struct chan *ch)
{
	int sv[2];

	if (socketpair(AF_UNIX, ch->type, 0, sv) < 0)
		tp_fail("socketpair %s: %s", ch->name, strerror(errno));
	ch->p = sv[0];
	ch->c = sv[1];
}

int main(void)
{
	const char *dir = getenv("TEST_WORKDIR");
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	unsigned char b[80];
	pid_t c;
	int st;

	tp_init("sock_pair");
	signal(SIGPIPE, SIG_IGN);
	for (int i = SP_STREAM; i <= SP_SEQ; i++)
		pair(&echo[i]);
	for (int i = BL_STREAM; i <= BL_SEQ; i++)
		pair(&back[i]);
	udp_pair(&echo[UDP]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, stdin_pair) < 0)
		tp_fail("socketpair stdin: %s", strerror(errno));
	udp_pair(&back[BL_UDP]);
	path_addr.sun_family = AF_UNIX;
	snprintf(path_addr.sun_path, sizeof(path_addr.sun_path),
		 "%s/sock_pair.%d", dir ? dir : "/tmp", (int)getpid());
	unlink(path_addr.sun_path);
	lpath = listen_on(AF_UNIX, &path_addr, sizeof(path_addr));
	abs_addr.sun_family = AF_UNIX;
	abs_len = offsetof(struct sockaddr_un, sun_path) + 1 +
		  snprintf(abs_addr.sun_path + 1, sizeof(abs_addr.sun_path) - 1,
			   "dmtcp-sock_pair-%d", (int)getpid());
	l_abs = listen_on(AF_UNIX, &abs_addr, abs_len);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ltcp = listen_on(AF_INET, &a, sizeof(a));
	dg_addr.sun_family = AF_UNIX;
	snprintf(dg_addr.sun_path, sizeof(dg_addr.sun_path),
		 "%s/sock_pair_dg.%d", dir ? dir : "/tmp", (int)getpid());
	unlink(dg_addr.sun_path);
	dg_srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (dg_srv < 0 ||
	    bind(dg_srv, (void *)&dg_addr, sizeof(dg_addr)) < 0)
		tp_fail("datagram server: %s", strerror(errno));
	if (getsockname(ltcp, (void *)&a, &l) < 0)
		tp_fail("getsockname: %s", strerror(errno));
	tcp_port = ntohs(a.sin_port);
	fflush(stdout);
	c = fork();
	if (c < 0)
		tp_fail("fork: %s", strerror(errno));
	if (c == 0) {
		if (dup2(stdin_pair[1], 0) < 0)
			tp_fail("child: dup2 stdin: %s", strerror(errno));
		child();
	}
	{
		static struct chan in = CH("stdin socketpair", SOCK_STREAM);

		for (uint64_t k = 0; k < 20; k++)
			send_msg(&in, stdin_pair[0], k);
	}
	parent_accept();
	/* the backlog: read by the child only at the very end */
	for (int i = 0; i < NBACK; i++)
		for (uint64_t k = 0; k < BACKLOG; k++)
			send_msg(&back[i], back[i].p, k);
	{
		static unsigned char blk[BULK_UNIX];

		for (size_t k = 0; k < BULK_UNIX; k++)
			blk[k] = bulk_byte(k);
		write_all(back[BL_STREAM].p, blk, BULK_UNIX, "bulk stream");
		write_all(back[BL_TCP].p, blk, BULK_TCP, "bulk tcp");
	}
	tp_ready();
	while (!tp_should_stop()) {
		struct pollfd p[NECHO];

		for (int i = 0; i < NECHO; i++) {
			while (echo[i].sent - echo[i].done < INFLIGHT)
				send_msg(&echo[i], echo[i].p, echo[i].sent++);
			p[i].fd = echo[i].p;
			p[i].events = POLLIN;
		}
		if (poll(p, NECHO, 20) < 0 && errno != EINTR)
			tp_fail("parent: poll: %s", strerror(errno));
		for (int i = 0; i < NECHO; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			check_msg(&echo[i], b, recv_msg(&echo[i], echo[i].p, b),
				  echo[i].done, "parent");
			echo[i].done++;
		}
		tp_sleep_ms(2);
	}
	for (int i = 0; i < NECHO; i++) {
		while (echo[i].done < echo[i].sent) {
			check_msg(&echo[i], b, recv_msg(&echo[i], echo[i].p, b),
				  echo[i].done, "parent");
			echo[i].done++;
		}
		send_msg(&echo[i], echo[i].p, END_SEQ);
	}
	parent_new_clients();
	if (waitpid(c, &st, 0) != c)
		tp_fail("parent: waitpid(%d): %s", (int)c, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		tp_fail("parent: child %d ended with status %#x", (int)c, st);
	{
		static struct chan dg = CH("unix datagram server", SOCK_DGRAM);

		for (uint64_t k = 0; k <= DG_COUNT; k++)
			check_msg(&dg, b, recv_msg(&dg, dg_srv, b), k,
				  "parent");
	}
	unlink(path_addr.sun_path);
	unlink(dg_addr.sun_path);
	{
		unsigned long long total = 0;

		for (int i = 0; i < NECHO; i++)
			total += echo[i].sent;
		printf("parent: %llu messages round trip on %d channels\n",
		       total, NECHO);
	}
	tp_pass();
}
