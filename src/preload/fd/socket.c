/*
 * fd/socket.c - connected sockets (AF_UNIX of every type, TCP, UDP).
 *
 * Checkpoint, every holder: the addresses (getsockname, getpeername),
 * buffer sizes, shutdown state and, for AF_UNIX, the inode of the peer
 * socket (UNIX_DIAG over NETLINK_SOCK_DIAG, works unprivileged) go into
 * the fd's img_fd.  The holder that won the F_SETOWN election (fds.c)
 * then saves what is in flight:
 *
 * - a TCP connection whose peer is in the computation is drained: the
 *   owner reads (consumes) its receive queue until the peer's send
 *   queue is empty too (the peer's state comes from INET_DIAG), which is
 *   the only way to get the bytes a sender still holds while the
 *   receiver's window is closed.  After the DRAINED barrier every
 *   process takes back the bytes its peers drained from its own
 *   connections (handed over through files in a private directory) and
 *   writes them again, ahead of anything new (sk-queue.c keeps what does
 *   not fit yet).  A peer that had shut its writing down cannot write
 *   them again: then the reader keeps them and its reads get them
 *   before the EOF.  Peers find out that the other end is in the
 *   computation through marker files named by socket inode, made by
 *   every process before the election barrier.
 * - any other socket (AF_UNIX, UDP, TCP to a peer outside): the bytes
 *   queued for reading are copied with MSG_PEEK, walking the queue with
 *   SO_PEEK_OFF: nothing is consumed, so a computation that simply
 *   resumes needs no refill.
 * The bytes go into the image after the fd's record (image/write.c) or,
 * for drained TCP connections, stay in this process's memory.
 *
 * Restart: dmtcp_restart recreates every connection whose both ends
 * are in the images (socketpair, or a loopback TCP connection) and puts
 * the peeked bytes back from the peer end before any process exists
 * (src/restart/restart-sockets.c); here the fd is kept, and the bytes
 * of drained TCP connections are written again by their writers
 * (dmtcp_sk_restored).  Sockets whose peer is outside the computation
 * get the policy described in doc/sockets.md.
 *
 * All of this runs while the application's threads are frozen: no
 * allocation, static buffers and anonymous mappings only.
 */
#include "config.h"
#include "fd/buf.h"
#include "fd/kind.h"
#include "fd/socket.h"
#include "log.h"
#include "base/sys.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <string.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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

static ssize_t diag_query(int s, struct nlmsghdr *req, size_t len, char *buf,
			  size_t cap);

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
	int s, rc = -1;
	ssize_t n;

	*peer = 0;
	*shut = 0;
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = (uint32_t)ino;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;
	n = diag_query(s, &req.nlh, sizeof(req), buf, sizeof(buf));
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
	close(s);
	return rc;
}

/* Per fd record (indexed like dmtcp_ps.fds), for one checkpoint. */
static struct sk_state {
	uint8_t tcp;		/* connected TCP stream: marker made */
	uint8_t handed;		/* owner: drained bytes left for the peer */
	uint8_t opts;		/* owner: nodelay/cork saved and changed */
	int nodelay, cork;
	uint64_t peer_ino;	/* handed: the peer's socket */
} sk_st[DMTCP_MAX_FDS];

static long rec_index(const struct dmtcp_fdrec *r)
{
	long i = r - dmtcp_ps.fds;

	return i >= 0 && i < DMTCP_MAX_FDS ? i : -1;
}

/* Raw socket calls: the wrappers of sk-queue.c are not for us. */
static ssize_t sk_recv(int fd, void *b, size_t n, int flags)
{
	long r = rsys6(SYS_recvfrom, fd, (long)b, (long)n, flags, 0, 0);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/*
 * One sock_diag request (the caller filled its family part) and the
 * reply: the reply's length, or -1.
 */
static ssize_t diag_query(int s, struct nlmsghdr *req, size_t len, char *buf,
			  size_t cap)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	req->nlmsg_len = len;
	req->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req->nlmsg_flags = NLM_F_REQUEST;
	req->nlmsg_seq = 1;
	if (rsys6(SYS_sendto, s, (long)req, len, 0, (long)&nl, sizeof(nl)) !=
	    (long)len)
		return -1;
	return sk_recv(s, buf, cap, 0);
}

/* --- the rendezvous directory ------------------------------------------- */
/*
 * "<state dir>/sk-<computation>-<generation>" (private to the user):
 * every process makes a marker "<inode>" for each connected TCP socket
 * it holds before the election barrier, so that after it the owner of
 * the other end knows the peer is in the computation; the owner that
 * drains a connection leaves the bytes in "<peer inode>.d" for the
 * peer's owner, who takes them after the DRAINED barrier.  Removed at
 * the end of the checkpoint; directories of older generations (a
 * process killed in the middle) are removed at the next one.
 */
static char rdv[PATH_MAX];
static char rdv_key[128];	/* comp_id and generation rdv is for */
static int rdv_state;		/* 0 unknown, 1 usable, -1 not */

static int unlink_entry(int dirfd, const char *name, void *arg)
{
	(void)arg;
	if (name[0] != '.')
		unlinkat(dirfd, name, 0);
	return 0;
}

static void rm_dir(int parent, const char *name)
{
	int d = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		       O_CLOEXEC);

	if (d < 0)
		return;
	dmtcp_each_name(d, unlink_entry, NULL);
	close(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

struct stale {
	const char *prefix, *mine;
};

static int rm_stale(int dirfd, const char *name, void *arg)
{
	const struct stale *w = arg;

	if (strncmp(name, w->prefix, strlen(w->prefix)) == 0 &&
	    strcmp(name, w->mine) != 0)
		rm_dir(dirfd, name);
	return 0;
}

/* Stale "sk-<comp>-*" directories of other generations. */
static void rdv_clean(const char *state, const char *prefix, const char *mine)
{
	struct stale w = { prefix, mine };
	int d = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (d < 0)
		return;
	dmtcp_each_name(d, rm_stale, &w);
	close(d);
}

static int rdv_ready(void)
{
	char key[128], state[PATH_MAX], prefix[96], base[160];
	struct stat st;

	snprintf(key, sizeof(key), "%s-%u", dmtcp_cfg.comp_id,
		 (unsigned)dmtcp_generation);
	for (char *c = key; *c; c++)
		if (*c == '/' || *c == '.')
			*c = '_';
	if (rdv_state && strcmp(key, rdv_key) == 0)
		return rdv_state > 0;
	util_strlcpy(rdv_key, key, sizeof(rdv_key));
	rdv_state = -1;
	if (util_state_dir(state, sizeof(state)) < 0)
		return 0;
	snprintf(base, sizeof(base), "sk-%s", key);
	snprintf(prefix, sizeof(prefix), "sk-%.80s", dmtcp_cfg.comp_id);
	for (char *c = prefix + 3; *c; c++)
		if (*c == '/' || *c == '.')
			*c = '_';
	if (strlen(prefix) + 1 < sizeof(prefix))
		strcat(prefix, "-");
	if ((size_t)snprintf(rdv, sizeof(rdv), "%s/%s", state, base) >=
	    sizeof(rdv))
		return 0;
	if (mkdir(rdv, 0700) < 0 && errno != EEXIST)
		return 0;
	if (lstat(rdv, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid())
		return 0;
	rdv_clean(state, prefix, base);
	rdv_state = 1;
	return 1;
}

static void rdv_name(char *buf, size_t cap, uint64_t ino, const char *ext)
{
	snprintf(buf, cap, "%s/%llu%s", rdv, (unsigned long long)ino, ext);
}

/* --- the peer of a TCP connection (INET_DIAG) ----------------------------- */

struct tcp_peer {
	uint64_t ino;		/* its socket inode, 0: none (orphan) */
	uint32_t state;		/* TCP_* */
	uint32_t wqueue;	/* written and not acknowledged yet */
};

static int diag_fd = -1;	/* open during the drain */

static int tcp_peer(const struct dmtcp_fdrec *r, struct tcp_peer *p)
{
	static char buf[8192];
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	const struct sockaddr_in *l4 = (const void *)r->x.addr,
				 *p4 = (const void *)r->x.peer;
	const struct sockaddr_in6 *l6 = (const void *)r->x.addr,
				  *p6 = (const void *)r->x.peer;
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if (diag_fd < 0)
		diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
				 NETLINK_SOCK_DIAG);
	if (diag_fd < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.r.sdiag_family = r->rec.sk_domain;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0u;
	req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] =
		INET_DIAG_NOCOOKIE;
	/* the peer's socket: its local address is our peer's, its remote
	   address is ours */
	if (r->rec.sk_domain == AF_INET) {
		req.r.id.idiag_sport = p4->sin_port;
		req.r.id.idiag_dport = l4->sin_port;
		memcpy(req.r.id.idiag_src, &p4->sin_addr, 4);
		memcpy(req.r.id.idiag_dst, &l4->sin_addr, 4);
	} else {
		req.r.id.idiag_sport = p6->sin6_port;
		req.r.id.idiag_dport = l6->sin6_port;
		memcpy(req.r.id.idiag_src, &p6->sin6_addr, 16);
		memcpy(req.r.id.idiag_dst, &l6->sin6_addr, 16);
	}
	n = diag_query(diag_fd, &req.nlh, sizeof(req), buf, sizeof(buf));
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n > 0 &&
	     NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		const struct inet_diag_msg *m = NLMSG_DATA(h);

		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			return -1;	/* NLMSG_ERROR: no such socket */
		p->ino = m->idiag_inode;
		p->state = m->idiag_state;
		p->wqueue = m->idiag_wqueue;
		return 0;
	}
	return -1;
}

/* The peer has sent its FIN (it shut down writing, or closed). */
static int fin_sent(uint32_t st)
{
	return st == TCP_FIN_WAIT1 || st == TCP_FIN_WAIT2 ||
	       st == TCP_CLOSING || st == TCP_LAST_ACK ||
	       st == TCP_TIME_WAIT || st == TCP_CLOSE;
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

	if (rec_index(r) >= 0)
		memset(&sk_st[rec_index(r)], 0, sizeof(sk_st[0]));

	f->sk_domain = r->x.domain;
	f->sk_type = r->x.type;
	f->sk_protocol = r->x.protocol;
	f->sk_addr_len = r->x.addrlen <= sizeof(r->x.addr) ? r->x.addrlen : 0;
	if (f->sk_domain == AF_UNIX || f->sk_domain == AF_INET ||
	    f->sk_domain == AF_INET6)
		save_opts(r);	/* before the drain toggles TCP_NODELAY */
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
		long i = rec_index(r);

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
		/* this end is in the computation (see rdv) */
		if (i >= 0 && !(f->sk_flags & IMG_SK_PEER_GONE) &&
		    rdv_ready()) {
			char path[PATH_MAX + 32];
			int fd;

			rdv_name(path, sizeof(path), f->inode, "");
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL |
				  O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd >= 0 || errno == EEXIST)
				sk_st[i].tcp = 1;
			if (fd >= 0)
				close(fd);
		}
	}
}

/* Copy the receive queue with MSG_PEEK (owner only, threads frozen). */
static void peek_queue(struct dmtcp_fdrec *r)
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
	if (f->sk_domain == AF_UNIX && stream) {
		unsigned char b;

		/* the peek below sees it as an ordinary byte: where its
		   mark is, the kernel says only at the head of the queue */
		if (sk_recv(f->fd, &b, 1, MSG_OOB | MSG_PEEK | MSG_DONTWAIT) ==
		    1)
			pr_warn("process %d: fd %d: an urgent byte (MSG_OOB) "
				"is queued on this UNIX stream: a restart from "
				"this checkpoint gives it back as an ordinary "
				"byte at its place in the stream",
				rsys_getpid(), f->fd);
	}
	getsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &old, &l);
	walk = setsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &off,
			  sizeof(off)) == 0;
	for (;;) {
		uint64_t pos = dmtcp_ps.pipe_data_len + (stream ? 0 : 4);
		ssize_t n;

		if (!dmtcp_fd_data_room(pos)) {
			pr_warn("process %d: fd %d: more than %u MiB queued in "
				"sockets and pipes: the rest is not saved",
				rsys_getpid(), f->fd, DMTCP_FD_DATA_MAX >> 20);
			break;
		}
		n = sk_recv(f->fd, dmtcp_ps.pipe_data + pos,
			    dmtcp_fd_data_room(pos),
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


/* --- draining TCP connections (phase 1, owner, after the election) ------ */

/*
 * Bounds: well below the coordinator's --ckpt-timeout (30 s by default),
 * so that a slow drain does not fail the checkpoint.
 */
#define DRAIN_STALL_MS 2000	/* the peer's queue does not shrink */
#define DRAIN_MAX_MS 10000	/* all connections of this process */
#define DRAIN_MAX (1ull << 30)	/* bytes drained by one process */

static int phase1_begun;
static uint64_t drained_total, drain_t0;

/*
 * The owners of TCP sockets turn Nagle and corking off for the drain so
 * that their kernels send every byte the peer's window takes (put back
 * in dmtcp_sk_drained); before the first connection is drained.
 */
static void phase1_begin(void)
{
	int pid = rsys_getpid(), one = 1, zero = 0;

	phase1_begun = 1;
	drained_total = 0;
	drain_t0 = dmtcp_now_mono_ns();
	for (int i = 0; i < dmtcp_ps.nfds && i < DMTCP_MAX_FDS; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct sk_state *k = &sk_st[i];
		socklen_t l = sizeof(int);

		if (!k->tcp || r->dup_of >= 0 || r->rec.owner != pid)
			continue;
		if (getsockopt(r->rec.fd, IPPROTO_TCP, TCP_NODELAY,
			       &k->nodelay, &l) < 0)
			continue;
		l = sizeof(int);
		if (getsockopt(r->rec.fd, IPPROTO_TCP, TCP_CORK, &k->cork,
			       &l) < 0)
			k->cork = 0;
		k->opts = 1;
		if (k->cork)
			setsockopt(r->rec.fd, IPPROTO_TCP, TCP_CORK, &zero,
				   sizeof(zero));
		setsockopt(r->rec.fd, IPPROTO_TCP, TCP_NODELAY, &one,
			   sizeof(one));
	}
}

struct drained {
	char *buf;
	uint64_t cap, len;
	int64_t oob_pos;
	uint8_t oob_byte, oob_inline;
	int eof;
};

static int drain_room(struct drained *d, uint64_t more)
{
	uint64_t want = dmtcp_skq_want(d->cap, d->len, more);
	char *b;

	if (!want)
		return 0;
	b = d->buf ? dmtcp_skq_grow(d->buf, d->cap, want) :
	    dmtcp_skq_alloc(want);
	if (!b)
		return -1;
	d->buf = b;
	d->cap = want;
	return 0;
}

/*
 * At the urgent mark: keep the urgent byte and where it goes (the
 * kernel keeps one; a newer mark makes the older byte ordinary data).
 * 0, or -1 when its byte has not arrived yet.
 */
static int take_mark(int fd, struct drained *d, int oobinline)
{
	unsigned char b;
	ssize_t n;

	if (oobinline) {
		d->oob_pos = d->len;	/* the next byte read is urgent */
		d->oob_inline = 1;
		return 0;
	}
	n = sk_recv(fd, &b, 1, MSG_OOB | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return -1;
	if (n != 1)
		return 0;	/* read by the program already */
	if (d->oob_pos >= 0 && !d->oob_inline &&
	    drain_room(d, 1) == 0) {
		/* the older urgent byte becomes in-band data */
		memmove(d->buf + d->oob_pos + 1, d->buf + d->oob_pos,
			d->len - d->oob_pos);
		d->buf[d->oob_pos] = (char)d->oob_byte;
		d->len++;
	}
	d->oob_pos = d->len;
	d->oob_byte = b;
	d->oob_inline = 0;
	return 0;
}

/*
 * Read everything the peer wrote: the receive queue, then what its
 * kernel sends as the window opens, until the peer's socket has nothing
 * left to send (all acknowledged) or its FIN arrived.  0, or -1 when
 * the peer's queue did not empty in time (what was read is in *d).
 */
static int drain_tcp(const struct dmtcp_fdrec *r, struct drained *d)
{
	int fd = r->rec.fd, one = 1, oobinline = 0, at;
	uint64_t progress = dmtcp_now_mono_ns();
	int64_t last_mark = -1;
	socklen_t l = sizeof(oobinline);
	struct tcp_peer p;

	getsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &oobinline, &l);
	for (;;) {
		uint64_t now = dmtcp_now_mono_ns();
		ssize_t n;

		at = 0;
		if (ioctl(fd, SIOCATMARK, &at) == 0 && at &&
		    last_mark != (int64_t)d->len) {
			if (take_mark(fd, d, oobinline) == 0) {
				last_mark = d->len;
			} else {
				/* its byte is not here yet: an in-band read
				   would step over it when it comes */
				goto wait;
			}
		}
		if (drain_room(d, 256 << 10) < 0 ||
		    drained_total + d->len > DRAIN_MAX)
			return -1;
		n = sk_recv(fd, d->buf + d->len, d->cap - d->len,
			    MSG_DONTWAIT);
		if (n > 0) {
			d->len += n;
			progress = now;
			/* our window update (an ACK) right now */
			setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
				   sizeof(one));
			continue;
		}
		if (n == 0) {
			d->eof = 1;	/* the peer's FIN: nothing follows */
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;	/* reset: the rest is gone anyway */
		if (tcp_peer(r, &p) == 0 && p.wqueue == 0 &&
		    !fin_sent(p.state)) {
			/* everything it wrote was acknowledged, so it is in
			   our queue: read that, then done */
			n = sk_recv(fd, d->buf + d->len, d->cap - d->len,
				    MSG_DONTWAIT);
			if (n > 0) {
				d->len += n;
				continue;
			}
			return 0;
		}
wait:
		if ((now - progress) / 1000000 > DRAIN_STALL_MS ||
		    (now - drain_t0) / 1000000 > DRAIN_MAX_MS)
			return -1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		{
			struct pollfd pf = { .fd = fd, .events = POLLIN };

			poll(&pf, 1, 1);
		}
	}
}

/* Hand d over to the peer's owner: "<peer inode>.d" in rdv. */
struct xfer_hdr {
	uint32_t magic, version;
	uint64_t len;
	int64_t oob_pos;
	uint8_t oob_byte, oob_inline, pad[6];
};
#define XFER_MAGIC 0x534b5846u	/* "FXKS" */

static int hand_over(uint64_t peer_ino, const struct drained *d)
{
	char path[PATH_MAX + 32];
	struct xfer_hdr h = { XFER_MAGIC, 1, d->len, d->oob_pos, d->oob_byte,
			      d->oob_inline, { 0 } };
	int fd, rc;

	if (!d->len && d->oob_pos < 0)
		return 0;	/* nothing in flight */
	rdv_name(path, sizeof(path), peer_ino, ".d");
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -1;
	rc = util_write_all(fd, &h, sizeof(h)) == 0 &&
	     util_write_all(fd, d->buf, d->len) == 0 ? 0 : -1;
	if (close(fd) < 0 || rc < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* Keep d for our own reads (sk-queue.c, kind HELD). */
static void hold(struct dmtcp_fdrec *r, struct drained *d, int resume_only)
{
	struct skq *q;

	if (d->oob_pos >= 0 && !d->oob_inline && drain_room(d, 1) == 0) {
		/* reads cannot tell an urgent byte: ordinary data then */
		memmove(d->buf + d->oob_pos + 1, d->buf + d->oob_pos,
			d->len - d->oob_pos);
		d->buf[d->oob_pos] = (char)d->oob_byte;
		d->len++;
		pr_warn("process %d: fd %d: the urgent byte of a connection "
			"whose peer shut down comes back as an ordinary byte",
			rsys_getpid(), r->rec.fd);
	}
	q = d->len ? dmtcp_skq_new(SKQ_HELD) : NULL;

	if (!q) {
		if (d->len)
			pr_warn("process %d: fd %d: too many connections with "
				"bytes held: %llu bytes lost", rsys_getpid(),
				r->rec.fd, (unsigned long long)d->len);
		dmtcp_skq_release(d->buf, d->cap);
		return;
	}
	q->app_fd = r->rec.fd;
	q->ino = q->img_ino = r->rec.inode;
	q->gen = dmtcp_generation;
	q->resume_only = resume_only;
	q->buf = d->buf;
	q->cap = d->cap;
	q->len = d->len;
	if (!resume_only)
		r->rec.sk_flags |= IMG_SK_HELD;
}

/*
 * A thread of ours frozen in read()/recv() on this socket: the kernel
 * will restart that system call by itself after the checkpoint, without
 * going through our wrappers, so it must find the bytes in the socket,
 * not in a HELD entry.  (Its queue was empty when it blocked, so the
 * window is open: a peek saves everything then.)  The checkpoint
 * signal's frame shows a system call to restart as rip on the syscall
 * instruction and rax = its number.
 */
static int is_sock(int fd, uint64_t ino)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == ino &&
	       S_ISSOCK(st.st_mode);
}

static int blocked_reader(uint64_t ino)
{
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		const struct dmtcp_thread *t = &dmtcp_threads[i];
		const struct img_regs *g = &t->info.regs;
		uint16_t insn;

		if (t->state != THR_SUSPENDED || t->is_ckpt || !g->rip)
			continue;
		if (g->rax != SYS_read && g->rax != SYS_readv &&
		    g->rax != SYS_recvfrom && g->rax != SYS_recvmsg &&
		    g->rax != SYS_recvmmsg)
			continue;
		memcpy(&insn, (const void *)g->rip, 2);
		if (insn == 0x050f && is_sock((int)g->rdi, ino))
			return 1;
	}
	return 0;
}

/*
 * Phase 1 for a TCP socket we own: 0 when the connection was drained
 * (its bytes handed to the peer or held here), -1 to peek as for a peer
 * outside the computation.
 */
static int tcp_drain(struct dmtcp_fdrec *r)
{
	long i = rec_index(r);
	struct drained d = { NULL, 0, 0, -1, 0, 0, 0 };
	struct tcp_peer p;
	char path[PATH_MAX + 32];
	struct skq *old;
	uint64_t need;
	int inq = 0, rc;

	if (i < 0 || !sk_st[i].tcp || rdv_state <= 0)
		return -1;
	if (tcp_peer(r, &p) < 0 || !p.ino) {
		pr_debug("fd %d: no TCP peer on this host", r->rec.fd);
		return -1;
	}
	rdv_name(path, sizeof(path), p.ino, "");
	if (access(path, F_OK) != 0) {
		pr_debug("fd %d: peer socket %llu outside the computation",
			 r->rec.fd, (unsigned long long)p.ino);
		return -1;
	}
	if ((r->rec.sk_flags & IMG_SK_SHUT_RD) && !fin_sent(p.state))
		return -1;	/* our own shutdown(SHUT_RD): leave it */
	if (blocked_reader(r->rec.inode)) {
		pr_debug("fd %d: a thread waits in a read: peeked, not drained",
			 r->rec.fd);
		return -1;
	}
	old = dmtcp_skq_find(SKQ_HELD, r->rec.inode);
	ioctl(r->rec.fd, SIOCINQ, &inq);
	need = (old ? old->len - old->off : 0) + (inq > 0 ? inq : 0) +
	       p.wqueue;
	if ((dmtcp_now_mono_ns() - drain_t0) / 1000000 > DRAIN_MAX_MS ||
	    drained_total + need > DRAIN_MAX) {
		pr_warn("process %d: fd %d: the drain of this process is over "
			"its bounds (%d s, %llu MiB): %llu bytes peeked, not "
			"drained; a restart loses what the peer has not sent",
			rsys_getpid(), r->rec.fd, DRAIN_MAX_MS / 1000,
			DRAIN_MAX >> 20, (unsigned long long)need);
		return -1;
	}
	if (drain_room(&d, need + (64 << 10)) < 0) {
		pr_warn("process %d: fd %d: no memory to drain the connection",
			rsys_getpid(), r->rec.fd);
		return -1;
	}
	if (old) {
		/* held at an earlier checkpoint, not read yet: first */
		memcpy(d.buf, old->buf + old->off, old->len - old->off);
		d.len = old->len - old->off;
		dmtcp_skq_drop(old);
	}
	rc = drain_tcp(r, &d);
	drained_total += d.len;
	pr_debug("fd %d: drained %llu bytes from socket %llu (peer %llu)%s%s",
		 r->rec.fd, (unsigned long long)d.len,
		 (unsigned long long)r->rec.inode, (unsigned long long)p.ino,
		 d.eof ? ", then EOF" : "", rc < 0 ? ", incomplete" : "");
	if (rc == 0 && d.eof) {
		hold(r, &d, 0);
		return 0;
	}
	if (rc == 0 && hand_over(p.ino, &d) == 0) {
		dmtcp_skq_release(d.buf, d.cap);
		sk_st[i].handed = 1;
		sk_st[i].peer_ino = p.ino;
		return 0;
	}
	/*
	 * The peer's queue did not empty (or the hand-over failed): the
	 * bytes read so far come first, then what is still queued; our
	 * reads get them first.  A restart puts them back from the image
	 * (copied below), without what the peer still holds.
	 */
	pr_warn("process %d: fd %d: the peer's %s; %llu bytes drained are "
		"given to this process's reads first; a restart from this "
		"checkpoint loses what the peer had not sent yet",
		rsys_getpid(), r->rec.fd, rc < 0 ? "send queue did not empty" :
		"bytes could not be handed over", (unsigned long long)d.len);
	if (d.len && dmtcp_fd_data_fits(dmtcp_ps.pipe_data_len, d.len)) {
		r->data_off = dmtcp_ps.pipe_data_len;
		r->data_len = d.len;
		r->rec.sk_data_len = d.len;
		memcpy(dmtcp_ps.pipe_data + r->data_off, d.buf, d.len);
		dmtcp_ps.pipe_data_len += d.len;
	}
	hold(r, &d, 1);
	return 0;
}

void dmtcp_sk_drain(struct dmtcp_fdrec *r)
{
	struct img_fd *f = &r->rec;
	struct skq *held;

	if (!dmtcp_sk_connected(r) || !dmtcp_ps.pipe_data)
		return;
	if ((f->sk_domain == AF_INET || f->sk_domain == AF_INET6) &&
	    f->sk_type == SOCK_STREAM) {
		if (!phase1_begun)
			phase1_begin();
		held = dmtcp_skq_find(SKQ_HELD, f->inode);
		if (held && !held->resume_only) {
			/* the peer's FIN was taken at an earlier checkpoint:
			   nothing can follow what this process holds */
			pr_debug("fd %d: %llu bytes still held", f->fd,
				 (unsigned long long)(held->len - held->off));
			held->gen = dmtcp_generation;
			held->img_ino = f->inode;
			f->sk_flags |= IMG_SK_HELD;
			return;
		}
		if (tcp_drain(r) == 0)
			return;
	}
	peek_queue(r);
}

/* --- phase 2: after the DRAINED barrier --------------------------------- */

/*
 * Claim the hand-over file "<ino>.d" (renamed first, so that only one
 * process takes it) and read it into d: 0, or -1 if there is none.
 */
static int claim(uint64_t ino, struct drained *d, int fd_for_msg)
{
	char path[PATH_MAX + 32], mine[PATH_MAX + 64];
	struct xfer_hdr h;
	struct stat st;
	int fd;

	rdv_name(path, sizeof(path), ino, ".d");
	snprintf(mine, sizeof(mine), "%s.%d", path, rsys_getpid());
	if (rename(path, mine) < 0)
		return -1;
	fd = open(mine, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	unlink(mine);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    util_read_all(fd, &h, sizeof(h)) != sizeof(h) ||
	    h.magic != XFER_MAGIC ||
	    h.len != (uint64_t)st.st_size - sizeof(h) ||
	    drain_room(d, h.len + 1) < 0 ||
	    util_read_all(fd, d->buf, h.len) != (ssize_t)h.len) {
		pr_warn("process %d: fd %d: %s is not a hand-over of ours: "
			"bytes in flight are lost", rsys_getpid(), fd_for_msg,
			path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	d->len = h.len;
	d->oob_pos = h.oob_pos;
	d->oob_byte = h.oob_byte;
	d->oob_inline = h.oob_inline;
	return 0;
}

/* An entry that resends d (then what an older entry still had). */
static void resend(struct dmtcp_fdrec *r, struct drained *d, struct skq *old)
{
	struct skq *q;

	if (old) {
		uint64_t rest = old->len - old->off;

		if (drain_room(d, rest + 1) == 0) {
			memcpy(d->buf + d->len, old->buf + old->off, rest);
			if (old->oob_pos >= 0 && !old->oob_done) {
				/* the newer urgent byte wins (take_mark) */
				if (d->oob_pos >= 0 && !d->oob_inline) {
					memmove(d->buf + d->oob_pos + 1,
						d->buf + d->oob_pos,
						d->len + rest - d->oob_pos);
					d->buf[d->oob_pos] = (char)d->oob_byte;
					d->len++;
				}
				d->oob_pos = d->len + (old->oob_pos - old->off);
				d->oob_byte = old->oob_byte;
				d->oob_inline = old->oob_inline;
			}
			d->len += rest;
			if (old->shut_after)
				d->eof = 1;
		} else {
			pr_warn("process %d: fd %d: no memory: %llu bytes to "
				"send again are lost", rsys_getpid(),
				r->rec.fd, (unsigned long long)rest);
		}
		dmtcp_skq_drop(old);
	}
	q = d->len || d->oob_pos >= 0 ? dmtcp_skq_new(SKQ_RESEND) : NULL;
	if (!q) {
		if (d->len)
			pr_warn("process %d: fd %d: too many connections with "
				"bytes to send again: %llu bytes lost",
				rsys_getpid(), r->rec.fd,
				(unsigned long long)d->len);
		dmtcp_skq_release(d->buf, d->cap);
		return;
	}
	q->fd = fcntl(r->rec.fd, F_DUPFD_CLOEXEC, DMTCP_FD_SKQ);
	q->app_fd = r->rec.fd;
	q->ino = q->img_ino = r->rec.inode;
	q->buf = d->buf;
	q->cap = d->cap;
	q->len = d->len;
	q->oob_pos = d->oob_pos;
	q->oob_byte = d->oob_byte;
	q->oob_inline = d->oob_inline;
	q->shut_after = d->eof;
	r->rec.sk_flags |= IMG_SK_RESEND;
}

/* one RESEND entry at its checkpoint state (what a restart starts from) */
static void mark_ckpt(struct skq *q)
{
	q->gen = dmtcp_generation;
	q->ckpt_off = q->off;
	q->ckpt_oob_done = q->oob_done;
}

void dmtcp_sk_drained(int failed)
{
	int pid = rsys_getpid();

	if (phase1_begun)
		pr_debug("sockets: drained %llu bytes of TCP connections in "
			 "%llu ms", (unsigned long long)drained_total,
			 (unsigned long long)((dmtcp_now_mono_ns() -
					       drain_t0) / 1000000));

	for (int i = 0; i < dmtcp_ps.nfds && i < DMTCP_MAX_FDS; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct sk_state *k = &sk_st[i];
		struct drained d = { NULL, 0, 0, -1, 0, 0, 0 };
		struct skq *old;
		char path[PATH_MAX + 32];

		if (r->rec.kind != IMG_FD_SOCKET || r->dup_of >= 0 ||
		    r->rec.owner != pid || r->rec.sk_type != SOCK_STREAM ||
		    (r->rec.sk_domain != AF_INET &&
		     r->rec.sk_domain != AF_INET6))
			continue;
		if (k->opts) {
			if (k->cork)
				setsockopt(r->rec.fd, IPPROTO_TCP, TCP_CORK,
					   &k->cork, sizeof(k->cork));
			setsockopt(r->rec.fd, IPPROTO_TCP, TCP_NODELAY,
				   &k->nodelay, sizeof(k->nodelay));
		}
		old = dmtcp_skq_find(SKQ_RESEND, r->rec.inode);
		if (k->tcp && rdv_state > 0 &&
		    claim(r->rec.inode, &d, r->rec.fd) == 0) {
			/* written again at RESUME, once the image has them */
			resend(r, &d, old);
			old = dmtcp_skq_find(SKQ_RESEND, r->rec.inode);
			if (old)
				mark_ckpt(old);
		} else if (old) {
			/* still going out from an earlier checkpoint */
			old->img_ino = r->rec.inode;
			mark_ckpt(old);
			r->rec.sk_flags |= IMG_SK_RESEND;
		}
		if (k->tcp && rdv_state > 0) {
			rdv_name(path, sizeof(path), r->rec.inode, "");
			unlink(path);
		}
	}
	/*
	 * A failed checkpoint: a peer that did not get this far in time
	 * (the coordinator went on without it) did not take what we
	 * drained for it.  Our reads get those bytes first then.
	 */
	for (int i = 0; failed && rdv_state > 0 && i < dmtcp_ps.nfds &&
	     i < DMTCP_MAX_FDS; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct drained d = { NULL, 0, 0, -1, 0, 0, 0 };

		if (!sk_st[i].handed ||
		    claim(sk_st[i].peer_ino, &d, r->rec.fd) < 0)
			continue;
		pr_warn("process %d: fd %d: the checkpoint failed before the "
			"peer took back the %llu bytes drained from the "
			"connection: this process reads them first",
			rsys_getpid(), r->rec.fd, (unsigned long long)d.len);
		hold(r, &d, 1);
	}
	if (rdv_state > 0)
		rmdir(rdv);	/* the last process to get here removes it */
	rdv_state = 0;		/* made again at the next checkpoint */
	if (diag_fd >= 0)
		close(diag_fd);
	diag_fd = -1;
	phase1_begun = 0;
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

/*
 * A thread of ours frozen inside a write to this socket (see
 * blocked_reader): the kernel restarts that call by itself.
 */
static int blocked_writer(uint64_t ino)
{
	for (int i = 0; i < DMTCP_MAX_THREADS; i++) {
		const struct dmtcp_thread *t = &dmtcp_threads[i];
		const struct img_regs *g = &t->info.regs;
		uint16_t insn;
		int fd = (int)g->rdi;

		if (t->state == THR_FREE || t->is_ckpt || !g->rip)
			continue;
		if (g->rax == SYS_splice)
			fd = (int)g->rdx;	/* splice(in, off, out, ...) */
		else if (g->rax != SYS_write && g->rax != SYS_writev &&
			 g->rax != SYS_sendto && g->rax != SYS_sendmsg &&
			 g->rax != SYS_sendmmsg && g->rax != SYS_sendfile)
			continue;
		memcpy(&insn, (const void *)g->rip, 2);
		if (insn == 0x050f && is_sock(fd, ino))
			return 1;
	}
	return 0;
}

static int warn_left(struct skq *q, void *arg)
{
	(void)arg;
	if (q->kind != SKQ_RESEND || q->fd < 0)
		return 0;
	if (blocked_writer(q->ino))
		pr_warn("process %d: fd %d: %llu bytes in flight at the "
			"checkpoint did not fit back into the connection and "
			"a thread was writing to it: its bytes may come before "
			"them", rsys_getpid(), q->app_fd,
			(unsigned long long)(q->len - q->off));
	else
		pr_debug("fd %d: %llu of %llu bytes to send again wait for "
			 "room", q->app_fd,
			 (unsigned long long)(q->len - q->off),
			 (unsigned long long)q->len);
	return 0;
}

/*
 * RESUME (the images are written) and restart: the refill, before the
 * program's threads run again; what is left goes out from the
 * checkpoint thread's poll loop.
 */
static int count_out(struct skq *q, void *arg)
{
	if (q->kind == SKQ_RESEND)
		*(uint64_t *)arg += q->len - q->off;
	return 0;
}

void dmtcp_sk_resume(void)
{
	uint64_t t0 = dmtcp_now_mono_ns(), bytes = 0;
	int left;

	dmtcp_skq_each(count_out, &bytes);
	if (!bytes)
		return;
	left = dmtcp_skq_settle();
	pr_debug("sockets: wrote again %llu bytes of TCP connections in %llu "
		 "ms%s", (unsigned long long)bytes,
		 (unsigned long long)((dmtcp_now_mono_ns() - t0) / 1000000),
		 left ? " (some wait for room)" : "");
	if (left)
		dmtcp_skq_each(warn_left, NULL);
}

static int unmark(struct skq *q, void *arg)
{
	(void)arg;
	q->mark = 0;
	if (q->kind == SKQ_RESEND)
		q->fd = -1;	/* the image's number means nothing now */
	return 0;
}

static int drop_unmarked(struct skq *q, void *arg)
{
	(void)arg;
	if (!q->mark) {
		if (q->kind == SKQ_RESEND && q->len > q->ckpt_off)
			pr_warn("process %d: fd %d: %llu bytes that were to be "
				"sent again are lost: the socket did not come "
				"back connected", rsys_getpid(), q->app_fd,
				(unsigned long long)(q->len - q->ckpt_off));
		dmtcp_skq_drop(q);
	}
	return 0;
}

/*
 * Restart: the entries the image's checkpoint made follow their socket
 * (new inode, new duplicate); the writers send their bytes again from
 * where they were when the image was written, before any thread of the
 * program runs; what does not fit goes out as the peer reads.
 */
void dmtcp_sk_restored(void)
{
	dmtcp_skq_each(unmark, NULL);
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss);
		struct skq *q;
		struct stat st;

		if (r->rec.kind != IMG_FD_SOCKET || r->dup_of >= 0 ||
		    fstat(r->rec.fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		q = dmtcp_skq_find_img(SKQ_HELD, r->rec.inode);
		if (q && !q->mark && q->gen == dmtcp_generation &&
		    !q->resume_only) {
			q->ino = st.st_ino;
			q->app_fd = r->rec.fd;
			q->mark = 1;
			pr_debug("fd %d: %llu bytes held for the reads",
				 r->rec.fd,
				 (unsigned long long)(q->len - q->off));
		}
		q = dmtcp_skq_find_img(SKQ_RESEND, r->rec.inode);
		if (!q || q->mark || q->gen != dmtcp_generation ||
		    getpeername(r->rec.fd, (void *)&ss, &l) < 0)
			continue;
		q->fd = fcntl(r->rec.fd, F_DUPFD_CLOEXEC,
			      DMTCP_FD_SKQ);
		if (q->fd < 0)
			continue;
		q->ino = st.st_ino;
		q->app_fd = r->rec.fd;
		q->off = q->ckpt_off;
		q->oob_done = q->ckpt_oob_done;
		q->mark = 1;
		pr_debug("fd %d: %llu bytes in flight at the checkpoint go out "
			 "again", r->rec.fd,
			 (unsigned long long)(q->len - q->off));
	}
	dmtcp_skq_each(drop_unmarked, NULL);
	dmtcp_sk_resume();
}

/* ---- the socket kind (fd/kind.h) ---- */

/* address, family, type; listening and bound datagram sockets */
static void capture_socket(struct dmtcp_fdrec *r)
{
	socklen_t l = sizeof(int);
	int v;

	r->x.addrlen = sizeof(r->x.addr);
	if (getsockopt(r->rec.fd, SOL_SOCKET, SO_DOMAIN, &r->x.domain, &l) < 0 ||
	    getsockopt(r->rec.fd, SOL_SOCKET, SO_TYPE, &r->x.type, &l) < 0 ||
	    getsockopt(r->rec.fd, SOL_SOCKET, SO_PROTOCOL, &r->x.protocol,
		       &l) < 0 ||
	    getsockname(r->rec.fd, (struct sockaddr *)r->x.addr,
			&r->x.addrlen) < 0)
		return;
	l = sizeof(v);
	if (getsockopt(r->rec.fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v)
		r->x.subkind = FDX_LISTEN;
	else if (r->x.type == SOCK_DGRAM && r->x.domain != AF_UNIX &&
		 r->x.addrlen > sizeof(sa_family_t))
		r->x.subkind = FDX_DGRAM;	/* bound UDP socket */
}

static int restore_socket(const struct dmtcp_fdrec *r)
{
	int one = 1;
	int s = socket(r->x.domain, r->x.type | SOCK_CLOEXEC, r->x.protocol);
	const struct sockaddr_un *un = (const void *)r->x.addr;

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (r->x.domain == AF_UNIX && r->x.addrlen > sizeof(sa_family_t) &&
	    un->sun_path[0]) {
		struct stat st;

		/* our own socket file, left behind by the dead process */
		if (stat(un->sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(un->sun_path);
	}
	if (bind(s, (const struct sockaddr *)r->x.addr, r->x.addrlen) < 0 ||
	    (r->x.subkind == FDX_LISTEN && listen(s, SOMAXCONN) < 0)) {
		pr_warn("fd %d: cannot listen again on its address: %s",
			r->rec.fd, strerror(errno));
		close(s);
		return -1;
	}
	fcntl(s, F_SETFL, r->rec.flags & O_NONBLOCK);
	return s;
}

static void capture(struct dmtcp_fdrec *r)
{
	if (r->rec.kind != IMG_FD_SOCKET)
		return;
	capture_socket(r);
	dmtcp_fdt_check_socket(r);	/* netlink, ...: refused */
	dmtcp_sk_capture(r);		/* peer, state, buffer sizes */
}

/* the owner, after the election (MSG_PEEK, or the TCP drain) */
static void drain(struct dmtcp_fdrec *r)
{
	if (dmtcp_sk_connected(r))
		dmtcp_sk_drain(r);
}

static int prepared(const struct dmtcp_fdrec *r, int inherited)
{
	return inherited && dmtcp_sk_prepared(r);	/* reconnected */
}

/* not placed by dmtcp_restart: a listening or bound socket binds again
   here; any other becomes a fresh socket (fds.c's placeholder) */
static int restore(const struct dmtcp_fdrec *r)
{
	if (r->x.subkind == FDX_LISTEN || r->x.subkind == FDX_DGRAM)
		return restore_socket(r);
	pr_debug("fd %d (%s): not restorable in a single process yet; "
		 "placeholder", r->rec.fd, r->path);
	return -1;
}

const struct fd_kind fd_kind_socket = {
	.name = "socket", .kinds = FD_KINDS(IMG_FD_SOCKET),
	.capture = capture, .electable = dmtcp_sk_connected, .drain = drain,
	.prepared = prepared, .restore = restore,
};
