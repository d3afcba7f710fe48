/*
 * loop.c - the coordinator's event loop: poll over a signalfd, the
 * listening socket, the console and every client.  Input is buffered per
 * client and cut into messages by input.c; a client sending a bad
 * header, nothing at all (CO_HELLO_TIMEOUT_MS) or more than it reads is
 * dropped alone, so no client can stall the others.
 *
 * Out of file descriptors (accept fails with EMFILE or ENFILE), the
 * listening socket would stay readable and poll return at once: instead
 * the oldest connection still waiting for its hello is closed to make
 * room (limits.c), or, when every descriptor belongs to an authenticated
 * client, a reserve descriptor (/dev/null, opened at start) is given up
 * for a moment to accept and close the new connection, and the
 * listening socket is left alone for CO_ACCEPT_PAUSE_MS.  Messages about
 * it are rate-limited to one a second.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define CO_HELLO_TIMEOUT_MS	10000
/* per loop pass: well below CO_PENDING_MAX, so a client accepted in one
 * pass has its input read in the next ones before newer connections can
 * push it out as the oldest pending one */
#define CO_ACCEPT_BATCH		16
#define CO_ACCEPT_PAUSE_MS	100

static int co_reserve_fd = -1;		/* given up to accept when full */
static uint64_t co_accept_paused_until;	/* 0 = listening */

static void co_reserve_open(void)
{
	if (co_reserve_fd < 0)
		co_reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static const char *co_fd_limit(char *buf, size_t cap)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(buf, cap, "%llu", (unsigned long long)rl.rlim_cur);
	else
		snprintf(buf, cap, "?");
	return buf;
}

/*
 * accept() failed with EMFILE/ENFILE (err).  Returns 1 if a descriptor
 * was freed and accept() may be tried again, 0 if accepting pauses.
 */
static int co_accept_full(int err)
{
	char lim[32];
	int fd, turned_away = 0;

	if (co_pending_drop_oldest("out of file descriptors")) {
		co_event_limited(&co_rl_fds, 1, "accept: %s (limit %s): "
				 "closed the oldest unauthenticated "
				 "connection to make room", strerror(err),
				 co_fd_limit(lim, sizeof(lim)));
		return 1;
	}
	/* every descriptor is an authenticated client's, or ours */
	if (co_reserve_fd >= 0) {
		close(co_reserve_fd);
		co_reserve_fd = -1;
		fd = accept4(co.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			turned_away = 1;
		}
		co_reserve_open();
	}
	co_accept_paused_until = co_now_ms() + CO_ACCEPT_PAUSE_MS;
	co_event_limited(&co_rl_fds, 1, "accept: %s (limit %s, %zu clients): "
			 "%s; not accepting for %d ms", strerror(err),
			 co_fd_limit(lim, sizeof(lim)), co_nclients,
			 turned_away ? "closed a new connection at once" :
			 "no reserve descriptor to turn it away with",
			 CO_ACCEPT_PAUSE_MS);
	return 0;
}

static void co_accept(void)
{
	for (int i = 0; i < CO_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t slen = sizeof(ss);
		char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?", peer[64];
		struct co_client *c;
		int one = 1;
		int fd = accept4(co.listen_fd, (struct sockaddr *)&ss, &slen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			int err = errno;

			if (err == EMFILE || err == ENFILE) {
				if (co_accept_full(err))
					continue;
				return;
			}
			if (err != EAGAIN && err != EWOULDBLOCK &&
			    err != EINTR && err != ECONNABORTED)
				co_event_limited(&co_rl_fds, 1, "accept: %s",
						 strerror(err));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		getnameinfo((struct sockaddr *)&ss, slen, host, sizeof(host),
			    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(peer, sizeof(peer), "%s:%s", host, serv);
		c = co_client_accept(fd, peer);
		if (!c) {
			co_event(1, "out of memory for client %s", peer);
			close(fd);
			continue;
		}
		/* a client sends its hello right after connecting: it is
		   often here already (and a flood's connections that were
		   closed again are gone at once) */
		co_client_read(c);
	}
}

static void co_sweep(uint64_t now)
{
	size_t i = 0;

	while (i < co_nclients) {
		struct co_client *c = co_clients[i];

		if (co_client_pending(c) &&
		    now - c->connected_ms > CO_HELLO_TIMEOUT_MS) {
			co_event_limited(&co_rl_preauth, 0, "dropping client "
					 "%s: no hello within %d s", c->peer,
					 CO_HELLO_TIMEOUT_MS / 1000);
			co_client_drop(c);
		}
		if (c->closing && (c->out_len == 0 ||
				   now >= c->close_deadline_ms)) {
			co_client_gone(c);
			co_client_remove(c);
			continue;	/* the table shifted down */
		}
		i++;
	}
}

static int co_signalfd(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Give queued replies (e.g. to "quit") a bounded chance to go out. */
static void co_final_flush(void)
{
	uint64_t deadline = co_now_ms() + 1000;

	for (;;) {
		struct pollfd pfds[256];
		nfds_t n = 0;
		uint64_t now = co_now_ms();

		for (size_t i = 0; i < co_nclients && n < 256; i++) {
			struct co_client *c = co_clients[i];

			if (c->out_len && c->fd >= 0 &&
			    co_flush(c) == 0 && c->out_len) {
				pfds[n].fd = c->fd;
				pfds[n].events = POLLOUT;
				n++;
			}
		}
		if (n == 0 || now >= deadline)
			return;
		poll(pfds, n, (int)(deadline - now));
	}
}

int co_loop_run(void)
{
	struct pollfd *pfds = NULL;
	struct co_client **snap = NULL;
	size_t cap = 0;
	int sfd = co_signalfd();
	int rc = 0;

	if (sfd < 0) {
		co_event(1, "signalfd: %s", strerror(errno));
		return 1;
	}
	co_reserve_open();
	while (!co.quit) {
		size_t n = 0, base;
		uint64_t now = co_now_ms(), dl = co_next_deadline();
		int timeout = 1000, con = co_console_fd();

		if (co_nclients + 3 > cap) {
			size_t ncap = (co_nclients + 3) * 2;
			void *p1 = realloc(pfds, ncap * sizeof(*pfds));

			if (p1)
				pfds = p1;
			void *p2 = realloc(snap, ncap * sizeof(*snap));

			if (p2)
				snap = p2;
			if (!p1 || !p2) {
				co_event(1, "out of memory");
				rc = 1;
				break;
			}
			cap = ncap;
		}
		pfds[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (co_accept_paused_until && now >= co_accept_paused_until)
			co_accept_paused_until = 0;
		/* a negative fd is left out by poll */
		pfds[n++] = (struct pollfd){ .fd = co_accept_paused_until ?
					     -1 : co.listen_fd,
					     .events = POLLIN };
		pfds[n++] = (struct pollfd){ .fd = con, .events = POLLIN };
		base = n;
		for (size_t i = 0; i < co_nclients; i++) {
			struct co_client *c = co_clients[i];
			short ev = c->closing ? 0 : POLLIN;

			if (c->out_len)
				ev |= POLLOUT;
			snap[i] = c;
			pfds[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
		}
		if (co_accept_paused_until &&
		    (!dl || co_accept_paused_until < dl))
			dl = co_accept_paused_until;
		if (dl)
			timeout = dl <= now ? 0 :
				(dl - now < 1000 ? (int)(dl - now) : 1000);
		if (poll(pfds, n, timeout) < 0 && errno != EINTR) {
			co_event(1, "poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (pfds[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si) &&
			    !(si.ssi_signo == SIGINT &&
			      co_console_interrupt())) {
				co_event(1, "terminated by signal %u (%s)",
					 si.ssi_signo, strsignal(si.ssi_signo));
				break;
			}
		}
		if (con >= 0 && pfds[2].revents)
			co_console_readable();
		for (size_t i = base; i < n; i++) {
			struct co_client *c = snap[i - base];
			short re = pfds[i].revents;

			if (!re)
				continue;
			if ((re & POLLOUT) && co_flush(c) < 0)
				co_client_drop(c);
			if (c->closing)
				continue;
			if (re & (POLLIN | POLLHUP | POLLERR))
				co_client_read(c);
		}
		/* after the clients' I/O: accepting may close pending ones */
		if (pfds[1].revents & POLLIN)
			co_accept();
		now = co_now_ms();
		co_limits_tick(now);
		co_sweep(now);
		co_tick(now);
		co_sweep(now);
	}
	co_final_flush();
	close(sfd);
	if (co_reserve_fd >= 0) {
		close(co_reserve_fd);
		co_reserve_fd = -1;
	}
	free(pfds);
	free(snap);
	return rc;
}
