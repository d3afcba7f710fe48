/*
 * server_epoll.c - a small TCP server on 127.0.0.1 (ephemeral port)
 * driven by epoll, with an eventfd in the same epoll set.  A client
 * thread of the same program connects every 20 ms and checks the
 * answer ("pong N" with N counting up); the main loop checks that the
 * epoll tags it registered come back unchanged and that the eventfd
 * counter is kept.  After a restart the listener must be listening again
 * on the same port and the epoll set must still hold both fds.
 */
#include "testprog.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#define TAG_LISTEN 0x1111beefULL
#define TAG_EVENT 0x2222cafeULL

static int port;
static volatile long pongs_seen;

static void *client(void *arg)
{
	long expect = 1;

	(void)arg;
	for (;;) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		char buf[64] = "";
		int s = socket(AF_INET, SOCK_STREAM, 0), n, c0, r0, c1, r1;
		long got;

		tp_status(&c0, &r0);

		a.sin_addr.s_addr = htonl(0x7f000001);
		a.sin_port = htons(port);
		if (s < 0)
			tp_fail("client socket: %s", strerror(errno));
		if (connect(s, (void *)&a, sizeof(a)) < 0)
			tp_fail("client: connect to port %d: %s (listener "
				"gone?)", port, strerror(errno));
		n = read(s, buf, sizeof(buf) - 1);
		close(s);
		tp_status(&c1, &r1);
		if (n <= 0 && r1 != r0) {
			/* cut by a restart: the server may have counted it */
			tp_sleep_ms(5);
			expect = -1;
			continue;
		}
		if (n <= 0)
			tp_fail("client: no answer (%d)", n);
		buf[n] = 0;
		if (sscanf(buf, "pong %ld", &got) != 1)
			tp_fail("client: got '%s'", buf);
		if (expect < 0)
			expect = got;
		if (got != expect)
			tp_fail("client: got '%s', expected pong %ld", buf,
				expect);
		expect++;
		pongs_seen = got;
		tp_sleep_ms(20);
	}
	return NULL;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	struct epoll_event e;
	int ls, ev, ep, one = 1;
	long served = 0, events = 0;
	pthread_t th;

	tp_init("server_epoll");
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(0x7f000001);
	if (ls < 0 || bind(ls, (void *)&a, sizeof(a)) < 0 || listen(ls, 16) < 0 ||
	    getsockname(ls, (void *)&a, &l) < 0)
		tp_fail("listen: %s", strerror(errno));
	port = ntohs(a.sin_port);
	ev = eventfd(0, EFD_NONBLOCK);
	ep = epoll_create1(0);
	e.events = EPOLLIN;
	e.data.u64 = TAG_LISTEN;
	if (ev < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &e) < 0)
		tp_fail("epoll: %s", strerror(errno));
	e.data.u64 = TAG_EVENT;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) < 0)
		tp_fail("epoll eventfd: %s", strerror(errno));
	if (pthread_create(&th, NULL, client, NULL))
		tp_fail("pthread_create");
	tp_ready();
	while (!tp_should_stop() || pongs_seen < 5) {
		struct epoll_event out[4];
		int n = epoll_wait(ep, out, 4, 50);

		if (n < 0 && errno != EINTR)
			tp_fail("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (out[i].data.u64 == TAG_LISTEN) {
				char msg[64];
				int c = accept(ls, NULL, NULL), k;

				if (c < 0)
					tp_fail("accept: %s", strerror(errno));
				k = snprintf(msg, sizeof(msg), "pong %ld\n",
					     ++served);
				if (write(c, msg, k) != k)
					tp_fail("write: %s", strerror(errno));
				close(c);
				/* every 8th connection, post 3 events */
				if (served % 8 == 0) {
					uint64_t three = 3;

					if (write(ev, &three, 8) != 8)
						tp_fail("eventfd write");
				}
			} else if (out[i].data.u64 == TAG_EVENT) {
				uint64_t v;

				if (read(ev, &v, 8) != 8 || v != 3)
					tp_fail("eventfd read %llu, expected 3",
						(unsigned long long)v);
				events++;
			} else {
				tp_fail("epoll returned unknown tag %#llx",
					(unsigned long long)out[i].data.u64);
			}
		}
	}
	printf("served %ld, eventfd posts %ld\n", served, events);
	if (served < 5 || events < 1)
		tp_fail("too little traffic (%ld connections)", served);
	tp_pass();
}
