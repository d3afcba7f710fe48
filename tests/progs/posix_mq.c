/*
 * posix_mq.c - POSIX message queues across checkpoint/restart
 * (tests/e2e/test-posix_mq.sh).
 *
 * Queue A (maxmsg 8, msgsize 256, mode 0640): the parent queues 6
 * messages with priorities 3 1 3 7 0 1 before READY; the child holds its
 * own O_WRONLY descriptor of it.  Nobody reads A until the end, when the
 * parent receives the 6 in priority order (FIFO among equal priorities)
 * and checks every byte.  Queue B (maxmsg 4): the child sends numbered
 * messages (blocking when B is full), the parent receives them (blocking)
 * and checks the sequence.  Every loop checks both queues' attributes
 * through the parent's mqd_t values (the fds must be back at their
 * numbers) and A's mode.  Prints "MQ /a /b" so the test can remove what
 * the first run leaves in the host's namespace; "posix_mq --unlink NAME..."
 * does that.
 */
#include "testprog.h"

#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const unsigned prios[6] = { 3, 1, 3, 7, 0, 1 };
static const int order[6] = { 3, 0, 2, 1, 5, 4 };	/* receive order */

static int a_len(int i)
{
	return 10 + i * 41;
}

static void a_fill(char *buf, int i)
{
	uint64_t seed = 500 + i;

	for (int k = 0; k < a_len(i); k++)
		buf[k] = (char)tp_rand(&seed);
}

static void check_attr(mqd_t q, const char *what, long maxmsg, long msgsize,
		       long curmsgs, long flags)
{
	struct mq_attr at;

	if (mq_getattr(q, &at) < 0)
		tp_fail("%s: mq_getattr(%d): %s", what, (int)q,
			strerror(errno));
	if (at.mq_maxmsg != maxmsg || at.mq_msgsize != msgsize ||
	    (curmsgs >= 0 && at.mq_curmsgs != curmsgs) ||
	    at.mq_flags != flags)
		tp_fail("%s: maxmsg %ld msgsize %ld curmsgs %ld flags %#lx, "
			"expected %ld %ld %ld %#lx", what, at.mq_maxmsg,
			at.mq_msgsize, at.mq_curmsgs, at.mq_flags, maxmsg,
			msgsize, curmsgs, flags);
}

int main(int argc, char **argv)
{
	char name_a[64], name_b[64], buf[256];
	struct mq_attr at;
	mqd_t qa, qb;
	pid_t kid;
	long expect = 0;
	int st;

	if (argc > 1 && strcmp(argv[1], "--unlink") == 0) {
		for (int i = 2; i < argc; i++)
			mq_unlink(argv[i]);
		return 0;
	}
	tp_init("posix_mq");
	snprintf(name_a, sizeof(name_a), "/dmtcp-mq-%d-a", (int)getpid());
	snprintf(name_b, sizeof(name_b), "/dmtcp-mq-%d-b", (int)getpid());
	printf("MQ %s %s\n", name_a, name_b);
	fflush(stdout);
	memset(&at, 0, sizeof(at));
	at.mq_maxmsg = 8;
	at.mq_msgsize = 256;
	umask(022);
	qa = mq_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0640, &at);
	at.mq_maxmsg = 4;
	at.mq_msgsize = sizeof(long);
	qb = mq_open(name_b, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
	if (qa < 0 || qb < 0)
		tp_fail("mq_open: %s", strerror(errno));
	for (int i = 0; i < 6; i++) {
		a_fill(buf, i);
		if (mq_send(qa, buf, a_len(i), prios[i]) < 0)
			tp_fail("mq_send A %d: %s", i, strerror(errno));
	}
	kid = fork();
	if (kid < 0)
		tp_fail("fork: %s", strerror(errno));
	if (kid == 0) {
		mqd_t wa = mq_open(name_a, O_WRONLY);
		long seq = 0;

		if (wa < 0)
			tp_fail("child: mq_open A: %s", strerror(errno));
		for (;;) {
			if (mq_send(qb, (char *)&seq, sizeof(seq), 2) < 0)
				tp_fail("child: mq_send B %ld: %s", seq,
					strerror(errno));
			if (seq == -1)
				break;
			seq++;
			if (access(tp_stop_file, F_OK) == 0)
				seq = -1;	/* the last one */
			check_attr(wa, "child: A", 8, 256, -1, 0);
			tp_sleep_ms(5);
		}
		_exit(0);
	}
	tp_ready();
	for (;;) {
		struct stat sb;
		long got;
		unsigned prio;
		ssize_t n = mq_receive(qb, (char *)&got, sizeof(got), &prio);

		if (n != sizeof(got) || prio != 2)
			tp_fail("mq_receive B: %zd prio %u (%s)", n, prio,
				strerror(errno));
		if (got == -1)
			break;
		(void)tp_should_stop();	/* the safety deadline */
		if (got != expect)
			tp_fail("B: message %ld, expected %ld", got, expect);
		expect++;
		check_attr(qa, "A", 8, 256, 6, 0);
		check_attr(qb, "B", 4, sizeof(long), -1, 0);
		if (fstat(qa, &sb) < 0 || (sb.st_mode & 0777) != 0640)
			tp_fail("A: mode %o, expected 640 (%s)",
				sb.st_mode & 0777, strerror(errno));
		tp_sleep_ms(10);
	}
	if (expect < 10)
		tp_fail("only %ld messages went through B", expect);
	for (int k = 0; k < 6; k++) {
		char want[256];
		unsigned prio;
		ssize_t n = mq_receive(qa, buf, sizeof(buf), &prio);
		int i = order[k];

		a_fill(want, i);
		if (n != a_len(i) || prio != prios[i] ||
		    memcmp(buf, want, n) != 0)
			tp_fail("A: message %d: %zd bytes prio %u, expected "
				"message %d: %d bytes prio %u (or other bytes)",
				k, n, prio, i, a_len(i), prios[i]);
	}
	check_attr(qa, "A at the end", 8, 256, 0, 0);
	if (waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st))
		tp_fail("child ended with status %#x", st);
	printf("seq %ld\n", expect);
	mq_unlink(name_a);
	mq_unlink(name_b);
	tp_pass();
}
