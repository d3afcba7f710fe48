/*
 * unix_oob.c - an urgent byte (MSG_OOB) queued on a UNIX stream through a
 * checkpoint (tests/e2e/test-unix_oob.sh): a known limit (doc/sockets.md).
 * The child writes "abc", the urgent byte 'X' and "def" on a socketpair
 * and waits; the parent reads nothing until the stop file.  Then it reads
 * what there is: without a restart it must get the exact semantics ("abc",
 * the mark, 'X' by MSG_OOB, "def"); after a restart the documented
 * degradation: "abcXdef" in the stream and no urgent byte.  Anything else
 * (bytes lost, duplicated, an urgent byte out of nowhere) fails.
 */
#include "testprog.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

int main(void)
{
	int sv[2], c, r, st;
	char buf[64], b;
	ssize_t n, got = 0;
	pid_t pid;

	tp_init("unix_oob");
	TP_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair: %s",
		 strerror(errno));
	pid = fork();
	TP_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(sv[0]);
		if (send(sv[1], "abc", 3, 0) != 3 ||
		    send(sv[1], "X", 1, MSG_OOB) != 1 ||
		    send(sv[1], "def", 3, 0) != 3)
			tp_fail("child: send: %s", strerror(errno));
		while (!tp_should_stop())
			tp_sleep_ms(20);
		_exit(0);
	}
	close(sv[1]);
	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(20);
	tp_status(&c, &r);
	if (r == 0) {
		int at = 0;

		n = recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT);
		TP_CHECK(n == 3 && memcmp(buf, "abc", 3) == 0,
			 "before the mark: %zd bytes", n);
		TP_CHECK(ioctl(sv[0], SIOCATMARK, &at) == 0 && at,
			 "not at the mark");
		TP_CHECK(recv(sv[0], &b, 1, MSG_OOB) == 1 && b == 'X',
			 "urgent byte: %s", strerror(errno));
		n = recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT);
		TP_CHECK(n == 3 && memcmp(buf, "def", 3) == 0,
			 "after the mark: %zd bytes", n);
		printf("urgent byte kept\n");
	} else {
		while (got < 7 && (n = recv(sv[0], buf + got,
					    sizeof(buf) - got,
					    MSG_DONTWAIT)) > 0)
			got += n;
		TP_CHECK(got == 7 && memcmp(buf, "abcXdef", 7) == 0,
			 "after a restart: %zd bytes, expected abcXdef", got);
		TP_CHECK(recv(sv[0], &b, 1, MSG_OOB) < 0,
			 "an urgent byte after a restart");
		printf("urgent byte came back in the stream\n");
	}
	TP_CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0, "child status %#x", st);
	tp_pass();
}
