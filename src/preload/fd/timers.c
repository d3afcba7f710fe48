/*
 * fd/timers.c - signalfd, timerfd, inotify and pidfd descriptors, and
 * the refusal to checkpoint kinds nothing restores.
 *
 * Their state is read at checkpoint time (from /proc/self/fdinfo, and
 * for inotify from the wrappers below, which remember the path of each
 * watch) into this file's tables, which are part of the process memory
 * and so of the image; a restarted process recreates each object from
 * them:
 *   signalfd  same mask and flags; signals pending for it stay pending
 *             (procstate.c re-raises them after the restart).
 *   timerfd   same clock and flags, armed again with the time that was
 *             left and the same interval (a relative timer: the time
 *             the computation was not running does not count; a
 *             CLOCK_REALTIME timer set with TFD_TIMER_ABSTIME keeps its
 *             wall-clock deadline);
 *             expirations not read yet are put back (TFD_IOC_SET_TICKS,
 *             else one immediate expiration).
 *   inotify   every watch added again on the same path with the same
 *             mask, in the order of the watch descriptors; gaps in the
 *             numbering are reproduced with throw-away watches so each
 *             watch keeps its number.  Events queued and not read at
 *             checkpoint time are lost.
 *   pidfd     pidfd_open() of the same pid (in the restart's pid
 *             namespace it is the same process if it was restarted too).
 * Anything else that is an anonymous inode (perf_event, userfaultfd,
 * io_uring, fanotify, bpf maps, ...) or a socket of a family nothing
 * restores (netlink, packet, ...) makes the checkpoint fail with a
 * message naming the process, the fd and the kind.
 */
#include "config.h"
#include "fd/fd.h"
#include "fd/fdinfo.h"
#include "log.h"
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

/* private state of each recorded fd, by its index in dmtcp_ps.fds */
#define SLOT(r) ((r) - dmtcp_ps.fds)
#define NFD DMTCP_MAX_FDS

/* Per recorded fd (SLOT), written at checkpoint time. */
static struct tstate {
	int clockid;
	int settime_flags;
	struct itimerspec its;	/* remaining time, interval */
	struct timespec now;	/* the timer's clock at capture time */
	uint64_t ticks;		/* expirations not read */
	uint64_t sigmask;	/* signalfd */
	int pid;		/* pidfd */
	char what[48];		/* unsupported: the kind, for the message */
} st[NFD];

/* ---- inotify: the wrappers remember what each watch was added on ---- */

#define MAX_WATCH 1024

struct iwatch {
	int ifd, wd;		/* ifd -1: free slot */
	uint32_t flags;		/* IN_DONT_FOLLOW, IN_ONLYDIR, ... */
	uint64_t ino;
	char path[PATH_MAX];
};

static struct iwatch *iw;	/* mmap'd MAX_WATCH entries, lazily */
static int niw;
static pthread_mutex_t iw_lock = PTHREAD_MUTEX_INITIALIZER;

/* checkpoint: watches of one inotify fd, in wd order, from fdinfo */
struct wsave {
	int wd;
	uint32_t mask;
	int slot;		/* index in iw, -1 if the path is unknown */
};
static struct wsave *wsv;	/* mmap'd, MAX_WATCH * NFD would be too
				   much: one shared array, ranges per fd */
static int nwsv;
static int new_capture = 1;	/* the next fd captured starts a new list */
#define MAX_WSAVE 4096
static struct { int off, n; } wrange[NFD];

static int iw_table(void)
{
	if (iw)
		return 0;
	iw = mmap(NULL, MAX_WATCH * sizeof(*iw), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (iw == MAP_FAILED) {
		iw = NULL;
		return -1;
	}
	return 0;
}

static struct iwatch *iw_find(int ifd, int wd)
{
	for (int i = 0; i < niw; i++)
		if (iw[i].ifd == ifd && iw[i].wd == wd)
			return &iw[i];
	return NULL;
}

API int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	long wd = rsys3(SYS_inotify_add_watch, fd, (long)path, mask);
	struct iwatch *w;
	struct stat sb;

	if (wd < 0) {
		errno = -wd;
		return -1;
	}
	pthread_mutex_lock(&iw_lock);
	if (iw_table() == 0) {
		w = iw_find(fd, wd);
		for (int i = 0; !w && i < niw; i++)
			if (iw[i].ifd < 0)
				w = &iw[i];
		if (!w && niw < MAX_WATCH)
			w = &iw[niw++];
		if (w) {
			size_t len = 0;

			w->ifd = fd;
			w->wd = wd;
			w->flags = mask & (IN_DONT_FOLLOW | IN_ONLYDIR |
					   IN_EXCL_UNLINK);
			w->ino = (mask & IN_DONT_FOLLOW ? lstat(path, &sb) :
				  stat(path, &sb)) == 0 ? sb.st_ino : 0;
			w->path[0] = 0;
			if (path[0] != '/' && getcwd(w->path, PATH_MAX - 2)) {
				len = strlen(w->path);
				if (len && w->path[len - 1] != '/')
					w->path[len++] = '/';
			}
			snprintf(w->path + len, PATH_MAX - len, "%s", path);
		}
	}
	pthread_mutex_unlock(&iw_lock);
	return wd;
}

API int inotify_rm_watch(int fd, int wd)
{
	long rc = rsys2(SYS_inotify_rm_watch, fd, wd);
	struct iwatch *w;

	pthread_mutex_lock(&iw_lock);
	if (iw && (w = iw_find(fd, wd)))
		w->ifd = -1;
	pthread_mutex_unlock(&iw_lock);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* ---- capture ---- */

static void capture_timerfd(struct dmtcp_fdrec *r, const char *buf)
{
	struct tstate *s = &st[SLOT(r)];
	struct dmtcp_fdinfo_timer t;

	memset(s, 0, sizeof(*s));
	dmtcp_fdinfo_timerfd(buf, &t);
	s->clockid = t.clockid;
	s->ticks = t.ticks;
	s->settime_flags = t.settime_flags;
	clock_gettime(s->clockid, &s->now);
	/* timerfd_gettime: the same numbers, from the kernel directly */
	if (timerfd_gettime(r->rec.fd, &s->its) < 0)
		s->its = t.its;
	r->x.subkind = FDX_TIMERFD;
}

static void capture_inotify(struct dmtcp_fdrec *r, const char *buf)
{
	const char *p = buf;
	int off = nwsv, n = 0, lost = 0, wd;
	uint64_t ino;
	uint32_t mask;

	while (dmtcp_fdinfo_inotify_next(&p, &wd, &ino, &mask)) {
		const struct iwatch *w;
		int k;

		if (nwsv >= MAX_WSAVE)
			continue;
		w = iw ? iw_find(r->rec.fd, wd) : NULL;
		/* fdinfo lists the newest first: keep them sorted by wd */
		for (k = nwsv; k > off && wsv[k - 1].wd > wd; k--)
			wsv[k] = wsv[k - 1];
		wsv[k].wd = wd;
		wsv[k].mask = mask;
		wsv[k].slot = w && (!w->ino || w->ino == ino) ? w - iw : -1;
		if (wsv[k].slot < 0)
			lost++;
		nwsv++;
		n++;
	}
	wrange[SLOT(r)].off = off;
	wrange[SLOT(r)].n = n;
	if (lost)
		pr_warn("process %d (%s): inotify fd %d: %d watch%s not added "
			"through inotify_add_watch() (path unknown): not "
			"restored", rsys_getpid(), dmtcp_cfg.progname,
			r->rec.fd, lost, lost == 1 ? "" : "es");
	r->x.subkind = FDX_INOTIFY;
}

static void unsupported(struct dmtcp_fdrec *r, const char *what)
{
	snprintf(st[SLOT(r)].what, sizeof(st[SLOT(r)].what), "%.47s", what);
	r->x.subkind = FDX_UNSUPPORTED;
}

int dmtcp_fdt_capture(struct dmtcp_fdrec *r)
{
	static char buf[64 * 1024];
	const char *p, *kind = r->path;
	int fd = r->rec.fd;

	if (fd < 0)
		return 0;
	if (!wsv) {
		wsv = mmap(NULL, MAX_WSAVE * sizeof(*wsv),
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (wsv == MAP_FAILED)
			wsv = NULL;
	}
	if (new_capture) {
		nwsv = 0;
		new_capture = 0;
	}
	if (strncmp(kind, "anon_inode:", 11) == 0)
		kind += 11;
	if (strcmp(kind, "[timerfd]") == 0) {
		if (dmtcp_read_fdinfo(fd, buf, sizeof(buf)) < 0)
			return 0;
		capture_timerfd(r, buf);
		return 1;
	}
	if (strcmp(kind, "[signalfd]") == 0) {
		if (dmtcp_read_fdinfo(fd, buf, sizeof(buf)) < 0 ||
		    !dmtcp_fdinfo_hex(buf, "sigmask:", &st[SLOT(r)].sigmask))
			return 0;
		r->x.subkind = FDX_SIGNALFD;
		return 1;
	}
	if (strcmp(kind, "inotify") == 0) {
		if (dmtcp_read_fdinfo(fd, buf, sizeof(buf)) < 0 || !wsv)
			return 0;
		capture_inotify(r, buf);
		return 1;
	}
	if (strcmp(kind, "[pidfd]") == 0) {
		if (dmtcp_read_fdinfo(fd, buf, sizeof(buf)) < 0 ||
		    !(p = dmtcp_fdinfo_field(buf, "Pid:")))
			return 0;
		st[SLOT(r)].pid = atoi(p);
		r->x.subkind = FDX_PIDFD;
		return 1;
	}
	if (kind != r->path || strncmp(r->path, "anon_inode", 10) == 0) {
		/* some other anonymous inode: perf_event, userfaultfd, ... */
		unsupported(r, r->path);
		return 1;
	}
	return 0;
}

void dmtcp_fdt_check_socket(struct dmtcp_fdrec *r)
{
	static const struct { int family; const char *name; } known[] = {
		{ AF_NETLINK, "netlink socket" },
		{ AF_PACKET, "packet socket" },
	};
	socklen_t l = sizeof(int);
	int domain = -1;

	if (r->rec.fd < 0 ||
	    getsockopt(r->rec.fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0)
		return;
	if (domain == AF_UNIX || domain == AF_INET || domain == AF_INET6)
		return;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].family == domain) {
			unsupported(r, known[i].name);
			return;
		}
	snprintf(st[SLOT(r)].what, sizeof(st[SLOT(r)].what),
		 "socket of address family %d", domain);
	r->x.subkind = FDX_UNSUPPORTED;
}

int dmtcp_fdt_refused(char *err, size_t cap)
{
	int n = 0, len = 0;

	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];

		if ((r->rec.kind != IMG_FD_OTHER &&
		     r->rec.kind != IMG_FD_SOCKET) ||
		    r->x.subkind != FDX_UNSUPPORTED)
			continue;
		if (n++ == 0)
			len = snprintf(err, cap, "process %d (%s) holds a "
				       "descriptor that cannot be checkpointed:",
				       rsys_getpid(), dmtcp_cfg.progname);
		if (len > 0 && (size_t)len < cap)
			len += snprintf(err + len, cap - len, "%s fd %d is %s",
					n > 1 ? ";" : "", r->rec.fd,
					st[SLOT(r)].what);
	}
	if (n && len > 0 && (size_t)len < cap)
		snprintf(err + len, cap - len, " (the previous image is kept)");
	return n > 0;
}

/* At the end of every capture (fds.c): the next one starts a new list. */
void dmtcp_fdt_capture_end(void)
{
	new_capture = 1;
}

/* ---- restart ---- */

static int restore_timerfd(const struct dmtcp_fdrec *r)
{
	const struct tstate *s = &st[SLOT(r)];
	int nb = r->rec.flags & O_NONBLOCK ? TFD_NONBLOCK : 0;
	int fd = timerfd_create(s->clockid, TFD_CLOEXEC | nb), flags = 0;
	struct itimerspec its = s->its;

	if (fd < 0 && (s->clockid == CLOCK_REALTIME_ALARM ||
		       s->clockid == CLOCK_BOOTTIME_ALARM)) {
		/* needs CAP_WAKE_ALARM, which the restart may lack */
		pr_warn("timerfd %d: clock %d: %s; using the clock without "
			"wake-up", r->rec.fd, s->clockid, strerror(errno));
		fd = timerfd_create(s->clockid == CLOCK_REALTIME_ALARM ?
				    CLOCK_REALTIME : CLOCK_BOOTTIME,
				    TFD_CLOEXEC | nb);
	}
	if (fd < 0)
		return -1;
	/* a periodic timer whose expiry was overdue at capture (its kernel
	   callback had not run yet) reads as 0 left: it is armed, due now */
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec &&
	    (its.it_interval.tv_sec || its.it_interval.tv_nsec))
		its.it_value.tv_nsec = 1;
	if ((its.it_value.tv_sec || its.it_value.tv_nsec) &&
	    (s->settime_flags & TFD_TIMER_ABSTIME) &&
	    (s->clockid == CLOCK_REALTIME ||
	     s->clockid == CLOCK_REALTIME_ALARM)) {
		/* a wall-clock deadline stays that deadline */
		its.it_value.tv_sec += s->now.tv_sec;
		its.it_value.tv_nsec += s->now.tv_nsec;
		if (its.it_value.tv_nsec >= 1000000000) {
			its.it_value.tv_sec++;
			its.it_value.tv_nsec -= 1000000000;
		}
		flags = s->settime_flags;
	}
	if ((its.it_value.tv_sec || its.it_value.tv_nsec) &&
	    timerfd_settime(fd, flags, &its, NULL) < 0)
		pr_warn("timerfd %d: cannot arm it again: %s", r->rec.fd,
			strerror(errno));
	if (s->ticks) {
		uint64_t t = s->ticks;

		if (ioctl(fd, TFD_IOC_SET_TICKS, &t) < 0) {
			/* no CONFIG_CHECKPOINT_RESTORE: one expiration now */
			its.it_value.tv_sec = 0;
			its.it_value.tv_nsec = 1;
			timerfd_settime(fd, 0, &its, NULL);
			pr_debug("timerfd %d: %llu expirations become 1",
				 r->rec.fd, (unsigned long long)s->ticks);
		}
	}
	return fd;
}

/* A path for throw-away watches that none of the real ones uses. */
static const char *spare_path(int off, int n)
{
	static const char *const cand[] = { "/dev/null", "/", "/proc" };
	struct stat sb;

	for (size_t c = 0; c < sizeof(cand) / sizeof(cand[0]); c++) {
		int used = 0;

		if (stat(cand[c], &sb) < 0)
			continue;
		for (int k = off; k < off + n; k++)
			if (wsv[k].slot >= 0 && iw[wsv[k].slot].ino == sb.st_ino)
				used = 1;
		if (!used)
			return cand[c];
	}
	return NULL;
}

static int restore_inotify(const struct dmtcp_fdrec *r)
{
	int off = wrange[SLOT(r)].off, n = wrange[SLOT(r)].n;
	int fd = inotify_init1(IN_CLOEXEC | (r->rec.flags & O_NONBLOCK ?
					     IN_NONBLOCK : 0));
	int next = 1, spares = 0, moved = 0;
	const char *spare = spare_path(off, n);

	if (fd < 0)
		return -1;
	for (int k = off; k < off + n; k++) {
		const struct wsave *w = &wsv[k];
		const struct iwatch *p;
		long got;

		if (w->slot < 0)
			continue;
		p = &iw[w->slot];
		/* watch numbers are handed out cyclically: skip the gap */
		while (spare && next < w->wd && spares < (1 << 20)) {
			long s = rsys3(SYS_inotify_add_watch, fd, (long)spare,
				       IN_ATTRIB);

			if (s < 0)
				break;
			rsys2(SYS_inotify_rm_watch, fd, s);
			next = s + 1;
			spares++;
		}
		got = rsys3(SYS_inotify_add_watch, fd, (long)p->path,
			    w->mask | p->flags);
		if (got < 0) {
			pr_warn("inotify fd %d: cannot watch %s again: %s",
				r->rec.fd, p->path, strerror(-got));
			continue;
		}
		next = got + 1;
		if (got != w->wd) {
			moved++;
			pr_warn("inotify fd %d: watch %s is now %ld (was %d)",
				r->rec.fd, p->path, got, w->wd);
		}
		/* the wrappers' table follows the new number */
		((struct iwatch *)p)->wd = got;
	}
	if (spares) {
		/* drop the IN_IGNORED events of the throw-away watches */
		static char ev[4096];
		int fl = fcntl(fd, F_GETFL);

		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		while (read(fd, ev, sizeof(ev)) > 0)
			;
		fcntl(fd, F_SETFL, fl);
	}
	pr_debug("inotify fd %d: %d watches back (%d renumbered, %d spare)",
		 r->rec.fd, n, moved, spares);
	return fd;
}

int dmtcp_fdt_restore(const struct dmtcp_fdrec *r)
{
	int fd = r->rec.fd;

	if (fd < 0)
		return -2;
	switch (r->x.subkind) {
	case FDX_TIMERFD:
		return restore_timerfd(r);
	case FDX_SIGNALFD: {
		long s = rsys4(SYS_signalfd4, -1, (long)&st[SLOT(r)].sigmask, 8,
			       O_CLOEXEC | (r->rec.flags & O_NONBLOCK));

		if (s < 0) {
			errno = -s;
			return -1;
		}
		return s;
	}
	case FDX_INOTIFY:
		return restore_inotify(r);
	case FDX_PIDFD: {
		long p = st[SLOT(r)].pid > 0 ?
			 rsys2(SYS_pidfd_open, st[SLOT(r)].pid,
			       r->rec.flags & O_NONBLOCK) : -ESRCH;

		if (p < 0) {
			pr_warn("pidfd %d: process %d is not part of the "
				"restart: %s", fd, st[SLOT(r)].pid, strerror(-p));
			return -1;
		}
		fcntl(p, F_SETFD, FD_CLOEXEC);
		return p;
	}
	default:
		return -2;
	}
}
