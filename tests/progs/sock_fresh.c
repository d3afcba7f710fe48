/*
 * sock_fresh.c - sockets that were created but not connected yet at
 * checkpoint time (a client between socket() and connect()): after each
 * restart they must still be sockets of their family and type, usable
 * for connect() (tests/e2e/test-sock_fresh.sh).  After restart i, fresh
 * TCP socket i connects to the program's own listener and one byte goes
 * through; the UDP one sends a datagram to a bound UDP socket.
 */
#include "testprog.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define NFRESH 4

static void check_kind(int fd, int domain, int type)
{
	int d = -1, t = -1;
	socklen_t l = sizeof(d);

	TP_CHECK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0,
		 "fd %d: SO_DOMAIN: %s", fd, strerror(errno));
	l = sizeof(t);
	TP_CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l) == 0,
		 "fd %d: SO_TYPE: %s", fd, strerror(errno));
	TP_CHECK(d == domain && t == type, "fd %d: domain %d type %d, "
		 "expected %d %d", fd, d, t, domain, type);
}

int main(void)
{
	struct sockaddr_in la = { .sin_family = AF_INET }, ua;
	socklen_t l = sizeof(la);
	int fresh[NFRESH], udp, usrv, ls, used = 0, c, r, last = 0;

	tp_init("sock_fresh");
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	TP_CHECK(ls >= 0 && bind(ls, (void *)&la, sizeof(la)) == 0 &&
		 listen(ls, 8) == 0 &&
		 getsockname(ls, (void *)&la, &l) == 0, "listener: %s",
		 strerror(errno));
	ua = la;
	ua.sin_port = 0;
	usrv = socket(AF_INET, SOCK_DGRAM, 0);
	l = sizeof(ua);
	TP_CHECK(usrv >= 0 && bind(usrv, (void *)&ua, sizeof(ua)) == 0 &&
		 getsockname(usrv, (void *)&ua, &l) == 0, "udp server: %s",
		 strerror(errno));
	for (int i = 0; i < NFRESH; i++)
		fresh[i] = socket(AF_INET, SOCK_STREAM, 0);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	tp_ready();
	while (!tp_should_stop()) {
		tp_status(&c, &r);
		for (int i = used; i < NFRESH; i++)
			check_kind(fresh[i], AF_INET, SOCK_STREAM);
		check_kind(udp, AF_INET, SOCK_DGRAM);
		if (r != last && used < NFRESH) {
			char b = 'x', got = 0;
			int a;

			last = r;
			TP_CHECK(connect(fresh[used], (void *)&la,
					 sizeof(la)) == 0,
				 "restart %d: connect fresh socket %d: %s", r,
				 fresh[used], strerror(errno));
			a = accept(ls, NULL, NULL);
			TP_CHECK(a >= 0, "accept: %s", strerror(errno));
			TP_CHECK(write(fresh[used], &b, 1) == 1 &&
				 read(a, &got, 1) == 1 && got == 'x',
				 "byte through the new connection");
			close(a);
			close(fresh[used]);
			used++;
			TP_CHECK(sendto(udp, &b, 1, 0, (void *)&ua,
					sizeof(ua)) == 1, "sendto: %s",
				 strerror(errno));
			TP_CHECK(recv(usrv, &got, 1, 0) == 1 && got == 'x',
				 "datagram through the fresh UDP socket");
		}
		tp_sleep_ms(15);
	}
	TP_CHECK(used == r, "%d fresh sockets used after %d restarts", used,
		 r);
	tp_pass();
}
