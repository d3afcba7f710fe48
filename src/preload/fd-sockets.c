/*
 * fd-sockets.c - connected sockets (AF_UNIX of every type, TCP, UDP).
 *
 * Checkpoint, every holder: the addresses (getsockname, getpeername),
 * buffer sizes, shutdown state and, for AF_UNIX, the inode of the peer
 * socket (UNIX_DIAG over NETLINK_SOCK_DIAG, works unprivileged) go into
 * the fd's img_fd.  The holder that won the F_SETOWN election (fds.c)
 * also copies the bytes queued for reading with MSG_PEEK, walking the
 * queue with SO_PEEK_OFF: nothing is consumed, so a computation that
 * simply resumes needs no refill.  The bytes go into the image after
 * the fd's record (write-image.c).
 *
 * Restart: dmtcp_restart recreates every connection whose both ends
 * are in the images (socketpair, or a loopback TCP connection) and puts
 * the queued bytes back from the peer end before any process exists
 * (src/restart/restart-sockets.c); here the fd is only kept.  Sockets
 * whose peer is outside the computation get the policy described in
 * doc/sockets.md.
 *
 * All of this runs while the application's threads are frozen: no
 * allocation, static buffers only.
 */
#include "config.h"
#include "internal.h"
#include "fd-sockets.h"
#include "log.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SK_DATA_MAX (16u << 20)		/* pipe_data's size (fds.c) */

int dmtcp_sk_connected(const struct dmtcp_fdrec *r)
{
	const struct img_fd *f = &r->rec;

	if (f->kind != IMG_FD_SOCKET)
		return 0;
	/* a bound UNIX datagram socket (a server): its queue too */
	return (f->sk_flags & IMG_SK_CONNECTED) ||
	       (f->sk_domain == AF_UNIX && f->sk_type == SOCK_DGRAM &&
		!(f->sk_flags & IMG_SK_LISTEN) &&
		f->sk_addr_len > sizeof(sa_family_t));
}

/*
 * UNIX_DIAG for one socket inode: the peer's inode and our shutdown
 * bits.  0, or -1 (then *peer = 0).
 */
static int unix_diag(uint64_t ino, uint64_t *peer, int *shut)
{
	static char buf[8192];
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	int s, rc = -1;
	ssize_t n;

	*peer = 0;
	*shut = 0;
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.nlh.nlmsg_seq = 1;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = (uint32_t)ino;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;
	if (sendto(s, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) != sizeof(req))
		goto out;
	n = recv(s, buf, sizeof(buf), 0);
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n > 0 &&
	     NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		struct unix_diag_msg *m = NLMSG_DATA(h);
		struct rtattr *a;
		int alen;

		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    m->udiag_ino != (uint32_t)ino)
			continue;
		a = (struct rtattr *)(m + 1);
		alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
		for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
			if (a->rta_type == UNIX_DIAG_PEER)
				*peer = *(uint32_t *)RTA_DATA(a);
			else if (a->rta_type == UNIX_DIAG_SHUTDOWN)
				*shut = *(uint8_t *)RTA_DATA(a);
		}
		rc = 0;
		break;
	}
out:
	close(s);
	return rc;
}

/*
 * TCP: bytes the program wrote may still wait in its send queue (Nagle
 * holds small segments until an ACK, which a delayed ACK can send
 * after the peer's owner has peeked its queue).  Every holder pushes
 * them out before the election barrier: after it, whatever was sent is
 * in the receiver's queue.  Bounded: a peer that does not read keeps
 * its window closed (dmtcp_sk_drain() warns about those bytes).
 */
static void tcp_push(int fd)
{
	struct timespec ms = { 0, 1000 * 1000 };
	int nodelay = 0, one = 1, unsent = 0;
	socklen_t l = sizeof(nodelay);

	if (ioctl(fd, SIOCOUTQNSD, &unsent) < 0 || unsent <= 0)
		return;
	pr_debug("fd %d: pushing %d unsent bytes", fd, unsent);
	getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &l);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* up to 200 ms, but give up after 10 ms without progress (a
	   closed window: many such sockets must not add up) */
	for (int i = 0, still = 0, last = unsent; i < 200 && still < 10 &&
	     ioctl(fd, SIOCOUTQNSD, &unsent) == 0 && unsent > 0; i++) {
		still = unsent == last ? still + 1 : 0;
		last = unsent;
		rsys2(SYS_nanosleep, (long)&ms, 0);
	}
	if (!nodelay)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay,
			   sizeof(nodelay));
}

/*
 * Options the program may have set, kept in this process's memory (the
 * image holds this table) and put back on the socket dmtcp_restart
 * gives it.  Indexed like dmtcp_ps.fds.
 */
static const struct sk_opt {
	int level, name;
	socklen_t len;
} sk_opts[] = {
	{ SOL_SOCKET, SO_KEEPALIVE, sizeof(int) },
	{ SOL_SOCKET, SO_RCVTIMEO, sizeof(struct timeval) },
	{ SOL_SOCKET, SO_SNDTIMEO, sizeof(struct timeval) },
	{ SOL_SOCKET, SO_LINGER, sizeof(struct linger) },
	{ SOL_SOCKET, SO_RCVLOWAT, sizeof(int) },
	{ SOL_SOCKET, SO_PRIORITY, sizeof(int) },
	{ SOL_SOCKET, SO_PASSCRED, sizeof(int) },
	{ IPPROTO_TCP, TCP_NODELAY, sizeof(int) },
	{ IPPROTO_TCP, TCP_KEEPIDLE, sizeof(int) },
	{ IPPROTO_TCP, TCP_KEEPINTVL, sizeof(int) },
	{ IPPROTO_TCP, TCP_KEEPCNT, sizeof(int) },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, sizeof(int) },
};
#define NOPTS (sizeof(sk_opts) / sizeof(sk_opts[0]))
#define OPT_MAX 16	/* bytes of the largest option value */

static struct {
	uint32_t have;		/* bit i: sk_opts[i] was read */
	unsigned char val[NOPTS][OPT_MAX];
} opt_saved[DMTCP_MAX_FDS];

static int is_tcp(const struct img_fd *f)
{
	return (f->sk_domain == AF_INET || f->sk_domain == AF_INET6) &&
	       f->sk_type == SOCK_STREAM;
}

static void save_opts(const struct dmtcp_fdrec *r)
{
	long i = r - dmtcp_ps.fds;

	if (i < 0 || i >= DMTCP_MAX_FDS)
		return;
	opt_saved[i].have = 0;
	for (unsigned k = 0; k < NOPTS; k++) {
		socklen_t l = sk_opts[k].len;

		if (sk_opts[k].level == IPPROTO_TCP && !is_tcp(&r->rec))
			continue;
		if (getsockopt(r->rec.fd, sk_opts[k].level, sk_opts[k].name,
			       opt_saved[i].val[k], &l) == 0 &&
		    l == sk_opts[k].len)
			opt_saved[i].have |= 1u << k;
	}
}

static void put_opts(const struct dmtcp_fdrec *r)
{
	long i = r - dmtcp_ps.fds;

	if (i < 0 || i >= DMTCP_MAX_FDS)
		return;
	for (unsigned k = 0; k < NOPTS; k++)
		if ((opt_saved[i].have & (1u << k)) &&
		    setsockopt(r->rec.fd, sk_opts[k].level, sk_opts[k].name,
			       opt_saved[i].val[k], sk_opts[k].len) < 0)
			pr_debug("fd %d: option %d/%d: %s", r->rec.fd,
				 sk_opts[k].level, sk_opts[k].name,
				 strerror(errno));
}

void dmtcp_sk_capture(struct dmtcp_fdrec *r)
{
	struct img_fd *f = &r->rec;
	socklen_t l;
	int v;

	f->sk_domain = r->x.domain;
	f->sk_type = r->x.type;
	f->sk_protocol = r->x.protocol;
	f->sk_addr_len = r->x.addrlen <= sizeof(r->x.addr) ? r->x.addrlen : 0;
	if (f->sk_domain == AF_UNIX || f->sk_domain == AF_INET ||
	    f->sk_domain == AF_INET6)
		save_opts(r);	/* before tcp_push() toggles TCP_NODELAY */
	l = sizeof(v);
	if (getsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &v, &l) == 0)
		f->sk_rcvbuf = v;
	l = sizeof(v);
	if (getsockopt(f->fd, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0)
		f->sk_sndbuf = v;
	l = sizeof(v);
	if (getsockopt(f->fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v) {
		f->sk_flags = IMG_SK_LISTEN;
		return;
	}
	if (f->sk_domain != AF_UNIX && f->sk_domain != AF_INET &&
	    f->sk_domain != AF_INET6)
		return;
	l = sizeof(r->x.peer);
	if (getpeername(f->fd, (struct sockaddr *)r->x.peer, &l) == 0 &&
	    l <= sizeof(r->x.peer)) {
		f->sk_peer_len = l;
		f->sk_flags |= IMG_SK_CONNECTED;
	}
	if (f->sk_domain == AF_UNIX) {
		uint64_t peer;
		int shut;

		if (unix_diag(f->inode, &peer, &shut) < 0) {
			static int said;

			if (!said++)
				pr_warn("process %d: fd %d: UNIX_DIAG does not "
					"answer (%s): unix sockets to other "
					"processes come back closed",
					rsys_getpid(), f->fd, strerror(errno));
			return;
		}
		f->sk_peer_inode = peer;
		/* a socketpair end has no name but a peer all the same */
		if (peer)
			f->sk_flags |= IMG_SK_CONNECTED;
		else if (f->sk_flags & IMG_SK_CONNECTED)
			f->sk_flags |= IMG_SK_PEER_GONE;
		if (shut & 1)	/* RCV_SHUTDOWN */
			f->sk_flags |= IMG_SK_SHUT_RD;
		if (shut & 2)	/* SEND_SHUTDOWN */
			f->sk_flags |= IMG_SK_SHUT_WR;
	} else if (f->sk_type == SOCK_STREAM &&
		   (f->sk_flags & IMG_SK_CONNECTED)) {
		struct tcp_info ti;

		tcp_push(f->fd);
		l = sizeof(ti);
		if (getsockopt(f->fd, IPPROTO_TCP, TCP_INFO, &ti, &l) == 0) {
			switch (ti.tcpi_state) {
			case TCP_ESTABLISHED:
				break;
			case TCP_CLOSE_WAIT:
				f->sk_flags |= IMG_SK_SHUT_RD;
				break;
			case TCP_FIN_WAIT1:
			case TCP_FIN_WAIT2:
				f->sk_flags |= IMG_SK_SHUT_WR;
				break;
			default:
				f->sk_flags |= IMG_SK_SHUT_RD | IMG_SK_SHUT_WR |
					       IMG_SK_PEER_GONE;
				break;
			}
		}
	}
}

/* Copy the receive queue with MSG_PEEK (owner only, threads frozen). */
void dmtcp_sk_drain(struct dmtcp_fdrec *r)
{
	struct img_fd *f = &r->rec;
	int stream = f->sk_type == SOCK_STREAM, off = 0, old = -1, walk;
	socklen_t l = sizeof(old);
	uint64_t start = dmtcp_ps.pipe_data_len;
	int nmsg = 0;

	if (!dmtcp_sk_connected(r) || !dmtcp_ps.pipe_data)
		return;
	if (f->sk_domain == AF_INET || f->sk_domain == AF_INET6) {
		int unsent = 0;

		if (stream && ioctl(f->fd, SIOCOUTQNSD, &unsent) == 0 &&
		    unsent > 0)
			pr_warn("process %d: fd %d: %d bytes not yet sent to "
				"the peer (it does not read): a restart from "
				"this checkpoint loses them", rsys_getpid(),
				f->fd, unsent);
	}
	if (f->sk_domain == AF_INET && stream) {
		int outq = -1, nsd = -1, inq = -1;

		ioctl(f->fd, SIOCOUTQ, &outq);
		ioctl(f->fd, SIOCOUTQNSD, &nsd);
		ioctl(f->fd, SIOCINQ, &inq);
		pr_debug("fd %d: tcp outq %d unsent %d inq %d", f->fd, outq,
			 nsd, inq);
	}
	getsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &old, &l);
	walk = setsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &off,
			  sizeof(off)) == 0;
	for (;;) {
		uint64_t pos = dmtcp_ps.pipe_data_len + (stream ? 0 : 4);
		ssize_t n;

		if (pos >= SK_DATA_MAX) {
			pr_warn("process %d: fd %d: more than %u MiB queued in "
				"sockets and pipes: the rest is not saved",
				rsys_getpid(), f->fd, SK_DATA_MAX >> 20);
			break;
		}
		n = recv(f->fd, dmtcp_ps.pipe_data + pos, SK_DATA_MAX - pos,
			 MSG_PEEK | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EAGAIN: all seen; 0: EOF or empty dgram */
		if (!stream) {
			uint32_t len = n;

			memcpy(dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len,
			       &len, 4);
			nmsg++;
		}
		dmtcp_ps.pipe_data_len = pos + n;
		if (!walk) {
			if (!stream)
				pr_warn("process %d: fd %d: SO_PEEK_OFF not "
					"supported: only the first queued "
					"message is saved", rsys_getpid(),
					f->fd);
			break;
		}
	}
	if (walk)
		setsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &old, sizeof(old));
	r->data_off = start;
	r->data_len = dmtcp_ps.pipe_data_len - start;
	f->sk_data_len = r->data_len;
	pr_debug("fd %d: socket %llu (peer %llu): %llu queued bytes, %d "
		 "messages", f->fd, (unsigned long long)f->inode,
		 (unsigned long long)f->sk_peer_inode,
		 (unsigned long long)f->sk_data_len, nmsg);
}

/* Restart: dmtcp_restart put a socket at this fd (connected, listening
   or bound): keep it. */
int dmtcp_sk_prepared(const struct dmtcp_fdrec *r)
{
	struct stat st;
	int fd = r->rec.fd;

	/* dmtcp_restart closes every other fd: a socket here is its */
	if (r->rec.kind != IMG_FD_SOCKET || fstat(fd, &st) < 0 ||
	    !S_ISSOCK(st.st_mode))
		return 0;
	if (fd <= 2 && !(dmtcp_handoff.prepared_stdio & (1u << fd)))
		return 0;	/* the restart's own stdio */
	fcntl(fd, F_SETFL, r->rec.flags);
	fcntl(fd, F_SETFD, r->rec.fdflags);
	put_opts(r);
	return 1;
}
