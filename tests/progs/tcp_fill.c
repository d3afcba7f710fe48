/*
 * tcp_fill.c - N TCP connections on 127.0.0.1 between a parent and its
 * child, the child's send queue and the parent's receive queue of every
 * one full (the parent reads nothing until the stop file): what a
 * checkpoint has to drain.  Used by bench/sock-drain.sh.
 *
 * Usage: tcp_fill N [empty]  ("empty": the child writes nothing, for a
 * baseline).  READY once every connection is full (or right away when
 * empty).  On the stop file the child shuts its writing down, the parent
 * reads every connection to EOF checking each byte of the 64-bit counter
 * streams, and compares the totals with the child's
 * ($TEST_WORKDIR/tcp_fill.child): PASS when every byte written was read
 * once, in order.
 */
#include "testprog.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAXC 256

static int nconn, cfd[MAXC], pfd[MAXC];
static uint64_t wrote[MAXC], got[MAXC];
static unsigned char buf[1 << 20];

static void fill(unsigned char *b, uint64_t pos, size_t len, uint64_t key)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t p = pos + i, w = (p >> 3) ^ (key << 56);

		b[i] = (unsigned char)(w >> (8 * (p & 7)));
	}
}

/* the child: keep every connection full until the stop file */
static void child(const char *dir, int empty)
{
	char path[4096];
	double full_since = 0;
	int said = 0, fd;

	while (!tp_should_stop()) {
		size_t moved = 0;

		for (int i = 0; i < nconn && !empty; i++) {
			for (;;) {
				ssize_t n;

				fill(buf, wrote[i], 65536, (uint64_t)i + 1);
				n = send(cfd[i], buf, 65536,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
				if (n < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				if (n <= 0)
					tp_fail("child: send: %s",
						strerror(errno));
				wrote[i] += n;
				moved += n;
			}
		}
		if (moved || !full_since)
			full_since = tp_now();
		if (!said && (empty || tp_now() - full_since > 0.3)) {
			/* full: tell the parent */
			snprintf(path, sizeof(path), "%s/tcp_fill.full", dir);
			close(open(path, O_CREAT | O_WRONLY, 0600));
			said = 1;
		}
		tp_sleep_ms(10);
	}
	for (int i = 0; i < nconn; i++)
		shutdown(cfd[i], SHUT_WR);
	snprintf(path, sizeof(path), "%s/tcp_fill.child", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || tp_write_full(fd, wrote, sizeof(wrote)) < 0)
		tp_fail("child: %s: %s", path, strerror(errno));
	close(fd);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TEST_WORKDIR");
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	char path[4096];
	uint64_t theirs[MAXC], total = 0;
	int l, st, fd, empty = argc > 2 && strcmp(argv[2], "empty") == 0;
	pid_t pid;

	tp_init("tcp_fill");
	signal(SIGPIPE, SIG_IGN);
	if (!dir)
		dir = ".";
	nconn = argc > 1 ? atoi(argv[1]) : 1;
	TP_CHECK(nconn >= 1 && nconn <= MAXC, "N must be 1..%d", MAXC);
	snprintf(path, sizeof(path), "%s/tcp_fill.full", dir);
	unlink(path);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	TP_CHECK(l >= 0 && bind(l, (void *)&a, sizeof(a)) == 0 &&
		 listen(l, MAXC) == 0 && getsockname(l, (void *)&a, &al) == 0,
		 "listen: %s", strerror(errno));
	for (int i = 0; i < nconn; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		TP_CHECK(cfd[i] >= 0 && connect(cfd[i], (void *)&a, al) == 0,
			 "connect: %s", strerror(errno));
		pfd[i] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		TP_CHECK(pfd[i] >= 0, "accept: %s", strerror(errno));
	}
	close(l);
	pid = fork();
	TP_CHECK(pid >= 0, "fork: %s", strerror(errno));
	for (int i = 0; i < nconn; i++)
		close(pid == 0 ? pfd[i] : cfd[i]);
	if (pid == 0)
		child(dir, empty);
	while (access(path, F_OK) != 0) {
		TP_CHECK(waitpid(pid, &st, WNOHANG) == 0, "child died");
		tp_sleep_ms(10);
	}
	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(20);
	for (int i = 0; i < nconn; i++) {
		unsigned char want[65536];
		ssize_t n;

		while ((n = read(pfd[i], buf, sizeof(want))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			TP_CHECK(n > 0, "read: %s", strerror(errno));
			fill(want, got[i], n, (uint64_t)i + 1);
			TP_CHECK(memcmp(want, buf, n) == 0, "connection %d: "
				 "wrong bytes after %llu (lost, duplicated or "
				 "reordered)", i, (unsigned long long)got[i]);
			got[i] += n;
		}
	}
	TP_CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0, "child status %#x", st);
	snprintf(path, sizeof(path), "%s/tcp_fill.child", dir);
	fd = open(path, O_RDONLY);
	TP_CHECK(fd >= 0 && tp_read_full(fd, theirs, sizeof(theirs)) ==
		 (ssize_t)sizeof(theirs), "cannot read %.200s", path);
	close(fd);
	for (int i = 0; i < nconn; i++) {
		TP_CHECK(got[i] == theirs[i], "connection %d: child wrote "
			 "%llu, parent read %llu", i,
			 (unsigned long long)theirs[i],
			 (unsigned long long)got[i]);
		total += got[i];
	}
	printf("connections=%d bytes=%llu\n", nconn, (unsigned long long)total);
	tp_pass();
}
