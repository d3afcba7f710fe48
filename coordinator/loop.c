/*
 * loop.c - the coordinator's event loop: poll over a signalfd, the
 * listening socket, the console and every client.  Input is buffered per
 * client and cut into messages by input.c; a client sending a bad
 * header, nothing at all (CO_HELLO_TIMEOUT_MS) or more than it reads is
 * dropped alone, so no client can stall the others.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define CO_HELLO_TIMEOUT_MS	10000
#define CO_READ_CHUNK		65536
#define CO_ACCEPT_BATCH		64

static void co_accept(void)
{
	for (int i = 0; i < CO_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t slen = sizeof(ss);
		char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?", peer[64];
		int one = 1;
		int fd = accept4(co.listen_fd, (struct sockaddr *)&ss, &slen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				co_event(1, "accept: %s", strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		getnameinfo((struct sockaddr *)&ss, slen, host, sizeof(host),
			    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(peer, sizeof(peer), "%s:%s", host, serv);
		if (!co_client_add(fd, peer)) {
			co_event(1, "out of memory for client %s", peer);
			close(fd);
		}
	}
}

static void co_read_client(struct co_client *c)
{
	size_t need = c->in_len + CO_READ_CHUNK + 1;
	ssize_t n;

	if (need > c->in_cap) {
		unsigned char *p = realloc(c->in, need);

		if (!p) {
			co_client_drop(c);
			return;
		}
		c->in = p;
		c->in_cap = need;
	}
	/* leave one byte for the terminator co_parse_input writes */
	n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1,
		 MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		pr_debug("recv from %s: %s", c->peer, strerror(errno));
		co_client_drop(c);
		return;
	}
	if (n == 0) {
		co_client_drop(c);
		return;
	}
	c->in_len += n;
	co_client_parse(c);
	/* shrink a large idle buffer */
	if (c->in_len == 0 && c->in_cap > 4 * CO_READ_CHUNK) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

static void co_sweep(uint64_t now)
{
	size_t i = 0;

	while (i < co_nclients) {
		struct co_client *c = co_clients[i];

		if (!c->closing && c->kind == CO_NEW &&
		    now - c->connected_ms > CO_HELLO_TIMEOUT_MS) {
			co_event(0, "dropping client %s: no hello within "
				 "%d s", c->peer, CO_HELLO_TIMEOUT_MS / 1000);
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
		pfds[n++] = (struct pollfd){ .fd = co.listen_fd,
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
		if (pfds[1].revents & POLLIN)
			co_accept();
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
				co_read_client(c);
		}
		now = co_now_ms();
		co_sweep(now);
		co_tick(now);
		co_sweep(now);
	}
	co_final_flush();
	close(sfd);
	free(pfds);
	free(snap);
	return rc;
}
