/*
 * fd-kinds.c - descriptors a single process can get back by itself:
 * listening sockets (TCP, UDP, UNIX: bound to the same address again, a
 * restarted server accepts new clients), eventfd (same counter), and
 * epoll sets (the watch list from /proc/self/fdinfo, recreated after
 * every other fd).  Connected sockets to peers outside the restart come
 * back closed: reads see EOF, writes EPIPE (doc/design.md).
 */
#include "config.h"
#include "fd/fd.h"
#include "log.h"
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { FDX_NONE, FDX_LISTEN, FDX_DGRAM, FDX_EVENTFD, FDX_EPOLL };

struct watch {
	int32_t fd;
	uint32_t events;
	uint64_t data;
};

static int fdinfo(int fd, char *buf, size_t cap)
{
	char path[64];
	int f, n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, cap - 1);
	close(f);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

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

static void capture_epoll(struct dmtcp_fdrec *r)
{
	static char buf[64 * 1024];
	char *p;
	uint64_t start = dmtcp_ps.pipe_data_len;

	if (fdinfo(r->rec.fd, buf, sizeof(buf)) < 0 || !dmtcp_ps.pipe_data)
		return;
	r->x.subkind = FDX_EPOLL;
	r->x.nwatch = 0;
	for (p = strstr(buf, "tfd:"); p; p = strstr(p + 4, "tfd:")) {
		struct watch w;
		unsigned long long data = 0;
		unsigned events = 0;
		int tfd = -1;

		if (sscanf(p, "tfd: %d events: %x data: %llx", &tfd, &events,
			   &data) != 3)
			continue;
		w.fd = tfd;
		w.events = events;
		w.data = data;
		if (dmtcp_ps.pipe_data_len + sizeof(w) > (16u << 20))
			break;
		memcpy(dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len, &w,
		       sizeof(w));
		dmtcp_ps.pipe_data_len += sizeof(w);
		r->x.nwatch++;
	}
	r->data_off = start;
}

void dmtcp_fdx_capture(struct dmtcp_fdrec *r)
{
	char buf[1024], *p;

	memset(&r->x, 0, sizeof(r->x));
	if (r->rec.kind == IMG_FD_SOCKET) {
		capture_socket(r);
		dmtcp_fdt_check_socket(r);	/* netlink, ...: refused */
		return;
	}
	if (r->rec.kind == IMG_FD_TTY) {
		dmtcp_pty_capture(r);	/* fd-pty.c */
		return;
	}
	if (r->rec.kind != IMG_FD_OTHER)
		return;
	if (strcmp(r->path, "anon_inode:[eventfd]") == 0 &&
	    fdinfo(r->rec.fd, buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "eventfd-count:"))) {
		r->x.subkind = FDX_EVENTFD;
		r->x.count = strtoull(p + 14, NULL, 16);
	} else if (strcmp(r->path, "anon_inode:[eventpoll]") == 0) {
		capture_epoll(r);
	} else if (dmtcp_fdt_capture(r)) {
		/* fd-timers.c: signalfd, timerfd, inotify, pidfd, refused */
	} else {
		/* signalfd, timerfd, inotify, pidfd, ...: say so once each */
		static char warned[DMTCP_MAX_FDS];

		if (r->rec.fd < DMTCP_MAX_FDS && !warned[r->rec.fd]) {
			warned[r->rec.fd] = 1;
			pr_warn("process %d (%s): fd %d is %s, which is not "
				"restored yet: after a restart it reads from "
				"/dev/null", rsys_getpid(), dmtcp_cfg.progname,
				r->rec.fd, r->path);
		}
	}
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

int dmtcp_fdx_restore(const struct dmtcp_fdrec *r)
{
	int fd;

	switch (r->x.subkind) {
	case FDX_LISTEN:
	case FDX_DGRAM:
		return restore_socket(r);
	case FDX_EVENTFD:
		fd = eventfd(0, EFD_CLOEXEC |
			     (r->rec.flags & O_NONBLOCK ? EFD_NONBLOCK : 0));
		if (fd >= 0 && r->x.count) {
			uint64_t c = r->x.count;

			if (write(fd, &c, sizeof(c)) != sizeof(c))
				pr_debug("eventfd %d: refill: %s", r->rec.fd,
					 strerror(errno));
		}
		return fd;
	case FDX_EPOLL:
		return epoll_create1(EPOLL_CLOEXEC);
	default:
		fd = dmtcp_fdt_restore(r);
		return fd < -1 ? -1 : fd;
	}
}

/* After every fd is back: fill the epoll set at r->rec.fd. */
int dmtcp_fdx_late(const struct dmtcp_fdrec *r)
{
	const struct watch *w;

	if (r->x.subkind != FDX_EPOLL)
		return 0;
	w = (const struct watch *)(dmtcp_ps.pipe_data + r->data_off);
	for (uint32_t i = 0; i < r->x.nwatch; i++) {
		struct epoll_event ev;

		ev.events = w[i].events;
		ev.data.u64 = w[i].data;
		if (epoll_ctl(r->rec.fd, EPOLL_CTL_ADD, w[i].fd, &ev) < 0)
			pr_debug("epoll fd %d: watch %d: %s", r->rec.fd,
				 w[i].fd, strerror(errno));
	}
	return 0;
}
