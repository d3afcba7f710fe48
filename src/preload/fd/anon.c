/*
 * fd/anon.c - the kind of descriptors on anonymous inodes: eventfd (the
 * same counter again), epoll (the watch list from /proc/self/fdinfo,
 * filled again after every other fd is back), and through fd/timers.c
 * signalfd, timerfd, inotify and pidfd, and the ones that cannot be
 * checkpointed (the checkpoint fails with a message naming them).
 * Anything else of the kind comes back reading from /dev/null, said once.
 */
#include "config.h"
#include "fd/buf.h"
#include "fd/fdinfo.h"
#include "fd/kind.h"
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


struct watch {
	int32_t fd;
	uint32_t events;
	uint64_t data;
};

static void capture_epoll(struct dmtcp_fdrec *r)
{
	static char buf[64 * 1024];
	const char *p = buf;
	struct watch w;
	uint64_t start = dmtcp_ps.pipe_data_len;

	if (dmtcp_read_fdinfo(r->rec.fd, buf, sizeof(buf)) < 0 || !dmtcp_ps.pipe_data)
		return;
	r->x.subkind = FDX_EPOLL;
	r->x.nwatch = 0;
	while (dmtcp_fdinfo_epoll_next(&p, &w.fd, &w.events, &w.data)) {
		if (!dmtcp_fd_data_fits(dmtcp_ps.pipe_data_len, sizeof(w)))
			break;
		memcpy(dmtcp_ps.pipe_data + dmtcp_ps.pipe_data_len, &w,
		       sizeof(w));
		dmtcp_ps.pipe_data_len += sizeof(w);
		r->x.nwatch++;
	}
	r->data_off = start;
}

static void capture(struct dmtcp_fdrec *r)
{
	char buf[1024];
	uint64_t count;

	if (r->rec.kind != IMG_FD_OTHER)
		return;
	if (strcmp(r->path, "anon_inode:[eventfd]") == 0 &&
	    dmtcp_read_fdinfo(r->rec.fd, buf, sizeof(buf)) > 0 &&
	    dmtcp_fdinfo_hex(buf, "eventfd-count:", &count)) {
		r->x.subkind = FDX_EVENTFD;
		r->x.count = count;
	} else if (strcmp(r->path, "anon_inode:[eventpoll]") == 0) {
		capture_epoll(r);
	} else if (dmtcp_fdt_capture(r)) {
		/* fd/timers.c: signalfd, timerfd, inotify, pidfd, refused */
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

static int restore(const struct dmtcp_fdrec *r)
{
	int fd;

	switch (r->x.subkind) {
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
		if (fd < 0)
			pr_debug("fd %d (%s): not restorable in a single "
				 "process yet; placeholder", r->rec.fd,
				 r->path);
		return fd < -1 ? -1 : fd;
	}
}

/* After every fd is back: fill the epoll set at r->rec.fd. */
static void late(const struct dmtcp_fdrec *r)
{
	const struct watch *w;

	if (r->x.subkind != FDX_EPOLL)
		return;
	w = (const struct watch *)(dmtcp_ps.pipe_data + r->data_off);
	for (uint32_t i = 0; i < r->x.nwatch; i++) {
		struct epoll_event ev;

		ev.events = w[i].events;
		ev.data.u64 = w[i].data;
		if (epoll_ctl(r->rec.fd, EPOLL_CTL_ADD, w[i].fd, &ev) < 0)
			pr_debug("epoll fd %d: watch %d: %s", r->rec.fd,
				 w[i].fd, strerror(errno));
	}
}

const struct fd_kind fd_kind_anon = {
	.name = "anonymous inode", .kinds = FD_KINDS(IMG_FD_OTHER),
	.capture = capture, .capture_end = dmtcp_fdt_capture_end,
	.refused = dmtcp_fdt_refused, .restore = restore, .late = late,
};
