/*
 * stream_full.c - producers faster than their consumers on every kind of
 * byte stream between two processes (tests/e2e/test-stream_full.sh).
 *
 * A parent and its child keep the queues of these channels full, writing
 * non-blocking as fast as the kernel takes the bytes while the reader at
 * the other end reads a limited amount every 10 ms:
 *   tcp              TCP on 127.0.0.1, child -> parent
 *   tcp-both         TCP, both directions at once
 *   tcp6-both        the same over ::1 (left out, with a note, where the
 *                    host has no IPv6 loopback)
 *   unix-path        UNIX stream connected through a path, both directions
 *   socketpair       socketpair(AF_UNIX, SOCK_STREAM), both directions
 *   tcp-half         TCP: the child writes until the queues are full and
 *                    shuts its writing down (the parent reads those bytes
 *                    slowly, then EOF); parent -> child keeps streaming
 *   unix-half        the same on a socketpair
 *   tcp-oob          TCP child -> parent with urgent bytes (MSG_OOB): the
 *                    child sends one at a word boundary, the parent
 *                    checks at the mark (SIOCATMARK) that it is the next
 *                    one and acknowledges it on the other direction
 *   pipe-1m          pipe child -> parent, F_SETPIPE_SZ 1 MiB
 *   pipe             pipe parent -> child, default size
 *   fifo             named pipe child -> parent
 * Every stream is a little-endian 64-bit counter (word j = j ^ key << 56):
 * each reader checks every byte, so a gap, a duplicate or a reordering is
 * reported with the stream and the position.  On the stop file the
 * writers stop (shutdown/close), the readers read to EOF, the child
 * writes its counts (bytes written and read per stream, urgent byte
 * positions) to $TEST_WORKDIR/stream_full.child and the parent compares
 * them with its own: every byte written was read exactly once, every
 * urgent byte arrived once at the position it was sent from.
 *
 * Arguments: names of the channels to use (default: all).
 */
#include "testprog.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

enum kind { K_TCP, K_TCP6, K_UNIX_PATH, K_PAIR, K_PIPE, K_FIFO };
enum { C2P = 1, P2C = 2 };

struct chan {
	const char *name;
	enum kind kind;
	int dirs;		/* streams: C2P | P2C */
	int half;		/* the child shuts C2P down once full */
	int oob;		/* urgent bytes on C2P, acks on P2C */
	int pipe_size;		/* F_SETPIPE_SZ, 0: default */
	int sndbuf;		/* the child's SO_SNDBUF, 0: default */
	int rate;		/* reader: bytes per 10 ms tick */
	int used;
	int pfd, cfd;		/* the parent's and the child's end */
};

#define CHAN(n, k, d, half, oob, psz, sb, rate) \
	{ n, k, d, half, oob, psz, sb, rate, 0, -1, -1 }
static struct chan chans[] = {
	CHAN("tcp", K_TCP, C2P, 0, 0, 0, 0, 64 << 10),
	CHAN("tcp-both", K_TCP, C2P | P2C, 0, 0, 0, 0, 32 << 10),
	CHAN("tcp6-both", K_TCP6, C2P | P2C, 0, 0, 0, 0, 16 << 10),
	CHAN("unix-path", K_UNIX_PATH, C2P | P2C, 0, 0, 0, 0, 16 << 10),
	CHAN("socketpair", K_PAIR, C2P | P2C, 0, 0, 0, 0, 16 << 10),
	CHAN("tcp-half", K_TCP, C2P | P2C, 1, 0, 0, 0, 4 << 10),
	CHAN("unix-half", K_PAIR, C2P | P2C, 1, 0, 0, 1 << 20, 1 << 10),
	CHAN("tcp-oob", K_TCP, C2P, 0, 1, 0, 0, 128 << 10),
	CHAN("pipe-1m", K_PIPE, C2P, 0, 0, 1 << 20, 0, 32 << 10),
	CHAN("pipe", K_PIPE, P2C, 0, 0, 0, 0, 8 << 10),
	CHAN("fifo", K_FIFO, C2P, 0, 0, 0, 0, 8 << 10),
};
#define NCH ((int)(sizeof(chans) / sizeof(chans[0])))
#define MAXOOB 4096

/* one direction of a channel, as seen by one process */
struct stream {
	int fd;
	int writing;		/* this process writes it (else reads) */
	uint64_t pos;		/* bytes written / bytes checked */
	int done;		/* writer: shut down / closed; reader: EOF */
	int budget;		/* reader: bytes left for this tick */
	uint64_t key;
};

/* what the child reports at the end */
struct report {
	uint64_t magic;
	uint64_t wrote[NCH][2], read[NCH][2];	/* [ch][0]: C2P, [1]: P2C */
	uint64_t half_bytes[NCH];		/* written before SHUT_WR */
	uint32_t noob;
	uint64_t oob_pos[MAXOOB];
};

static int is_child, tp_stop_pending;
static struct report rep;		/* this process's counts */
static uint64_t oob_pos[MAXOOB];	/* parent: where marks were seen */
static uint32_t noob_seen, noob_sent, noob_acked;
static uint64_t next_oob = 4096;
static unsigned char buf[256 << 10], want[256 << 10];

static const char *who(void)
{
	return is_child ? "child" : "parent";
}

static uint64_t stream_key(int ch, int dir)
{
	return (uint64_t)(ch * 2 + (dir == P2C) + 1);
}

static void fill(unsigned char *b, uint64_t pos, size_t len, uint64_t key)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t p = pos + i, w = (p >> 3) ^ (key << 56);

		b[i] = (unsigned char)(w >> (8 * (p & 7)));
	}
}

static void check(const struct chan *c, int dir, uint64_t key, uint64_t pos,
		  const unsigned char *got, size_t len)
{
	fill(want, pos, len, key);
	if (memcmp(got, want, len) == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		if (got[i] == want[i])
			continue;
		uint64_t w = 0;
		size_t at = i & ~(size_t)7;

		if (at + 8 <= len && ((pos + at) & 7) == 0)
			memcpy(&w, got + at, 8);
		tp_fail("%s: %s %s: byte %llu is %#x, expected %#x (word "
			"there holds %#llx, expected counter %llu): bytes lost, "
			"duplicated or reordered", who(), c->name,
			dir == C2P ? "child->parent" : "parent->child",
			(unsigned long long)(pos + i), got[i], want[i],
			(unsigned long long)w,
			(unsigned long long)((pos + i) >> 3));
	}
}

static void nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	TP_CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0,
		 "fcntl: %s", strerror(errno));
}

static int tcp_listener(struct sockaddr_in *a)
{
	socklen_t l = sizeof(*a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	TP_CHECK(s >= 0 && bind(s, (void *)a, sizeof(*a)) == 0 &&
		 listen(s, 8) == 0 && getsockname(s, (void *)a, &l) == 0,
		 "tcp listener: %s", strerror(errno));
	return s;
}

/* A listener on ::1, or -1 when the host has no IPv6 loopback. */
static int tcp6_listener(struct sockaddr_in6 *a)
{
	socklen_t l = sizeof(*a);
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_addr = in6addr_loopback;
	if (s >= 0 && bind(s, (void *)a, sizeof(*a)) == 0 &&
	    listen(s, 8) == 0 && getsockname(s, (void *)a, &l) == 0)
		return s;
	if (s >= 0)
		close(s);
	return -1;
}

static void connect_pair(int l, const void *addr, socklen_t len, int dom,
			 struct chan *c)
{
	c->cfd = socket(dom, SOCK_STREAM | SOCK_CLOEXEC, 0);
	TP_CHECK(c->cfd >= 0 && connect(c->cfd, addr, len) == 0,
		 "%s: connect: %s", c->name, strerror(errno));
	c->pfd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	TP_CHECK(c->pfd >= 0, "%s: accept: %s", c->name, strerror(errno));
}

static void setup(const char *dir)
{
	struct sockaddr_in tcp;
	struct sockaddr_in6 tcp6;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int ltcp = tcp_listener(&tcp), ltcp6 = tcp6_listener(&tcp6), lun = -1;

	snprintf(un.sun_path, sizeof(un.sun_path), "%s/stream_full.sock", dir);
	unlink(un.sun_path);
	for (int i = 0; i < NCH; i++) {
		struct chan *c = &chans[i];
		int p[2];

		if (!c->used)
			continue;
		switch (c->kind) {
		case K_TCP:
			connect_pair(ltcp, &tcp, sizeof(tcp), AF_INET, c);
			break;
		case K_TCP6:
			if (ltcp6 < 0) {
				printf("note: no IPv6 loopback: %s left out\n",
				       c->name);
				c->used = 0;
				continue;
			}
			connect_pair(ltcp6, &tcp6, sizeof(tcp6), AF_INET6, c);
			break;
		case K_UNIX_PATH:
			lun = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			TP_CHECK(lun >= 0 && bind(lun, (void *)&un,
						  sizeof(un)) == 0 &&
				 listen(lun, 1) == 0, "unix listener %.200s: %s",
				 un.sun_path, strerror(errno));
			connect_pair(lun, &un, sizeof(un), AF_UNIX, c);
			close(lun);
			break;
		case K_PAIR:
			TP_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					    0, p) == 0, "socketpair: %s",
				 strerror(errno));
			c->pfd = p[0];
			c->cfd = p[1];
			break;
		case K_PIPE:
			TP_CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe: %s",
				 strerror(errno));
			if (c->pipe_size)
				TP_CHECK(fcntl(p[1], F_SETPIPE_SZ,
					       c->pipe_size) >= c->pipe_size,
					 "F_SETPIPE_SZ %d: %s", c->pipe_size,
					 strerror(errno));
			if (c->dirs == C2P) {
				c->pfd = p[0];
				c->cfd = p[1];
			} else {
				c->pfd = p[1];
				c->cfd = p[0];
			}
			break;
		case K_FIFO: {
			char path[4096];

			snprintf(path, sizeof(path), "%s/stream_full.fifo",
				 dir);
			unlink(path);
			TP_CHECK(mkfifo(path, 0600) == 0, "mkfifo %.200s: %s",
				 path, strerror(errno));
			/* read end first (non-blocking open), then the
			   write end, which finds a reader */
			c->pfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			c->cfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
			TP_CHECK(c->pfd >= 0 && c->cfd >= 0, "open %.200s: %s",
				 path, strerror(errno));
			break;
		}
		}
		if (c->sndbuf)
			TP_CHECK(setsockopt(c->cfd, SOL_SOCKET, SO_SNDBUF,
					    &c->sndbuf, sizeof(c->sndbuf)) == 0,
				 "SO_SNDBUF: %s", strerror(errno));
		nonblock(c->pfd);
		nonblock(c->cfd);
	}
	close(ltcp);
	if (ltcp6 >= 0)
		close(ltcp6);
}

/* Write as much as the kernel takes (at most 4 MiB): bytes written. */
static size_t do_write(struct chan *c, int ci, struct stream *s, int dir)
{
	size_t budget = 4u << 20, total = budget;

	while (budget > 0) {
		size_t len = sizeof(buf);
		ssize_t n;

		if (c->oob && is_child && !tp_stop_pending) {
			/* an urgent byte once the last one was acknowledged,
			   at a word boundary of the in-band stream */
			if (noob_sent == noob_acked && s->pos >= next_oob &&
			    noob_sent < MAXOOB) {
				if (s->pos & 7) {
					len = 8 - (s->pos & 7);
				} else {
					unsigned char v = (unsigned char)
						(noob_sent + 1);

					n = send(s->fd, &v, 1, MSG_OOB |
						 MSG_NOSIGNAL | MSG_DONTWAIT);
					if (n < 0 && (errno == EAGAIN ||
						      errno == EINTR))
						return total - budget;
					TP_CHECK(n == 1, "%s: send MSG_OOB: %s",
						 c->name, strerror(errno));
					rep.oob_pos[noob_sent++] = s->pos;
					next_oob = s->pos + (64 << 10);
					continue;
				}
			}
		}
		if (len > budget)
			len = budget;
		fill(buf, s->pos, len, s->key);
		if (c->kind == K_PIPE || c->kind == K_FIFO)
			n = write(s->fd, buf, len);
		else
			n = send(s->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return total - budget;
		TP_CHECK(n > 0, "%s: %s: write: %s", who(), c->name,
			 n < 0 ? strerror(errno) : "0");
		s->pos += n;
		budget -= n;
		rep.wrote[ci][dir == P2C] = s->pos;
	}
	return total - budget;
}

static void oob_at_mark(struct chan *c, struct stream *s)
{
	unsigned char v, ack;
	int at = 0;
	ssize_t n;

	if (ioctl(s->fd, SIOCATMARK, &at) < 0 || !at)
		return;
	if (noob_seen && oob_pos[noob_seen - 1] == s->pos)
		return;		/* this mark's byte was taken already */
	n = recv(s->fd, &v, 1, MSG_OOB);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 && errno == EINVAL)
		tp_fail("parent: %s: at the mark at byte %llu but no urgent "
			"byte to read (lost, or read twice)", c->name,
			(unsigned long long)s->pos);
	TP_CHECK(n == 1, "%s: recv MSG_OOB: %s", c->name, strerror(errno));
	TP_CHECK(v == (unsigned char)(noob_seen + 1) && noob_seen < MAXOOB,
		 "%s: urgent byte %u at byte %llu, expected %u (lost or "
		 "duplicated)", c->name, v, (unsigned long long)s->pos,
		 (unsigned)(unsigned char)(noob_seen + 1));
	oob_pos[noob_seen++] = s->pos;
	/* the acknowledgement goes the other way on the same connection */
	ack = v;
	if (!tp_stop_pending)
		while ((n = send(s->fd, &ack, 1, MSG_NOSIGNAL)) < 0 &&
		       errno == EINTR)
			;
}

static void do_read(struct chan *c, int ci, struct stream *s, int dir,
		    int unlimited)
{
	while (unlimited || s->budget > 0) {
		size_t len = sizeof(buf);
		ssize_t n;

		if (!unlimited && len > (size_t)s->budget)
			len = s->budget;
		if (c->oob && !is_child)
			oob_at_mark(c, s);
		n = read(s->fd, buf, len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		TP_CHECK(n >= 0, "%s: %s: read: %s", who(), c->name,
			 strerror(errno));
		if (n == 0) {
			s->done = 1;
			return;
		}
		check(c, dir, s->key, s->pos, buf, n);
		s->pos += n;
		s->budget -= n;
		rep.read[ci][dir == P2C] = s->pos;
	}
}

/* the child reads acks of urgent bytes on the OOB channel's P2C side */
static void read_acks(struct chan *c, int fd, int *eof)
{
	unsigned char a[64];
	ssize_t n;

	while ((n = read(fd, a, sizeof(a))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			TP_CHECK(a[i] == (unsigned char)(noob_acked + 1) &&
				 noob_acked < noob_sent,
				 "%s: ack %u, expected %u", c->name, a[i],
				 (unsigned)(unsigned char)(noob_acked + 1));
			noob_acked++;
		}
	if (n == 0)
		*eof = 1;
}

static void run(void)
{
	struct stream st[NCH][2];
	int ack_eof = 0, half_left = 0;
	double last_tick = 0, stop_check = 0, full_since[NCH];
	const char *dir = getenv("TEST_WORKDIR");
	char path[4096];

	memset(st, 0, sizeof(st));
	for (int i = 0; i < NCH; i++) {
		struct chan *c = &chans[i];

		full_since[i] = 0;
		for (int d = 0; d < 2; d++) {
			int bit = d ? P2C : C2P;
			struct stream *s = &st[i][d];

			s->fd = -1;
			s->done = 1;
			if (!c->used || !(c->dirs & bit))
				continue;
			s->fd = is_child ? c->cfd : c->pfd;
			s->writing = is_child == (bit == C2P);
			s->done = 0;
			s->key = stream_key(i, bit);
		}
		if (c->used && c->half && is_child)
			half_left++;
	}
	for (;;) {
		struct pollfd pf[NCH * 2 + 1];
		int np = 0, busy = 0;
		double now = tp_now();

		if (now - stop_check > 0.02) {
			stop_check = now;
			if (!tp_stop_pending && tp_should_stop()) {
				tp_stop_pending = 1;
				/* writers stop; readers drain to EOF */
				for (int i = 0; i < NCH; i++)
					for (int d = 0; d < 2; d++) {
						struct stream *s = &st[i][d];

						if (!s->writing || s->done)
							continue;
						if (chans[i].kind == K_PIPE ||
						    chans[i].kind == K_FIFO)
							close(s->fd);
						else
							shutdown(s->fd,
								 SHUT_WR);
						s->done = 1;
					}
				/* no more acknowledgements of urgent bytes */
				for (int i = 0; i < NCH; i++)
					if (!is_child && chans[i].used &&
					    chans[i].oob)
						shutdown(chans[i].pfd, SHUT_WR);
			}
		}
		if (now - last_tick >= 0.01) {
			last_tick = now;
			for (int i = 0; i < NCH; i++)
				for (int d = 0; d < 2; d++)
					st[i][d].budget = chans[i].rate;
		}
		for (int i = 0; i < NCH; i++) {
			struct chan *c = &chans[i];

			for (int d = 0; d < 2; d++) {
				struct stream *s = &st[i][d];

				if (s->done)
					continue;
				busy = 1;
				if (s->writing) {
					size_t n = do_write(c, i, s,
							    d ? P2C : C2P);

					if (c->half && d == 0 && is_child) {
						/* full for 200 ms: shut down */
						if (n || !full_since[i])
							full_since[i] = now;
						if (now - full_since[i] < 0.2)
							continue;
						TP_CHECK(shutdown(s->fd,
								  SHUT_WR) == 0,
							 "%s: shutdown: %s",
							 c->name,
							 strerror(errno));
						rep.half_bytes[i] = s->pos;
						s->done = 1;
						if (--half_left == 0) {
							/* tell the parent */
							snprintf(path,
								 sizeof(path),
								 "%s/stream_full.half",
								 dir ? dir : ".");
							close(open(path,
								   O_CREAT |
								   O_WRONLY,
								   0600));
						}
						continue;
					}
					pf[np].fd = s->fd;
					pf[np++].events = POLLOUT;
				} else {
					do_read(c, i, s, d ? P2C : C2P,
						tp_stop_pending);
					if (s->done)
						continue;
					pf[np].fd = s->fd;
					pf[np++].events = POLLIN | POLLPRI;
				}
			}
			if (c->used && c->oob && is_child && !ack_eof) {
				read_acks(c, c->cfd, &ack_eof);
				busy = 1;
			}
		}
		if (!busy)
			break;
		if (poll(pf, np, 10) < 0 && errno != EINTR)
			tp_fail("%s: poll: %s", who(), strerror(errno));
	}
}

static int parse_args(int argc, char **argv)
{
	int n = 0;

	for (int i = 0; i < NCH; i++)
		chans[i].used = argc <= 1;
	for (int a = 1; a < argc; a++) {
		int found = 0;

		for (int i = 0; i < NCH; i++)
			if (strcmp(argv[a], chans[i].name) == 0)
				chans[i].used = found = 1;
		TP_CHECK(found, "unknown channel %s", argv[a]);
	}
	for (int i = 0; i < NCH; i++)
		n += chans[i].used;
	return n;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TEST_WORKDIR");
	char path[4096], half[4096];
	struct report child;
	pid_t pid;
	int st, fd;

	tp_init("stream_full");
	signal(SIGPIPE, SIG_IGN);
	if (!dir)
		dir = ".";
	TP_CHECK(parse_args(argc, argv) > 0, "no channel");
	snprintf(path, sizeof(path), "%s/stream_full.child", dir);
	snprintf(half, sizeof(half), "%s/stream_full.half", dir);
	unlink(path);
	unlink(half);
	setup(dir);
	rep.magic = 0x53464c4cu;
	pid = fork();
	TP_CHECK(pid >= 0, "fork: %s", strerror(errno));
	is_child = pid == 0;
	for (int i = 0; i < NCH; i++) {
		struct chan *c = &chans[i];

		if (!c->used)
			continue;
		close(is_child ? c->pfd : c->cfd);
	}
	if (is_child) {
		run();
		rep.noob = noob_sent;
		fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
		if (fd < 0 || tp_write_full(fd, &rep, sizeof(rep)) < 0)
			tp_fail("child: cannot write %s: %s", path,
				strerror(errno));
		close(fd);
		_exit(0);
	}
	/* READY once the half-closed channels are shut and full */
	{
		int any_half = 0;

		for (int i = 0; i < NCH; i++)
			any_half |= chans[i].used && chans[i].half;
		if (any_half) {
			double t0 = tp_now();

			while (access(half, F_OK) != 0) {
				TP_CHECK(tp_now() - t0 < 60, "the child never "
					 "shut its half-closed channels down");
				TP_CHECK(waitpid(pid, &st, WNOHANG) == 0,
					 "child died: %#x", st);
				tp_sleep_ms(10);
			}
		}
	}
	tp_ready();
	run();
	TP_CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	TP_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the child failed (status %#x)", st);
	fd = open(path, O_RDONLY);
	TP_CHECK(fd >= 0 && tp_read_full(fd, &child, sizeof(child)) ==
		 (ssize_t)sizeof(child) && child.magic == rep.magic,
		 "cannot read the child's counts from %.200s", path);
	close(fd);
	for (int i = 0; i < NCH; i++) {
		const struct chan *c = &chans[i];

		if (!c->used)
			continue;
		/* each way: the reader read what the writer wrote */
		for (int d = 0; d < 2; d++) {
			const struct report *w = d ? &rep : &child;
			const struct report *r = d ? &child : &rep;

			if (!(c->dirs & (d ? P2C : C2P)))
				continue;
			TP_CHECK(r->read[i][d] == w->wrote[i][d],
				 "%s: %s wrote %llu bytes, %s read %llu",
				 c->name, d ? "parent" : "child",
				 (unsigned long long)w->wrote[i][d],
				 d ? "child" : "parent",
				 (unsigned long long)r->read[i][d]);
			TP_CHECK(r->read[i][d] > 0, "%s: nothing moved",
				 c->name);
		}
		if (c->half)
			TP_CHECK(child.half_bytes[i] == child.wrote[i][0],
				 "%s: wrote after shutdown", c->name);
		printf("%s: child->parent %llu, parent->child %llu bytes\n",
		       c->name, (unsigned long long)rep.read[i][0],
		       (unsigned long long)child.read[i][1]);
		if (c->oob) {
			TP_CHECK(child.noob == noob_seen, "%s: %u urgent bytes "
				 "sent, %u seen", c->name, child.noob,
				 noob_seen);
			for (uint32_t k = 0; k < noob_seen; k++)
				TP_CHECK(child.oob_pos[k] == oob_pos[k],
					 "%s: urgent byte %u sent at %llu, "
					 "seen at %llu", c->name, k + 1,
					 (unsigned long long)child.oob_pos[k],
					 (unsigned long long)oob_pos[k]);
			TP_CHECK(noob_seen > 0, "%s: no urgent byte", c->name);
			printf("%s: %u urgent bytes\n", c->name, noob_seen);
		}
	}
	tp_pass();
}
