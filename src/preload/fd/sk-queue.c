/*
 * fd/sk-queue.c - bytes of a TCP connection that the checkpoint took out of
 * the kernel and that this process must give back (doc/sockets.md,
 * "Drain and refill").
 *
 * Two kinds of entries, each for one socket of this process:
 *
 * - RESEND: bytes this process had written and its peer (in the
 *   computation) had not read yet.  The peer drained them at checkpoint
 *   time and handed them back (fd/socket.c); they are written into the
 *   socket again, ahead of anything new: as much as the socket takes at
 *   once, the rest ("remainder") by the checkpoint thread as room
 *   appears (dmtcp_skq_pollfds/dmtcp_skq_flush_ready, called from its
 *   poll loop), and the program's own writes to that socket wait until
 *   the remainder is out (the write wrappers below: blocking sockets
 *   block, non-blocking ones get EAGAIN).  A shutdown(SHUT_WR) asked
 *   meanwhile is done after the remainder.
 *
 * - HELD: bytes this process had not read yet from a connection whose
 *   peer had shut its writing down.  They cannot be written back (the
 *   peer cannot write any more), so the read wrappers hand them to the
 *   program before what the kernel has, which is the EOF: the socket
 *   stays readable (EOF), so poll/select/epoll wake the program up as
 *   they would have for the data.
 *
 * Buffers are anonymous mappings (saved in the image with the rest of
 * the memory: a restarted process still has its entries).  Every step
 * that moves bytes and updates the offsets runs inside a checkpoint
 * critical section (dmtcp_crit_enter), so an image never shows bytes as
 * both sent and pending.  The checkpoint thread itself runs the steps
 * during a checkpoint, when the other threads are frozen, and bypasses
 * the wrappers.
 */
#include "config.h"
#include "fd/fd.h"
#include "fd/buf.h"
#include "fd/socket.h"
#include "log.h"
#include "base/sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))
#define SKQ_MAX 256
#define SKQ_FD_BASE (DMTCP_FD_SKQ)

static struct skq qs[SKQ_MAX];
static volatile int nresend, nheld;	/* active entries of each kind */

/* --- buffers ----------------------------------------------------------- */

char *dmtcp_skq_alloc(uint64_t cap)
{
	void *p = mmap(NULL, dmtcp_skq_span(cap), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Grow a buffer from dmtcp_skq_alloc to at least cap bytes. */
char *dmtcp_skq_grow(char *buf, uint64_t old, uint64_t cap)
{
	void *p = mremap(buf, dmtcp_skq_span(old), dmtcp_skq_span(cap),
			 MREMAP_MAYMOVE);

	return p == MAP_FAILED ? NULL : p;
}

void dmtcp_skq_release(char *buf, uint64_t cap)
{
	if (buf)
		munmap(buf, dmtcp_skq_span(cap));
}

static void drop(struct skq *q)
{
	if (!q->used)
		return;
	if (q->kind == SKQ_RESEND) {
		if (q->fd >= 0)
			close(q->fd);
		__atomic_sub_fetch(&nresend, 1, __ATOMIC_SEQ_CST);
	} else {
		__atomic_sub_fetch(&nheld, 1, __ATOMIC_SEQ_CST);
	}
	dmtcp_skq_release(q->buf, q->cap);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

/* --- lookup ------------------------------------------------------------ */

/* An entry of ours (not inherited from the parent of a fork). */
static int mine(const struct skq *q)
{
	return q->used && q->pid == rsys_getpid();
}

struct skq *dmtcp_skq_find(int kind, uint64_t ino)
{
	for (int i = 0; i < SKQ_MAX; i++)
		if (qs[i].used && qs[i].kind == kind && qs[i].ino == ino &&
		    qs[i].pid == rsys_getpid())
			return &qs[i];
	return NULL;
}

struct skq *dmtcp_skq_find_img(int kind, uint64_t img_ino)
{
	for (int i = 0; i < SKQ_MAX; i++)
		if (qs[i].used && qs[i].kind == kind &&
		    qs[i].img_ino == img_ino && qs[i].pid == rsys_getpid())
			return &qs[i];
	return NULL;
}

struct skq *dmtcp_skq_new(int kind)
{
	for (int i = 0; i < SKQ_MAX; i++) {
		struct skq *q = &qs[i];

		if (q->used && q->pid != rsys_getpid())
			drop(q);	/* a forked child's copy: the parent's */
		if (q->used)
			continue;
		memset(q, 0, sizeof(*q));
		q->used = 1;
		q->kind = kind;
		q->pid = rsys_getpid();
		q->fd = -1;
		q->oob_pos = -1;
		if (kind == SKQ_RESEND)
			__atomic_add_fetch(&nresend, 1, __ATOMIC_SEQ_CST);
		else
			__atomic_add_fetch(&nheld, 1, __ATOMIC_SEQ_CST);
		return q;
	}
	return NULL;
}

void dmtcp_skq_drop(struct skq *q)
{
	drop(q);
}

/* Each entry in turn (fn returns nonzero to stop). */
void dmtcp_skq_each(int (*fn)(struct skq *q, void *arg), void *arg)
{
	for (int i = 0; i < SKQ_MAX; i++)
		if (mine(&qs[i]) && fn(&qs[i], arg))
			break;
}

/* The socket inode behind fd, 0 if it is not a socket. */
static uint64_t sock_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	return st.st_ino;
}

static int is_ckpt_thread(void)
{
	return dmtcp_ckpt_tid && rsys_gettid() == dmtcp_ckpt_tid;
}

/* --- sending the remainder ------------------------------------------------ */

static ssize_t raw_send(int fd, const void *b, size_t n, int flags)
{
	long r = rsys6(SYS_sendto, fd, (long)b, (long)n,
		       flags | MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/*
 * Write what the socket takes now, in order, the urgent byte with
 * MSG_OOB at its place.  1: everything is out (the entry is gone), 0:
 * the socket is full, -1: the connection is gone (entry dropped, with a
 * warning).  The caller keeps checkpoints out (critical section, or the
 * checkpoint thread during a checkpoint).
 */
int dmtcp_skq_flush(struct skq *q)
{
	for (;;) {
		uint64_t end = q->len;
		ssize_t n;

		if (q->oob_pos >= 0 && !q->oob_done &&
		    q->off == (uint64_t)q->oob_pos) {
			unsigned char b = q->oob_inline ? (unsigned char)
					  q->buf[q->off] : q->oob_byte;

			n = raw_send(q->fd, &b, 1, MSG_OOB);
			if (n == 1) {
				q->oob_done = 1;
				if (q->oob_inline)
					q->off++;
				continue;
			}
		} else if (q->off < q->len) {
			if (q->oob_pos >= 0 && !q->oob_done &&
			    (uint64_t)q->oob_pos > q->off)
				end = q->oob_pos;
			n = raw_send(q->fd, q->buf + q->off, end - q->off, 0);
			if (n > 0) {
				q->off += n;
				continue;
			}
		} else {
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		pr_warn("process %d: fd %d: %llu bytes to send again to the "
			"peer are lost: %s", rsys_getpid(), q->app_fd,
			(unsigned long long)(q->len - q->off),
			n < 0 ? strerror(errno) : "short write");
		drop(q);
		return -1;
	}
	if (q->shut_after)	/* raw: our wrapper would defer it again */
		rsys2(SYS_shutdown, q->fd, SHUT_WR);
	pr_debug("fd %d: the %llu bytes in flight at the checkpoint are "
		 "back in the socket", q->app_fd, (unsigned long long)q->len);
	drop(q);
	return 1;
}

/*
 * RESUME and restart, before the program's threads run: the bytes in
 * flight fitted in the connection before the checkpoint, so they fit
 * again once the kernel has sent what it holds (the send buffer fills up
 * faster than the ACKs come back).  Wait for that, bounded: a thread
 * frozen inside write() on the socket goes on with its write by itself
 * when it runs again (the kernel restarts the call, past our wrappers),
 * so its bytes must come after ours.  0, or the number of sockets whose
 * remainder is left to the poll loop.
 */
#define SETTLE_STALL_MS 1000
#define SETTLE_MAX_MS 5000
#define SETTLE_GROW_MS 100

/*
 * The receiver's window came back a little smaller than it was (its
 * kernel shrinks it under memory pressure and grows it back slowly):
 * make room in our send buffer for what is left instead, as far as we
 * may (SO_SNDBUFFORCE, else up to net.core.wmem_max).  Bytes in the send
 * buffer go out whatever becomes of this process; a remainder kept here
 * does not survive its death.
 */
static void grow_sndbuf(struct skq *q)
{
	int cur = 0, v;
	socklen_t l = sizeof(cur);
	uint64_t want;

	if (getsockopt(q->fd, SOL_SOCKET, SO_SNDBUF, &cur, &l) < 0)
		return;
	want = (uint64_t)cur + (q->len - q->off) + 65536;
	if (want > (1u << 30))
		want = 1u << 30;
	v = (int)(want / 2 + 1);	/* the kernel doubles it */
	if (setsockopt(q->fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0 &&
	    setsockopt(q->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0) {
		int now = 0;

		/* capped by wmem_max: never smaller than it was */
		if (getsockopt(q->fd, SOL_SOCKET, SO_SNDBUF, &now, &l) == 0 &&
		    now < cur) {
			v = cur / 2;
			setsockopt(q->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
		}
	}
}

static int settle(int stall_ms, int max_ms)
{
	uint64_t t0 = dmtcp_now_mono_ns(), progress = t0;
	int left = 0, grown = 0;

	for (;;) {
		struct pollfd p[SKQ_MAX];
		int n = 0, moved = 0;
		uint64_t now;

		for (int i = 0; i < SKQ_MAX; i++) {
			struct skq *q = &qs[i];
			uint64_t before;

			if (!mine(q) || q->kind != SKQ_RESEND || q->fd < 0)
				continue;
			before = q->off + q->oob_done;
			if (dmtcp_skq_flush(q) != 0) {
				moved = 1;	/* done, or gone */
				continue;
			}
			if (q->off + q->oob_done != before)
				moved = 1;
			p[n].fd = q->fd;
			p[n++].events = POLLOUT;
		}
		now = dmtcp_now_mono_ns();
		if (moved)
			progress = now;
		left = n;
		if (!n || (now - progress) / 1000000 > (uint64_t)stall_ms ||
		    (now - t0) / 1000000 > (uint64_t)max_ms)
			break;
		if (!grown && (now - progress) / 1000000 > SETTLE_GROW_MS) {
			grown = 1;
			for (int i = 0; i < SKQ_MAX; i++)
				if (mine(&qs[i]) && qs[i].kind == SKQ_RESEND &&
				    qs[i].fd >= 0)
					grow_sndbuf(&qs[i]);
			continue;
		}
		poll(p, n, 20);
	}
	return left;
}

int dmtcp_skq_settle(void)
{
	return settle(SETTLE_STALL_MS, SETTLE_MAX_MS);
}

/*
 * The process ends (exit, return from main, _exit) with a remainder: the
 * kernel would have delivered bytes of its send queue after the end, so
 * wait for them to go out, bounded.
 */
#define EXIT_STALL_MS 3000
#define EXIT_MAX_MS 30000

void dmtcp_skq_flush_at_exit(void)
{
	int left;

	if (!nresend || is_ckpt_thread())
		return;
	dmtcp_crit_enter();
	left = settle(EXIT_STALL_MS, EXIT_MAX_MS);
	for (int i = 0; left && i < SKQ_MAX; i++)
		if (mine(&qs[i]) && qs[i].kind == SKQ_RESEND)
			pr_warn("process %d: fd %d: exits with %llu bytes of "
				"a checkpoint not sent again (the peer does "
				"not read): lost", rsys_getpid(),
				qs[i].app_fd,
				(unsigned long long)(qs[i].len - qs[i].off));
	dmtcp_crit_leave();
}

__attribute__((destructor)) static void skq_fini(void)
{
	dmtcp_skq_flush_at_exit();
}

/* --- the checkpoint thread's poll loop ----------------------------------- */

int dmtcp_skq_pollfds(struct pollfd *p, int max)
{
	int n = 0;

	if (!nresend)
		return 0;
	for (int i = 0; i < SKQ_MAX && n < max; i++) {
		struct skq *q = &qs[i];

		if (q->used && q->pid != rsys_getpid()) {
			/* inherited over fork: the parent sends them */
			dmtcp_crit_enter();
			drop(q);
			dmtcp_crit_leave();
			continue;
		}
		if (!q->used || q->kind != SKQ_RESEND || q->fd < 0)
			continue;
		p[n].fd = q->fd;
		p[n].events = POLLOUT;
		p[n++].revents = 0;
	}
	return n;
}

void dmtcp_skq_flush_ready(const struct pollfd *p, int n)
{
	for (int k = 0; k < n; k++) {
		if (!p[k].revents)
			continue;
		dmtcp_crit_enter();
		for (int i = 0; i < SKQ_MAX; i++)
			if (mine(&qs[i]) && qs[i].kind == SKQ_RESEND &&
			    qs[i].fd == p[k].fd) {
				dmtcp_skq_flush(&qs[i]);
				break;
			}
		dmtcp_crit_leave();
	}
}

/* --- wrappers ------------------------------------------------------------- */


/*
 * Is there an entry of this kind for fd's socket?  A look without the
 * critical section, so that other sockets' reads and writes do not wait
 * for it (entries appear only while the threads are frozen); the caller
 * looks again inside it.
 */
static int candidate(int kind, int fd)
{
	uint64_t ino = sock_ino(fd);

	if (!ino || is_ckpt_thread())
		return 0;
	for (int i = 0; i < SKQ_MAX; i++)
		if (qs[i].used && qs[i].kind == kind && qs[i].ino == ino)
			return 1;
	return 0;
}

/*
 * Before the program writes to fd: the remainder of its socket first.
 * 0 to go on with the write, -1 with errno (EAGAIN for a non-blocking
 * socket or MSG_DONTWAIT whose remainder is not out yet, EPIPE after a
 * shutdown that waits for the remainder).
 */
static int before_write(int fd, int dontwait)
{
	if (!candidate(SKQ_RESEND, fd))
		return 0;
	for (;;) {
		struct skq *q;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int rc = 0, shut = 0;

		/* the inode inside the critical section: a restart while we
		   waited for it gave the socket a new one */
		dmtcp_crit_enter();
		q = dmtcp_skq_find(SKQ_RESEND, sock_ino(fd));
		if (q) {
			shut = q->shut_after;
			rc = shut ? 1 : dmtcp_skq_flush(q);
		}
		dmtcp_crit_leave();
		if (shut) {
			errno = EPIPE;
			return -1;
		}
		if (!q || rc != 0)
			return 0;
		if (dontwait || (fcntl(fd, F_GETFL) & O_NONBLOCK)) {
			errno = EAGAIN;
			return -1;
		}
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return 0;
	}
}

#define WRITE_GUARD(fd, dontwait)					\
	do {								\
		if (__builtin_expect(nresend != 0, 0) &&		\
		    before_write(fd, dontwait) < 0)			\
			return -1;					\
	} while (0)

API ssize_t write(int fd, const void *buf, size_t n)
{
	WRITE_GUARD(fd, 0);
	return REAL(write)(fd, buf, n);
}

API ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	WRITE_GUARD(fd, 0);
	return REAL(writev)(fd, iov, cnt);
}

API ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	WRITE_GUARD(fd, flags & MSG_DONTWAIT);
	return REAL(send)(fd, buf, n, flags);
}

API ssize_t sendto(int fd, const void *buf, size_t n, int flags,
		   const struct sockaddr *a, socklen_t al)
{
	WRITE_GUARD(fd, flags & MSG_DONTWAIT);
	return REAL(sendto)(fd, buf, n, flags, a, al);
}

API ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	WRITE_GUARD(fd, flags & MSG_DONTWAIT);
	return REAL(sendmsg)(fd, m, flags);
}

API int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	WRITE_GUARD(fd, flags & MSG_DONTWAIT);
	return REAL(sendmmsg)(fd, v, n, flags);
}

API ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	WRITE_GUARD(out, 0);
	return REAL(sendfile)(out, in, off, n);
}

API ssize_t splice(int in, loff_t *ioff, int out, loff_t *ooff, size_t n,
		   unsigned int flags)
{
	WRITE_GUARD(out, flags & SPLICE_F_NONBLOCK);
	return REAL(splice)(in, ioff, out, ooff, n, flags);
}

/* shutdown(SHUT_WR) with a remainder pending: after the remainder */
API int shutdown(int fd, int how)
{
	if (__builtin_expect(nresend != 0, 0) && how != SHUT_RD &&
	    candidate(SKQ_RESEND, fd)) {
		struct skq *q;

		dmtcp_crit_enter();
		q = dmtcp_skq_find(SKQ_RESEND, sock_ino(fd));
		if (q)
			q->shut_after = 1;
		dmtcp_crit_leave();
		if (q)
			return how == SHUT_RDWR ? REAL(shutdown)(fd, SHUT_RD) :
			       0;
	}
	return REAL(shutdown)(fd, how);
}

/*
 * Held bytes for fd, copied into the iovecs: the count, or 0 when there
 * are none (the caller asks the kernel).
 */
static ssize_t take_held(int fd, const struct iovec *iov, int cnt, int peek)
{
	ssize_t got = 0;
	struct skq *q;

	if (!candidate(SKQ_HELD, fd))
		return 0;
	/* the inode inside the critical section (see before_write) */
	dmtcp_crit_enter();
	q = dmtcp_skq_find(SKQ_HELD, sock_ino(fd));
	if (q) {
		uint64_t off = q->off;

		for (int i = 0; i < cnt && off < q->len; i++) {
			size_t k = iov[i].iov_len;

			if (k > q->len - off)
				k = q->len - off;
			memcpy(iov[i].iov_base, q->buf + off, k);
			off += k;
			got += k;
		}
		if (!peek) {
			q->off = off;
			if (q->off >= q->len)
				drop(q);
		}
	}
	dmtcp_crit_leave();
	return got;
}

/*
 * Held bytes come before the kernel's EOF.  Checked before the system
 * call, and again when it returns 0: a thread that was inside a read when
 * the checkpoint made the entry (blocked, or between this check and the
 * system call) gets the EOF from the kernel first.
 */
#define HELD(fd, iov, cnt, peek)					\
	(__builtin_expect(nheld != 0, 0) ? take_held(fd, iov, cnt, peek) : 0)

#define READ_CALL(fd, iov, cnt, peek, call)				\
	do {								\
		ssize_t r_ = HELD(fd, iov, cnt, peek);			\
		if (r_ > 0)						\
			return r_;					\
		r_ = (call);						\
		if (r_ == 0) {						\
			ssize_t h_ = HELD(fd, iov, cnt, peek);		\
			if (h_ > 0)					\
				return h_;				\
		}							\
		return r_;						\
	} while (0)

API ssize_t read(int fd, void *buf, size_t n)
{
	struct iovec v = { buf, n };

	if (!n)
		return REAL(read)(fd, buf, n);
	READ_CALL(fd, &v, 1, 0, REAL(read)(fd, buf, n));
}

API ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap)
{
	struct iovec v = { buf, n };

	if (!n || n > cap)
		return REAL(__read_chk)(fd, buf, n, cap);
	READ_CALL(fd, &v, 1, 0, REAL(__read_chk)(fd, buf, n, cap));
}

API ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	READ_CALL(fd, iov, cnt, 0, REAL(readv)(fd, iov, cnt));
}

API ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	struct iovec v = { buf, n };

	if (!n || (flags & MSG_OOB))
		return REAL(recv)(fd, buf, n, flags);
	READ_CALL(fd, &v, 1, flags & MSG_PEEK, REAL(recv)(fd, buf, n, flags));
}

API ssize_t __recv_chk(int fd, void *buf, size_t n, size_t cap, int flags)
{
	struct iovec v = { buf, n };

	if (!n || n > cap || (flags & MSG_OOB))
		return REAL(__recv_chk)(fd, buf, n, cap, flags);
	READ_CALL(fd, &v, 1, flags & MSG_PEEK,
		  REAL(__recv_chk)(fd, buf, n, cap, flags));
}

API ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
		     struct sockaddr *a, socklen_t *al)
{
	struct iovec v = { buf, n };
	ssize_t k = 0;

	if (!n || (flags & MSG_OOB))
		return REAL(recvfrom)(fd, buf, n, flags, a, al);
	k = HELD(fd, &v, 1, flags & MSG_PEEK);
	if (k <= 0) {
		k = REAL(recvfrom)(fd, buf, n, flags, a, al);
		if (k != 0)
			return k;
		k = HELD(fd, &v, 1, flags & MSG_PEEK);
		if (k <= 0)
			return 0;
	}
	if (al)
		*al = 0;	/* TCP: no address */
	return k;
}

API ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t cap,
			   int flags, struct sockaddr *a, socklen_t *al)
{
	if (n <= cap)
		return recvfrom(fd, buf, n, flags, a, al);
	return REAL(__recvfrom_chk)(fd, buf, n, cap, flags, a, al);
}

API ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t k = 0;

	if (flags & MSG_OOB)
		return REAL(recvmsg)(fd, m, flags);
	k = HELD(fd, m->msg_iov, (int)m->msg_iovlen, flags & MSG_PEEK);
	if (k <= 0) {
		k = REAL(recvmsg)(fd, m, flags);
		if (k != 0)
			return k;
		k = HELD(fd, m->msg_iov, (int)m->msg_iovlen,
			 flags & MSG_PEEK);
		if (k <= 0)
			return 0;
	}
	m->msg_namelen = 0;
	m->msg_controllen = 0;
	m->msg_flags = 0;
	return k;
}
