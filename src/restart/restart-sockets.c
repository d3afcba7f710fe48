/*
 * restart-sockets.c - connected sockets of a restart (doc/sockets.md).
 *
 * Every connected socket named in the images is recreated here, once,
 * before the processes exist, and given by rst_place_pipes() to each
 * fd that had it (a socket shared after fork stays one socket):
 *
 * - both ends in the computation (AF_UNIX: the inodes name each other;
 *   TCP/UDP: the address pairs match): a new connection between the
 *   two, a socketpair() for AF_UNIX (connected through the listener's
 *   name when the accepting side had one, so getsockname/getpeername
 *   stay the same), a loopback TCP connection on the same ports when
 *   they are free (else the client side gets a new port), two UDP
 *   sockets bound and connected to each other;
 * - the bytes each end had queued for reading (saved with MSG_PEEK by
 *   the owner, stored after its img_fd) are written back from the
 *   other end, in order and with message boundaries, then the
 *   shutdown() state is applied;
 * - peer outside the computation (or gone): AF_UNIX stream/seqpacket
 *   and TCP come back as a connection that was closed/reset by the
 *   peer: queued bytes first, then EOF (AF_UNIX) or ECONNRESET and EOF
 *   (TCP), writes fail with EPIPE; datagram sockets are connected to
 *   the peer's address again (a UNIX one by path, e.g. /dev/log).
 *
 * Nothing here blocks without a bound.
 */
#include "config.h"
#include "restart.h"
#include "restart-sockets.h"
#include "dmtcp/fds.h"
#include "img.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SK_FD_BASE 500		/* like restart-fds.c's copies */
#define MAX_SOCKS 512
#define SK_WAIT_MS 3000

struct sk {
	const struct img_meta_fd *mf;	/* first entry seen */
	const struct img_meta_fd *data;	/* the owner's entry (queued data) */
	const char *image;		/* for messages */
	int pid;
	int peer;		/* index in sks, -1: outside the computation */
	int fd;			/* the recreated socket, -1 */
};

static struct sk sks[MAX_SOCKS];
static int nsk;

/* a listener, or a bound UDP socket: bound again, shared by all holders */
static int is_bound_only(const struct img_fd *f)
{
	if (f->sk_flags & IMG_SK_LISTEN)
		return f->sk_addr_len > sizeof(sa_family_t);
	return !(f->sk_flags & IMG_SK_CONNECTED) && f->sk_type == SOCK_DGRAM &&
	       f->sk_addr_len > sizeof(sa_family_t);
}

static int handled(const struct img_fd *f)
{
	return f->kind == IMG_FD_SOCKET &&
	       ((f->sk_flags & IMG_SK_CONNECTED) || is_bound_only(f)) &&
	       (f->sk_domain == AF_UNIX || f->sk_domain == AF_INET ||
		f->sk_domain == AF_INET6) &&
	       (f->sk_type == SOCK_STREAM || f->sk_type == SOCK_DGRAM ||
		f->sk_type == SOCK_SEQPACKET);
}

static struct sk *find(const struct img_fd *f)
{
	for (int i = 0; i < nsk; i++)
		if (sks[i].mf->fd.inode == f->inode &&
		    sks[i].mf->fd.dev == f->dev)
			return &sks[i];
	return NULL;
}

static int same_addr(const unsigned char *a, uint32_t al,
		     const unsigned char *b, uint32_t bl)
{
	return al && al == bl && memcmp(a, b, al) == 0;
}

static int is_peer(const struct sk *x, const struct sk *y)
{
	const struct img_meta_fd *a = x->mf, *b = y->mf;

	if (a->fd.sk_domain != b->fd.sk_domain ||
	    a->fd.sk_type != b->fd.sk_type)
		return 0;
	if (a->fd.sk_domain == AF_UNIX)
		return a->fd.sk_peer_inode && b->fd.sk_peer_inode &&
		       a->fd.sk_peer_inode == b->fd.inode &&
		       b->fd.sk_peer_inode == a->fd.inode;
	return same_addr(a->sk_addr, a->fd.sk_addr_len, b->sk_peer,
			 b->fd.sk_peer_len) &&
	       same_addr(a->sk_peer, a->fd.sk_peer_len, b->sk_addr,
			 b->fd.sk_addr_len);
}

/* The port of an AF_INET/AF_INET6 address, 0 if none. */
static int port_of(const unsigned char *a, uint32_t len)
{
	const struct sockaddr_in *in = (const void *)a;
	const struct sockaddr_in6 *in6 = (const void *)a;

	if (len >= sizeof(*in) && in->sin_family == AF_INET)
		return ntohs(in->sin_port);
	if (len >= sizeof(*in6) && in6->sin6_family == AF_INET6)
		return ntohs(in6->sin6_port);
	return 0;
}

/* Does an image listen on the port of this address (a server side)? */
static int listened(struct img_meta **metas, int n, const struct sk *x)
{
	int port = port_of(x->mf->sk_addr, x->mf->fd.sk_addr_len);

	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < metas[i]->nfds; k++) {
			const struct img_meta_fd *m = &metas[i]->fds[k];

			if (m->fd.kind == IMG_FD_SOCKET &&
			    (m->fd.sk_flags & IMG_SK_LISTEN) &&
			    m->fd.sk_domain == x->mf->fd.sk_domain &&
			    port_of(m->sk_addr, m->fd.sk_addr_len) == port)
				return 1;
		}
	return 0;
}

static int wait_fd(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, SK_WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* connect() with a bound: 0 or -1 */
static int connect_bounded(int s, const void *addr, socklen_t len)
{
	int fl = fcntl(s, F_GETFL), err = 0;
	socklen_t el = sizeof(err);

	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	if (connect(s, addr, len) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		if (wait_fd(s, POLLOUT) < 0)
			return -1;
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			return -1;
		if (err) {
			errno = err;
			return -1;
		}
	}
	fcntl(s, F_SETFL, fl);
	return 0;
}

static int accept_bounded(int l)
{
	if (wait_fd(l, POLLIN) < 0)
		return -1;
	return accept4(l, NULL, NULL, SOCK_CLOEXEC);
}

/* A loopback address of domain d, port 0. */
static socklen_t loopback(int d, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (d == AF_INET6) {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(struct sockaddr_in);
}

static int new_sock(int d, int t)
{
	int one = 1, s = socket(d, t | SOCK_CLOEXEC, 0);

	if (s >= 0 && d != AF_UNIX)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return s;
}

/* bind to the address the socket had, else a loopback one */
static int bind_as(int s, const struct sk *x, int exact_only)
{
	struct sockaddr_storage ss;
	socklen_t l;

	if (x->mf->fd.sk_addr_len && bind(s, (const void *)x->mf->sk_addr,
					  x->mf->fd.sk_addr_len) == 0)
		return 0;
	if (exact_only)
		return -1;
	pr_debug("%s: fd %d: cannot bind to its old address (%s): a new "
		 "port", x->image, x->mf->fd.fd, strerror(errno));
	l = loopback(x->mf->fd.sk_domain, &ss);
	return bind(s, (void *)&ss, l);
}

/* SO_SNDBUF or SO_RCVBUF of at least v bytes (the kernel doubles the
   value; never smaller than it is): FORCE where allowed, else up to
   the sysctl's limit */
static void set_buf(int fd, int opt, int force, int v)
{
	int cur = 0;
	socklen_t l = sizeof(cur);

	if (fd < 0 || v <= 0 ||
	    (getsockopt(fd, SOL_SOCKET, opt, &cur, &l) == 0 && cur >= 2 * v))
		return;
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

/*
 * A side that will write again the bytes its peer drained at checkpoint
 * time (IMG_SK_RESEND, src/preload/fd/socket.c): they were in the old
 * connection's buffers, so the new one gets buffers as large as the old
 * ones had grown (recorded sizes, before the connection is made so that
 * the window follows), within what the user may set.
 */
static int resend_pair(const struct sk *x, const struct sk *y)
{
	return ((x->mf->fd.sk_flags | y->mf->fd.sk_flags) & IMG_SK_RESEND) &&
	       x->mf->fd.sk_domain != AF_UNIX;
}

static void size_like(int s, const struct sk *x)
{
	/* the kernel doubles what it is given: the same size again (not
	   more, or they would grow at every restart) */
	set_buf(s, SO_SNDBUF, SO_SNDBUFFORCE, (int)(x->mf->fd.sk_sndbuf / 2));
	set_buf(s, SO_RCVBUF, SO_RCVBUFFORCE, (int)(x->mf->fd.sk_rcvbuf / 2));
}

/* "cannot recreate its <what>" (errno's reason) for x's fd; closes the
   sockets a and b that were made (-1: none).  -1. */
static int pair_failed(const struct sk *x, const char *what, int a, int b)
{
	pr_warn("%s: fd %d: cannot recreate its %s: %s", x->image,
		x->mf->fd.fd, what, strerror(errno));
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return -1;
}

/*
 * A TCP connection from `cl` to `sv` (sv's port when it is free), on
 * loopback if their addresses are gone; `sized`: buffers as recorded.
 * 0 with both fds, or -1.
 */
static int tcp_pair(const struct sk *sv, const struct sk *cl, int *sfd,
		    int *cfd, int sized)
{
	int d = sv->mf->fd.sk_domain;
	int l = new_sock(d, SOCK_STREAM), c = -1, a = -1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (sized)
		size_like(l, sv);	/* the accepted socket inherits them */
	if (l < 0 || bind_as(l, sv, 0) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (void *)&ss, &sl) < 0)
		goto fail;
	for (int attempt = 0; attempt < 2; attempt++) {
		c = new_sock(d, SOCK_STREAM);
		if (c < 0)
			goto fail;
		if (sized)
			size_like(c, cl);
		/* the client's own port, when it is free */
		if (attempt == 0 && bind_as(c, cl, 1) < 0)
			attempt = 1;
		if (connect_bounded(c, &ss, sl) == 0)
			break;
		pr_debug("%s: fd %d: connect to the restored peer: %s%s",
			 cl->image, cl->mf->fd.fd, strerror(errno),
			 attempt ? "" : "; again from a new port");
		close(c);
		c = -1;
	}
	if (c < 0)
		goto fail;
	a = accept_bounded(l);
	if (a < 0)
		goto fail;
	close(l);
	*sfd = a;
	*cfd = c;
	return 0;
fail:
	return pair_failed(cl, "TCP connection", l, c);
}

/* UDP: each bound to its address and connected to the other's. */
static int udp_pair(const struct sk *x, const struct sk *y, int *xfd,
		    int *yfd)
{
	int d = x->mf->fd.sk_domain;
	int a = new_sock(d, SOCK_DGRAM), b = new_sock(d, SOCK_DGRAM);
	struct sockaddr_storage sa, sb;
	socklen_t la = sizeof(sa), lb = sizeof(sb);

	if (a < 0 || b < 0 || bind_as(a, x, 0) < 0 || bind_as(b, y, 0) < 0 ||
	    getsockname(a, (void *)&sa, &la) < 0 ||
	    getsockname(b, (void *)&sb, &lb) < 0 ||
	    connect(a, (void *)&sb, lb) < 0 || connect(b, (void *)&sa, la) < 0)
		return pair_failed(x, "UDP association", a, b);
	*xfd = a;
	*yfd = b;
	return 0;
}

/*
 * AF_UNIX stream/seqpacket: connect through the name the accepting side
 * had (`sv`'s own address, the other's peer address), so both ends keep
 * their addresses.  0, or -1 (the caller makes a plain socketpair).
 */
static int unix_named_pair(const struct sk *sv, const struct sk *cl,
			   int *sfd, int *cfd)
{
	const struct sockaddr_un *un = (const void *)sv->mf->sk_addr;
	socklen_t len = sv->mf->fd.sk_addr_len;
	int t = sv->mf->fd.sk_type, l, c = -1, a = -1, existed = 0;
	struct stat st;

	if (len <= sizeof(sa_family_t))
		return -1;
	if (un->sun_path[0]) {
		if (lstat(un->sun_path, &st) == 0) {
			int probe = socket(AF_UNIX, t | SOCK_CLOEXEC |
					   SOCK_NONBLOCK, 0);
			int live = probe >= 0 &&
				   (connect(probe, (const void *)un, len) == 0 ||
				    errno == EAGAIN);

			if (probe >= 0)
				close(probe);
			if (!S_ISSOCK(st.st_mode) || live)
				return -1;	/* not ours to replace */
			existed = 1;	/* the dead listener's file */
			unlink(un->sun_path);
		}
	}
	l = socket(AF_UNIX, t | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -1;
	if (bind(l, (const void *)un, len) < 0 || listen(l, 1) < 0)
		goto out;
	c = socket(AF_UNIX, t | SOCK_CLOEXEC, 0);
	if (c < 0 || connect_bounded(c, un, len) < 0)
		goto out;
	a = accept_bounded(l);
out:
	if (a < 0)
		pr_debug("%s: fd %d: cannot reconnect through its name: %s",
			 cl->image, cl->mf->fd.fd, strerror(errno));
	close(l);
	/* the program had removed the name: so do we (a listener that is
	   restored binds it again by itself) */
	if (un->sun_path[0] && !existed)
		unlink(un->sun_path);
	if (a < 0) {
		if (c >= 0)
			close(c);
		return -1;
	}
	*sfd = a;
	*cfd = c;
	return 0;
}

static int unix_pair(const struct sk *x, const struct sk *y, int *xfd,
		     int *yfd)
{
	int sv[2], t = x->mf->fd.sk_type;

	if (t != SOCK_DGRAM) {
		if (same_addr(x->mf->sk_addr, x->mf->fd.sk_addr_len,
			      y->mf->sk_peer, y->mf->fd.sk_peer_len) &&
		    unix_named_pair(x, y, xfd, yfd) == 0)
			return 0;
		if (same_addr(y->mf->sk_addr, y->mf->fd.sk_addr_len,
			      x->mf->sk_peer, x->mf->fd.sk_peer_len) &&
		    unix_named_pair(y, x, yfd, xfd) == 0)
			return 0;
	}
	if (socketpair(AF_UNIX, t | SOCK_CLOEXEC, 0, sv) < 0) {
		pr_warn("%s: fd %d: socketpair: %s", x->image, x->mf->fd.fd,
			strerror(errno));
		return -1;
	}
	*xfd = sv[0];
	*yfd = sv[1];
	return 0;
}

/* room for `need` bytes in all: the writer's send buffer, the reader's
   receive buffer (TCP) */
static void grow_buffers(int wfd, int rfd, uint64_t need)
{
	int v = need > (64u << 20) ? (64 << 20) : (int)need + 65536;

	set_buf(wfd, SO_SNDBUF, SO_SNDBUFFORCE, v);
	set_buf(rfd, SO_RCVBUF, SO_RCVBUFFORCE, v);
}

/*
 * Write x's queued bytes into wfd (the other end of x's new socket,
 * rfd), in order, keeping message boundaries.  Never blocks.
 */
static void refill(const struct sk *x, int wfd, int rfd)
{
	const struct img_meta_fd *m = x->data;
	const unsigned char *p, *end;
	int stream, fl, grown = 0;

	if (!m || !m->fd.sk_data_len)
		return;
	stream = m->fd.sk_type == SOCK_STREAM;
	p = m->sk_data;
	end = p + m->fd.sk_data_len;
	fl = fcntl(wfd, F_GETFL);
	fcntl(wfd, F_SETFL, fl | O_NONBLOCK);
	while (p < end) {
		uint32_t len = end - p;
		const unsigned char *b = p;
		ssize_t n;

		if (!stream) {
			memcpy(&len, p, 4);
			b = p + 4;
			if (len > (uint64_t)(end - b))
				break;	/* img_walk checked the total only */
		}
		n = send(wfd, b, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !grown) {
			/* for all of it: growing by what is left could
			   shrink the buffer the first part sits in */
			grow_buffers(wfd, rfd, m->fd.sk_data_len);
			grown = 1;
			continue;
		}
		if (n < 0 && errno == EAGAIN && x->mf->fd.sk_domain != AF_UNIX &&
		    stream && wait_fd(wfd, POLLOUT) == 0)
			continue;	/* TCP: the window opens */
		if (n <= 0) {
			pr_warn("%s: fd %d: %llu of %llu queued bytes could "
				"not be put back: %s", x->image, m->fd.fd,
				(unsigned long long)(end - p),
				(unsigned long long)m->fd.sk_data_len,
				n < 0 ? strerror(errno) : "short write");
			break;
		}
		p = b + n;
		if (!stream && (uint32_t)n != len)
			pr_warn("%s: fd %d: a message of %u bytes came back "
				"as %zd", x->image, m->fd.fd, len, n);
	}
	fcntl(wfd, F_SETFL, fl);
	pr_debug("%s: fd %d: %llu queued bytes put back", x->image, m->fd.fd,
		 (unsigned long long)m->fd.sk_data_len);
}

static void apply_shutdown(const struct sk *x, const struct sk *y)
{
	uint32_t fx = x->mf->fd.sk_flags, fy = y->mf->fd.sk_flags;

	if (fx & IMG_SK_SHUT_WR)
		shutdown(x->fd, SHUT_WR);
	if ((fx & IMG_SK_SHUT_RD) && !(fy & IMG_SK_SHUT_WR))
		shutdown(x->fd, SHUT_RD);
}

static void make_pair(struct img_meta **metas, int n, struct sk *x,
		      struct sk *y)
{
	int d = x->mf->fd.sk_domain, t = x->mf->fd.sk_type, rc;
	int xfd = -1, yfd = -1;

	if (d == AF_UNIX)
		rc = unix_pair(x, y, &xfd, &yfd);
	else if (t == SOCK_DGRAM)
		rc = udp_pair(x, y, &xfd, &yfd);
	else if (listened(metas, n, y) && !listened(metas, n, x))
		rc = tcp_pair(y, x, &yfd, &xfd, resend_pair(x, y));
	else if (listened(metas, n, x) ||
		 port_of(x->mf->sk_addr, x->mf->fd.sk_addr_len) <
		 port_of(y->mf->sk_addr, y->mf->fd.sk_addr_len))
		rc = tcp_pair(x, y, &xfd, &yfd, resend_pair(x, y));
	else
		rc = tcp_pair(y, x, &yfd, &xfd, resend_pair(x, y));
	if (rc < 0)
		return;	/* the library puts a closed placeholder there */
	x->fd = dmtcp_fd_above(xfd, SK_FD_BASE, "a socket");
	y->fd = dmtcp_fd_above(yfd, SK_FD_BASE, "a socket");
	refill(x, y->fd, x->fd);
	refill(y, x->fd, y->fd);
	apply_shutdown(x, y);
	apply_shutdown(y, x);
}

/*
 * A listening socket (or a bound UDP one) that several processes hold
 * after fork must stay one socket: bound here once, after the
 * connections (their temporary listeners use the same names).
 */
static void make_bound(struct sk *x)
{
	const struct img_fd *f = &x->mf->fd;
	const struct sockaddr_un *un = (const void *)x->mf->sk_addr;
	int s = new_sock(f->sk_domain, f->sk_type);

	if (s < 0)
		return;
	if (f->sk_domain == AF_UNIX && un->sun_path[0]) {
		struct stat st;
		int probe = socket(AF_UNIX, f->sk_type | SOCK_CLOEXEC |
				   SOCK_NONBLOCK, 0);
		int live = probe >= 0 &&
			   (connect(probe, (const void *)un, f->sk_addr_len) ==
			    0 || errno == EAGAIN);

		if (probe >= 0)
			close(probe);
		/* our own socket file, left behind by the dead process */
		if (!live && lstat(un->sun_path, &st) == 0 &&
		    S_ISSOCK(st.st_mode))
			unlink(un->sun_path);
	}
	if (bind(s, (const void *)un, f->sk_addr_len) < 0 ||
	    ((f->sk_flags & IMG_SK_LISTEN) && listen(s, SOMAXCONN) < 0)) {
		/* the library tries again and says so */
		pr_debug("%s: fd %d: cannot bind its address again: %s",
			 x->image, f->fd, strerror(errno));
		close(s);
		return;
	}
	x->fd = dmtcp_fd_above(s, SK_FD_BASE, "a socket");
	if (f->sk_domain == AF_UNIX && x->data && x->data->fd.sk_data_len) {
		/* datagrams queued for a bound UNIX socket: sent again from
		   an unnamed socket (their senders were, mostly) */
		int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (u >= 0 && connect(u, (const void *)un, f->sk_addr_len) == 0)
			refill(x, u, x->fd);
		if (u >= 0)
			close(u);
	}
}

/* The peer is not in the computation: the policy of doc/sockets.md. */
static void make_orphan(struct sk *x)
{
	int d = x->mf->fd.sk_domain, t = x->mf->fd.sk_type;
	int sv[2] = { -1, -1 };

	if (t == SOCK_DGRAM && x->mf->fd.sk_peer_len > sizeof(sa_family_t)) {
		/* connectionless: talk to that address again */
		int s = new_sock(d, SOCK_DGRAM);

		if (s >= 0 && d != AF_UNIX)
			bind_as(s, x, 0);
		if (s >= 0 && connect(s, (const void *)x->mf->sk_peer,
				      x->mf->fd.sk_peer_len) == 0) {
			if (x->data && x->data->fd.sk_data_len)
				pr_warn("%s: fd %d: %llu bytes of datagrams "
					"from a peer outside the computation "
					"are lost", x->image, x->mf->fd.fd,
					(unsigned long long)
					x->data->fd.sk_data_len);
			x->fd = dmtcp_fd_above(s, SK_FD_BASE, "a socket");
			return;
		}
		pr_debug("%s: fd %d: cannot reconnect to its peer: %s",
			 x->image, x->mf->fd.fd, strerror(errno));
		if (s >= 0)
			close(s);
		if (d != AF_UNIX)
			return;
	}
	if (d == AF_UNIX) {
		if (socketpair(AF_UNIX, t | SOCK_CLOEXEC, 0, sv) < 0)
			return;
		refill(x, sv[1], sv[0]);
		close(sv[1]);
		if (t == SOCK_DGRAM)	/* no EOF without it */
			shutdown(sv[0], SHUT_RD);
		x->fd = dmtcp_fd_above(sv[0], SK_FD_BASE, "a socket");
		return;
	}
	if (t == SOCK_STREAM) {
		/* a TCP connection that the peer resets after the data */
		struct sk lo = *x;
		struct linger lg = { 1, 0 };
		struct img_meta_fd none = *x->mf;

		none.fd.sk_addr_len = 0;	/* loopback, new ports */
		lo.mf = &none;
		if (tcp_pair(&lo, &lo, &sv[1], &sv[0], 0) < 0)
			return;
		refill(x, sv[1], sv[0]);
		setsockopt(sv[1], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(sv[1]);
		x->fd = dmtcp_fd_above(sv[0], SK_FD_BASE, "a socket");
	}
}

int rst_prepare_sockets(struct img_meta **metas, int n, char *err,
			size_t errcap)
{
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < metas[i]->nfds; k++) {
			const struct img_meta_fd *m = &metas[i]->fds[k];
			struct sk *x;

			if (!handled(&m->fd))
				continue;
			x = find(&m->fd);
			if (!x) {
				if (nsk == MAX_SOCKS) {
					snprintf(err, errcap, "more than %d "
						 "connected sockets in the "
						 "images", MAX_SOCKS);
					return -1;
				}
				x = &sks[nsk++];
				x->mf = m;
				x->data = NULL;
				x->image = metas[i]->path;
				x->pid = metas[i]->proc.pid;
				x->peer = -1;
				x->fd = -1;
			}
			if (m->fd.sk_data_len && m->sk_data)
				x->data = m;
		}
	}
	for (int i = 0; i < nsk; i++)
		for (int j = i + 1; j < nsk && sks[i].peer < 0; j++)
			if (sks[j].peer < 0 && !is_bound_only(&sks[i].mf->fd) &&
			    !is_bound_only(&sks[j].mf->fd) &&
			    is_peer(&sks[i], &sks[j])) {
				sks[i].peer = j;
				sks[j].peer = i;
			}
	for (int i = 0; i < nsk; i++) {
		struct sk *x = &sks[i];

		if (is_bound_only(&x->mf->fd))
			continue;
		if (x->peer > i)
			make_pair(metas, n, x, &sks[x->peer]);
		else if (x->peer < 0 && x->mf->fd.sk_type != SOCK_DGRAM)
			make_orphan(x);
		pr_debug("%s: fd %d: socket %llu (%s) recreated as fd %d",
			 x->image, x->mf->fd.fd,
			 (unsigned long long)x->mf->fd.inode,
			 x->peer >= 0 ? "peer in the computation" :
			 "peer outside", x->fd);
	}
	for (int i = 0; i < nsk; i++)
		if (is_bound_only(&sks[i].mf->fd))
			make_bound(&sks[i]);
	/* datagram sockets connected to an address: once it is bound again */
	for (int i = 0; i < nsk; i++)
		if (!is_bound_only(&sks[i].mf->fd) && sks[i].peer < 0 &&
		    sks[i].mf->fd.sk_type == SOCK_DGRAM)
			make_orphan(&sks[i]);
	return 0;
}

int rst_socket_for(const struct img_fd *f)
{
	const struct sk *x;

	if (!handled(f) || !(x = find(f)) || x->fd < 0)
		return -1;
	/* stdio connected outside: the restart's own, as before */
	if (f->fd < 3 && (x->peer < 0 || is_bound_only(f)))
		return -1;
	return x->fd;
}

void rst_close_sockets(void)
{
	for (int i = 0; i < nsk; i++)
		if (sks[i].fd >= 0) {
			close(sks[i].fd);
			sks[i].fd = -1;
		}
	nsk = 0;
}
