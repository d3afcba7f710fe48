/*
 * fd/mqueue.c - POSIX message queues (mq_open) across checkpoint/restart
 * (doc/ipc.md).
 *
 * An mqd_t is an fd on the IPC namespace's mqueue filesystem (fstatfs
 * says MQUEUE_MAGIC; /proc/self/fd names it "/name").  At checkpoint
 * every fd of a queue is recorded as IMG_FD_MQUEUE with the queue's
 * attributes and mode; one process per queue saves the queued messages:
 * each process opens a private read descriptor of every queue it holds
 * (through /proc/self/fd) and tries flock(LOCK_EX | LOCK_NB) on it before
 * the leader election barrier; the one lock that succeeds, over all
 * processes, names the process that drains the queue after the barrier
 * (mq_timedreceive, non-blocking) and sends the messages straight back
 * with their priorities (same order), keeping a copy in pipe_data, which
 * the image holds.
 *
 * At restart (in the restart's own IPC namespace) every process reopens
 * its queues by name with O_CREAT and the saved attributes at the same fd
 * numbers; the process that drained sends the messages again.  Nothing
 * reads a queue before every process is back (restart barriers).
 *
 * Raw system calls and pipe_data only: threads may be frozen in malloc.
 */
#include "config.h"
#include "fd/buf.h"
#include "fd/kind.h"
#include "log.h"
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define MQUEUE_MAGIC 0x19800202
#define MAX_QUEUES 64
#define HDR_MAGIC 0x4d515545u	/* "MQUE" */

struct kattr {			/* struct mq_attr of the kernel */
	long flags, maxmsg, msgsize, curmsgs, pad[4];
};

/* In pipe_data at the fd record's data_off. */
struct mq_hdr {
	uint32_t magic;
	uint32_t mode;		/* permission bits */
	int64_t maxmsg, msgsize;
	uint64_t msgs_off;	/* drainer: messages in pipe_data */
	uint32_t nmsgs;
	uint32_t refilled;	/* restart: sent back already */
};

struct mq_msg {
	uint32_t prio;
	uint32_t len;		/* bytes follow, padded to 8 */
};

/* This checkpoint's queues: private read fd, lock won or not. */
static struct {
	uint64_t dev, inode;
	int rfd, won, rec;	/* rec: index of the first fd record */
} qs[MAX_QUEUES];
static int nqs;


static void *data_alloc(size_t len)
{
	void *p;

	len = (len + 7) & ~(size_t)7;
	if (!dmtcp_ps.pipe_data ||
	    !dmtcp_fd_data_fits(dmtcp_ps.pipe_data_len, len))
		return NULL;
	p = dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len;
	dmtcp_ps.pipe_data_len += len;
	return p;
}

static int reopen(int fd, int flags)
{
	char path[64];
	int r, hi;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = open(path, flags | O_CLOEXEC);
	if (r < 0)
		return -1;
	/* out of the numbers the program's fds are recorded from */
	hi = fcntl(r, F_DUPFD_CLOEXEC, DMTCP_FD_MQUEUE);
	close(r);
	return hi;
}

/*
 * After the fds are recorded, before the leader election barrier: mark
 * the queues, save their attributes, bid for draining them.
 */
int dmtcp_mq_capture(void)
{
	nqs = 0;
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct kattr a;
		struct statfs sf;
		struct mq_hdr *h;
		int q;

		if (r->rec.kind != IMG_FD_FILE ||
		    fstatfs(r->rec.fd, &sf) < 0 || sf.f_type != MQUEUE_MAGIC)
			continue;
		r->rec.kind = IMG_FD_MQUEUE;
		r->rec.offset = -1;
		if (r->dup_of >= 0)
			continue;	/* restored as a dup of its original */
		memset(&a, 0, sizeof(a));
		if (rsys3(SYS_mq_getsetattr, r->rec.fd, 0, (long)&a) < 0 ||
		    !(h = data_alloc(sizeof(*h)))) {
			pr_warn("process %d: message queue %s (fd %d): cannot "
				"save its attributes", rsys_getpid(), r->path,
				r->rec.fd);
			continue;
		}
		memset(h, 0, sizeof(*h));
		h->magic = HDR_MAGIC;
		h->mode = r->rec.mode & 07777;
		h->maxmsg = a.maxmsg;
		h->msgsize = a.msgsize;
		r->data_off = (char *)h - dmtcp_ps.pipe_data;
		r->data_len = sizeof(*h);
		for (q = 0; q < nqs; q++)
			if (qs[q].inode == r->rec.inode && qs[q].dev == r->rec.dev)
				break;
		if (q < nqs || nqs == MAX_QUEUES)
			continue;
		qs[q].dev = r->rec.dev;
		qs[q].inode = r->rec.inode;
		qs[q].rec = i;
		qs[q].won = 0;
		qs[q].rfd = reopen(r->rec.fd, O_RDONLY | O_NONBLOCK);
		nqs++;
		if (qs[q].rfd >= 0 && flock(qs[q].rfd, LOCK_EX | LOCK_NB) == 0)
			qs[q].won = 1;
	}
	return 0;
}

/* After the election barrier: the winners drain and refill. */
void dmtcp_mq_drain(void)
{
	for (int q = 0; q < nqs; q++) {
		struct dmtcp_fdrec *r = &dmtcp_ps.fds[qs[q].rec];
		struct mq_hdr *h = (struct mq_hdr *)(dmtcp_ps.pipe_data +
						     r->data_off);
		char *start;
		int wfd, n = 0;

		if (!qs[q].won || r->data_len < sizeof(*h))
			continue;
		h->msgs_off = dmtcp_ps.pipe_data_len;
		start = dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len;
		for (;;) {
			struct mq_msg *m = data_alloc(sizeof(*m) + h->msgsize);
			unsigned prio = 0;
			long len;

			if (!m) {
				pr_warn("process %d: message queue %s: too many "
					"bytes queued; the rest is not saved",
					rsys_getpid(), r->path);
				break;
			}
			len = rsys5(SYS_mq_timedreceive, qs[q].rfd,
				    (long)(m + 1), h->msgsize, (long)&prio, 0);
			if (len < 0) {
				dmtcp_ps.pipe_data_len -=
					(sizeof(*m) + h->msgsize + 7) & ~7ul;
				break;
			}
			m->prio = prio;
			m->len = (uint32_t)len;
			/* give back what this message did not use */
			dmtcp_ps.pipe_data_len -=
				((sizeof(*m) + h->msgsize + 7) & ~7ul) -
				((sizeof(*m) + len + 7) & ~7ul);
			n++;
		}
		h->nmsgs = n;
		if (!n)
			continue;
		/* the running computation must not notice */
		wfd = reopen(qs[q].rfd, O_WRONLY | O_NONBLOCK);
		for (char *p = start; wfd >= 0 && n-- > 0;) {
			struct mq_msg *m = (struct mq_msg *)p;

			if (rsys5(SYS_mq_timedsend, wfd, (long)(m + 1), m->len,
				  m->prio, 0) < 0)
				pr_warn("process %d: message queue %s: cannot "
					"put a message back", rsys_getpid(),
					r->path);
			p += (sizeof(*m) + m->len + 7) & ~7ul;
		}
		if (wfd < 0)
			pr_warn("process %d: message queue %s: cannot put its "
				"%u messages back: %s", rsys_getpid(), r->path,
				h->nmsgs, strerror(errno));
		else
			close(wfd);
		pr_debug("message queue %s: %u messages saved", r->path,
			 h->nmsgs);
	}
}

void dmtcp_mq_drain_done(void)
{
	for (int q = 0; q < nqs; q++)
		if (qs[q].rfd >= 0)
			close(qs[q].rfd);	/* and the lock */
	nqs = 0;
}

static void raise_limit(const char *path, long want)
{
	char buf[32];
	long cur = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		for (char *p = buf; *p >= '0' && *p <= '9'; p++)
			cur = cur * 10 + (*p - '0');
	}
	if (cur >= want)
		return;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%ld", want);
	if (write(fd, buf, n) != n)
		pr_debug("%s: cannot raise to %ld", path, want);
	close(fd);
}

/* Restart: the queue at its name, its messages back; an fd or -1. */
int dmtcp_mq_restore(const struct dmtcp_fdrec *f)
{
	struct mq_hdr *h = (struct mq_hdr *)(dmtcp_ps.pipe_data + f->data_off);
	char name[PATH_MAX];
	struct kattr a;
	const char *del;
	long fd, old;
	int flags = (f->rec.flags & (O_ACCMODE | O_NONBLOCK)) | O_CREAT |
		    O_CLOEXEC;

	if (!dmtcp_ps.pipe_data || f->data_len < sizeof(*h) ||
	    h->magic != HDR_MAGIC || f->path[0] != '/')
		return -1;
	/* the name without "/" (as the system call wants it) */
	snprintf(name, sizeof(name), "%s", f->path + 1);
	del = strstr(name, " (deleted)");
	if (del)
		name[del - name] = 0;
	memset(&a, 0, sizeof(a));
	a.maxmsg = h->maxmsg;
	a.msgsize = h->msgsize;
	old = rsys1(SYS_umask, 0);
	fd = rsys4(SYS_mq_open, (long)name, flags, h->mode, (long)&a);
	if (fd == -EINVAL || fd == -EMFILE) {
		/* the namespace's limits are lower: raise them if ours */
		raise_limit("/proc/sys/fs/mqueue/msg_max", h->maxmsg);
		raise_limit("/proc/sys/fs/mqueue/msgsize_max", h->msgsize);
		fd = rsys4(SYS_mq_open, (long)name, flags, h->mode, (long)&a);
	}
	rsys1(SYS_umask, old);
	if (fd < 0) {
		pr_warn("process %d: cannot recreate message queue %s (fd %d, "
			"%lld messages of %lld bytes): %s", rsys_getpid(),
			f->path, f->rec.fd, (long long)h->maxmsg,
			(long long)h->msgsize, strerror((int)-fd));
		return -1;
	}
	if (del)
		pr_warn("process %d: message queue %s was removed "
			"(mq_unlink) but open: it is back under its name",
			rsys_getpid(), f->path);
	if (h->nmsgs && !h->refilled) {
		long wfd = rsys4(SYS_mq_open, (long)name,
				 O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0, 0);
		const char *p = dmtcp_ps.pipe_data + h->msgs_off;

		for (uint32_t i = 0; wfd >= 0 && i < h->nmsgs; i++) {
			const struct mq_msg *m = (const struct mq_msg *)p;
			long r = rsys5(SYS_mq_timedsend, wfd, (long)(m + 1),
				       m->len, m->prio, 0);

			if (r < 0) {
				pr_warn("process %d: message queue %s: message "
					"%u of %u not restored: %s",
					rsys_getpid(), f->path, i, h->nmsgs,
					strerror((int)-r));
				break;
			}
			p += (sizeof(*m) + m->len + 7) & ~7ul;
		}
		if (wfd >= 0)
			close((int)wfd);
		h->refilled = 1;
	}
	return (int)fd;
}

static void capture_end(void)
{
	dmtcp_mq_capture();	/* kind, attributes, drain bids */
}

const struct fd_kind fd_kind_mqueue = {
	.name = "message queue", .kinds = FD_KINDS(IMG_FD_MQUEUE),
	.capture_end = capture_end, .drain_end = dmtcp_mq_drain,
	.drain_done = dmtcp_mq_drain_done, .restore = dmtcp_mq_restore,
};
