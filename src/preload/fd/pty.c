/*
 * fd/pty.c - pseudo-terminal pairs whose master is in the computation.
 *
 * Checkpoint: a master (/dev/ptmx, TIOCGPTN works) becomes kind
 * IMG_FD_PTY with its number in img_fd.size; the holder also saves the
 * slave's termios and window size (through TIOCGPTPEER) and the
 * master's own termios.  The description's owner (the F_SETOWN election
 * of fds.c) drains the bytes in flight in both directions and puts them
 * straight back, keeping a copy.  A slave (/dev/pts/N) that is the
 * controlling terminal of the session this process leads records the
 * foreground process group.
 *
 * Restart: dmtcp_restart creates one new pair per master number before
 * the processes exist and gives the master and the slave (/dev/pts/N
 * of the image) to every fd that had them (restart-pty.c); the name of
 * the slave changes (a new /dev/pts/M).  Here, each holder of a master
 * puts back termios and window size, the owner refills the bytes, and
 * the session leader makes the slave its controlling terminal again
 * (TIOCSCTTY) and gives the foreground back to the same group.
 *
 * Nothing here allocates: the checkpoint thread runs it while the
 * application's threads are frozen.
 */
#include "config.h"
#include "fd/kind.h"
#include "log.h"
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* private state of each recorded fd, by its index in dmtcp_ps.fds */
#define SLOT(r) ((r) - dmtcp_ps.fds)
#define NFD DMTCP_MAX_FDS
#define PTY_DATA_MAX (4u << 20)

static struct ptstate {
	int have_tio;		/* master: slave termios/winsize saved */
	struct termios slave_tio, master_tio;
	struct winsize ws;
	int drained;		/* master: this process saved the bytes */
	uint32_t out_off, out_len;	/* slave -> master, not read yet */
	uint32_t in_off, in_len;	/* master -> slave, not read yet */
	uint32_t in_part;	/* of in_len: a line not finished yet */
	int ctty;		/* slave: our session's controlling tty */
	int fg_pgrp;
	int prepared;		/* restart: dmtcp_restart made the pair */
} pt[NFD];

static char *data;		/* mmap'd PTY_DATA_MAX, part of the image */
static uint32_t data_len;

static int peer_of(int master)
{
	return ioctl(master, TIOCGPTPEER,
		     O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

static int is_pty_slave(int fd)
{
	struct stat sb;

	/* UNIX98 pty slaves: majors 136-143 */
	return fstat(fd, &sb) == 0 && S_ISCHR(sb.st_mode) &&
	       major(sb.st_rdev) >= 136 && major(sb.st_rdev) <= 143;
}

void dmtcp_pty_capture(struct dmtcp_fdrec *r)
{
	struct ptstate *s;
	int fd = r->rec.fd, n;

	if (fd < 0)
		return;
	s = &pt[SLOT(r)];
	memset(s, 0, sizeof(*s));
	if (ioctl(fd, TIOCGPTN, &n) == 0) {
		int peer = peer_of(fd);

		r->rec.kind = IMG_FD_PTY;
		r->rec.size = n;
		r->x.subkind = FDX_PTY_MASTER;
		tcgetattr(fd, &s->master_tio);
		if (peer >= 0) {
			s->have_tio = tcgetattr(peer, &s->slave_tio) == 0 &&
				      ioctl(peer, TIOCGWINSZ, &s->ws) == 0;
			close(peer);
		}
		return;
	}
	if (is_pty_slave(fd)) {
		pid_t sid = -1;

		r->x.subkind = FDX_PTY_SLAVE;
		if (ioctl(fd, TIOCGSID, &sid) == 0 && sid == rsys_getpid()) {
			s->ctty = 1;
			s->fg_pgrp = tcgetpgrp(fd);
		}
	}
}

/* Reads what fd has now (non-blocking) into data; returns the count. */
static uint32_t slurp(int fd)
{
	uint32_t got = 0;

	for (;;) {
		ssize_t k;

		if (data_len + got >= PTY_DATA_MAX)
			break;
		k = read(fd, data + data_len + got,
			 PTY_DATA_MAX - data_len - got);
		if (k > 0) {
			got += k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		break;		/* EAGAIN, EIO (no slave open), 0 */
	}
	return got;
}

static void write_all(int fd, const char *p, uint32_t len)
{
	while (len) {
		ssize_t k = write(fd, p, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (k <= 0) {
			pr_warn("pty: %u bytes in flight not put back: %s",
				len, strerror(errno));
			return;
		}
		p += k;
		len -= k;
	}
}

/*
 * Put the saved bytes back: output of the slave side into the master's
 * queue (through the slave, output processing off), input for the slave
 * side into its queue (through the master, echo, signals and input
 * mapping off; lines stay lines in canonical mode, a line not finished
 * stays unfinished).  tio: the slave's termios to leave in place.
 */
static void refill(int master, int peer, const struct ptstate *s,
		   const struct termios *tio)
{
	struct termios t;

	if (s->out_len) {
		t = *tio;
		t.c_oflag &= ~OPOST;
		tcsetattr(peer, TCSANOW, &t);
		write_all(peer, data + s->out_off, s->out_len);
	}
	if (s->in_len) {
		t = *tio;
		t.c_lflag &= ~(ECHO | ECHONL | ISIG | IEXTEN);
		t.c_iflag &= ~(ICRNL | INLCR | IGNCR | ISTRIP | IXON | IUCLC |
			       BRKINT | PARMRK);
		tcsetattr(peer, TCSANOW, &t);
		write_all(master, data + s->in_off, s->in_len);
	}
	if (s->out_len || s->in_len)
		tcsetattr(peer, TCSANOW, tio);
}

void dmtcp_pty_drain(void)
{
	int pid = rsys_getpid();

	if (!data) {
		data = mmap(NULL, PTY_DATA_MAX, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (data == MAP_FAILED) {
			data = NULL;
			return;
		}
	}
	data_len = 0;
	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		struct ptstate *s;
		struct termios tio, t;
		int fd = r->rec.fd, peer, fl;

		if (r->rec.kind != IMG_FD_PTY || r->dup_of >= 0 ||
		    r->rec.owner != pid)
			continue;
		s = &pt[SLOT(r)];
		peer = peer_of(fd);
		if (peer < 0 || tcgetattr(peer, &tio) < 0) {
			if (peer >= 0)
				close(peer);
			continue;
		}
		s->drained = 1;
		/* what the slave side wrote and the master did not read */
		fl = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		s->out_off = data_len;
		s->out_len = slurp(fd);
		data_len += s->out_len;
		fcntl(fd, F_SETFL, fl);
		/* what the master wrote and the slave side did not read:
		   whole lines first, then (non-canonical) the rest */
		s->in_off = data_len;
		s->in_len = slurp(peer);
		data_len += s->in_len;
		if (tio.c_lflag & ICANON) {
			/* a line not finished yet: readable (and counted by
			   FIONREAD) only in non-canonical mode */
			t = tio;
			t.c_lflag &= ~ICANON;
			t.c_cc[VMIN] = 0;
			t.c_cc[VTIME] = 0;
			tcsetattr(peer, TCSANOW, &t);
			s->in_part = slurp(peer);
			s->in_len += s->in_part;
			data_len += s->in_part;
			tcsetattr(peer, TCSANOW, &tio);
		}
		/* the running computation must not notice */
		refill(fd, peer, s, &tio);
		close(peer);
		if (s->out_len || s->in_len)
			pr_debug("pty %d: %u bytes to the master, %u to the "
				 "slave in flight", fd, s->out_len, s->in_len);
	}
}

int dmtcp_pty_prepared(const struct dmtcp_fdrec *f)
{
	int fd = f->rec.fd;

	if (f->x.subkind != FDX_PTY_MASTER && f->x.subkind != FDX_PTY_SLAVE)
		return 0;
	if (fcntl(fd, F_GETFD) < 0 || !isatty(fd))
		return 0;
	/* fds 0-2 may be the restart's own terminal instead */
	if (fd <= 2 && !(dmtcp_handoff.prepared_stdio & (1u << fd)))
		return 0;
	if (f->x.subkind == FDX_PTY_SLAVE && fd > 2 && !is_pty_slave(fd))
		return 0;
	pt[SLOT(f)].prepared = 1;
	fcntl(fd, F_SETFL, f->rec.flags);
	fcntl(fd, F_SETFD, f->rec.fdflags);
	return 1;
}

void dmtcp_pty_late(void)
{
	int did_ctty = 0;

	for (int i = 0; i < dmtcp_ps.nfds; i++) {
		const struct dmtcp_fdrec *r = &dmtcp_ps.fds[i];
		const struct ptstate *s;
		int fd = r->rec.fd, peer;
		int n;

		if (fd < 0 || r->dup_of >= 0)
			continue;
		s = &pt[SLOT(r)];
		if (r->x.subkind == FDX_PTY_MASTER &&
		    ioctl(fd, TIOCGPTN, &n) == 0) {
			tcsetattr(fd, TCSANOW, &s->master_tio);
			peer = peer_of(fd);
			if (peer < 0)
				continue;
			if (s->have_tio) {
				tcsetattr(peer, TCSANOW, &s->slave_tio);
				ioctl(fd, TIOCSWINSZ, &s->ws);
			}
			if (s->drained)
				refill(fd, peer, s, &s->slave_tio);
			close(peer);
			pr_debug("pty master %d: was /dev/pts/%llu, now "
				 "/dev/pts/%d", fd,
				 (unsigned long long)r->rec.size, n);
		} else if (r->x.subkind == FDX_PTY_SLAVE && s->ctty &&
			   s->prepared && !did_ctty) {
			/* (a terminal whose master is not ours, the user's,
			   is the restart's own: left alone) */
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			int k;

			if (getsid(0) != rsys_getpid() ||
			    ioctl(fd, TIOCSCTTY, 0) < 0) {
				pr_warn("fd %d: cannot make the pty the "
					"controlling terminal again: %s", fd,
					strerror(errno));
				continue;
			}
			did_ctty = 1;
			/* the group may still be on its way (its process is
			   created by another one of the restart) */
			for (k = 0; k < 300 && s->fg_pgrp > 0 &&
			     tcsetpgrp(fd, s->fg_pgrp) < 0; k++)
				nanosleep(&ts, NULL);
			if (k == 300)
				pr_warn("fd %d: cannot give the terminal back "
					"to process group %d: %s", fd,
					s->fg_pgrp, strerror(errno));
		}
	}
}

static int is_pty(const struct dmtcp_fdrec *r)
{
	return r->x.subkind == FDX_PTY_MASTER || r->x.subkind == FDX_PTY_SLAVE;
}

static void capture(struct dmtcp_fdrec *r)
{
	if (r->rec.kind == IMG_FD_TTY)
		dmtcp_pty_capture(r);
}

static int electable(const struct dmtcp_fdrec *r)
{
	return r->rec.kind == IMG_FD_PTY;	/* the master */
}

static int prepared(const struct dmtcp_fdrec *r, int inherited)
{
	(void)inherited;
	return dmtcp_pty_prepared(r);
}

/* not placed by dmtcp_restart: a slave by its path, a master nothing */
static int restore(const struct dmtcp_fdrec *r)
{
	return r->rec.kind == IMG_FD_TTY ? dmtcp_fd_reopen_or_warn(r) : -1;
}

const struct fd_kind fd_kind_pty = {
	.name = "pseudo-terminal", .is = is_pty, .capture = capture,
	.electable = electable, .drain_end = dmtcp_pty_drain,
	.prepared = prepared, .restore = restore, .late_end = dmtcp_pty_late,
};
