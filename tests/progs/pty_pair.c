/*
 * pty_pair.c - a pseudo-terminal pair used by three processes.
 *
 * The parent opens the master (posix_openpt, grantpt, unlockpt), sets
 * the window size and forks a child that starts a session (setsid),
 * opens the slave as its controlling terminal and its stdin and stdout,
 * sets termios (canonical, no echo, VINTR ^G, 2400 baud) and forks a
 * grandchild in a process group of its own.  The parent writes "ping N"
 * lines (each in two writes), always two ahead, and both sides pause
 * between reads, so bytes (and half lines) are in flight in the pty at
 * most checkpoints; the child answers "pong N" to each, in order.  For every
 * line the child checks termios, window size and the foreground group it
 * last set (it gives the terminal to the grandchild's group and takes it
 * back: tcsetpgrp/tcgetpgrp); the parent checks "\r\n" line ends (output
 * processing), the master's window size, and that no pong is missing,
 * repeated or out of order.  Failures of the child or grandchild come to
 * the parent as "FAIL ..." lines through the pty.
 */
#include "testprog.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#define ROWS 33
#define COLS 111

static void check_winsize(int fd, const char *who)
{
	struct winsize ws;

	TP_CHECK(ioctl(fd, TIOCGWINSZ, &ws) == 0, "%s TIOCGWINSZ: %s", who,
		 strerror(errno));
	TP_CHECK(ws.ws_row == ROWS && ws.ws_col == COLS,
		 "%s window size %dx%d, expected %dx%d", who, ws.ws_row,
		 ws.ws_col, ROWS, COLS);
}

static void check_termios(void)
{
	struct termios t;

	TP_CHECK(tcgetattr(0, &t) == 0, "tcgetattr: %s", strerror(errno));
	TP_CHECK((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ISIG),
		 "c_lflag %#x", t.c_lflag);
	TP_CHECK(t.c_cc[VINTR] == 7, "VINTR %d", t.c_cc[VINTR]);
	TP_CHECK((t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR),
		 "c_oflag %#x", t.c_oflag);
	TP_CHECK(cfgetospeed(&t) == B2400 && cfgetispeed(&t) == B2400,
		 "speed %d/%d", (int)cfgetispeed(&t), (int)cfgetospeed(&t));
}

static void grandchild(pid_t session)
{
	for (;;) {
		pid_t fg = tcgetpgrp(0);

		TP_CHECK(getsid(0) == session, "grandchild session %d, not %d",
			 getsid(0), session);
		TP_CHECK(getpgrp() == getpid(), "grandchild group %d",
			 getpgrp());
		TP_CHECK(fg == getpid() || fg == session,
			 "foreground group %d (grandchild %d, child %d)", fg,
			 getpid(), session);
		if (tp_should_stop())
			_exit(0);
		tp_sleep_ms(20);
	}
}

static void child(int master, const char *name)
{
	char buf[4096];
	size_t have = 0;
	long expect = 1;
	struct termios t;
	sigset_t ttou;
	pid_t g, cur_fg;
	int s;

	close(master);
	TP_CHECK(setsid() == getpid(), "setsid: %s", strerror(errno));
	s = open(name, O_RDWR);
	TP_CHECK(s >= 0, "open %s: %s", name, strerror(errno));
	TP_CHECK(ioctl(s, TIOCSCTTY, 0) == 0, "TIOCSCTTY: %s", strerror(errno));
	/* stdin and stdout; stderr stays the parent's (logs of the tool) */
	dup2(s, 0);
	dup2(s, 1);
	if (s > 1)
		close(s);
	TP_CHECK(tcgetattr(0, &t) == 0, "tcgetattr");
	t.c_lflag |= ICANON | ISIG;
	t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
	t.c_oflag |= OPOST | ONLCR;
	t.c_cc[VINTR] = 7;
	cfsetispeed(&t, B2400);
	cfsetospeed(&t, B2400);
	TP_CHECK(tcsetattr(0, TCSANOW, &t) == 0, "tcsetattr: %s",
		 strerror(errno));
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	g = fork();
	TP_CHECK(g >= 0, "fork: %s", strerror(errno));
	if (g == 0) {
		setpgid(0, 0);
		grandchild(getppid());
	}
	setpgid(g, g);
	cur_fg = getpgrp();
	TP_CHECK(tcgetpgrp(0) == cur_fg, "foreground %d, expected %d",
		 tcgetpgrp(0), cur_fg);
	dprintf(1, "hello\n");	/* echo is off now: the parent may ping */
	for (;;) {
		char *nl;
		ssize_t n;

		n = read(0, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		TP_CHECK(n > 0, "child read: %zd %s", n, strerror(errno));
		have += n;
		buf[have] = 0;
		while ((nl = memchr(buf, '\n', have))) {
			long got;

			*nl = 0;
			if (strcmp(buf, "quit") == 0) {
				int st;

				kill(g, SIGTERM);
				waitpid(g, &st, 0);
				_exit(0);
			}
			TP_CHECK(sscanf(buf, "ping %ld", &got) == 1,
				 "child got '%.200s'", buf);
			TP_CHECK(got == expect, "child got ping %ld, expected "
				 "%ld", got, expect);
			expect++;
			/* everything the restart must have put back */
			check_termios();
			check_winsize(0, "slave");
			TP_CHECK(tcgetpgrp(0) == cur_fg, "foreground %d, "
				 "expected %d", tcgetpgrp(0), cur_fg);
			/* job control: the grandchild's turn, then ours */
			TP_CHECK(tcsetpgrp(0, g) == 0, "tcsetpgrp %d: %s", g,
				 strerror(errno));
			cur_fg = g;
			TP_CHECK(tcgetpgrp(0) == g, "foreground %d", tcgetpgrp(0));
			TP_CHECK(tcsetpgrp(0, getpgrp()) == 0, "tcsetpgrp: %s",
				 strerror(errno));
			cur_fg = getpgrp();
			TP_CHECK(tcgetpgrp(0) == cur_fg, "foreground %d",
				 tcgetpgrp(0));
			dprintf(1, "pong %ld\n", got);
			/* the next pings wait in the slave's input queue */
			tp_sleep_ms(7);
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have);
		}
	}
}

int main(void)
{
	struct winsize ws = { .ws_row = ROWS, .ws_col = COLS };
	char buf[8192] = "", name[128];
	size_t have = 0;
	long sent = 0, next = 1, after = 0;
	int m, st, last_r = 0;
	pid_t c;

	tp_init("pty_pair");
	m = posix_openpt(O_RDWR | O_NOCTTY);
	TP_CHECK(m >= 0, "posix_openpt: %s", strerror(errno));
	TP_CHECK(grantpt(m) == 0 && unlockpt(m) == 0, "grantpt/unlockpt");
	TP_CHECK(ptsname_r(m, name, sizeof(name)) == 0, "ptsname");
	TP_CHECK(ioctl(m, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
	fflush(stdout);
	c = fork();
	TP_CHECK(c >= 0, "fork: %s", strerror(errno));
	if (c == 0)
		child(m, name);
	for (double end = tp_now() + 10; !strstr(buf, "hello\r\n");) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		int k;

		TP_CHECK(tp_now() < end, "no hello from the child: '%.200s'", buf);
		if (poll(&p, 1, 100) != 1)
			continue;
		k = read(m, buf + have, sizeof(buf) - 1 - have);
		TP_CHECK(k > 0, "master read: %d %s", k, strerror(errno));
		have += k;
		buf[have] = 0;
		if (strncmp(buf, "FAIL", 4) == 0)
			tp_fail("child: %.200s", buf);
	}
	/* what follows hello (DMTCP_DEBUG=1 logs of the child) is skipped */
	have = 0;
	buf[0] = 0;
	tp_ready();
	for (;;) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		int cr, r, k;
		char *nl;

		tp_status(&cr, &r);
		if (r != last_r) {
			char now[128];
			struct stat sb;

			last_r = r;
			after = 0;
			check_winsize(m, "master");
			TP_CHECK(ptsname_r(m, now, sizeof(now)) == 0 &&
				 stat(now, &sb) == 0 && S_ISCHR(sb.st_mode),
				 "ptsname after restart: %s", strerror(errno));
			printf("restart %d: slave %s, was %s\n", r, now, name);
			fflush(stdout);
		}
		while (sent < next + 1) {	/* two pings in flight */
			char l[32];
			int len = snprintf(l, sizeof(l), "ping %ld\n", ++sent);

			/* in two pieces: half a line may be in flight too */
			TP_CHECK(write(m, l, 3) == 3, "write: %s",
				 strerror(errno));
			tp_sleep_ms(2);
			TP_CHECK(write(m, l + 3, len - 3) == len - 3,
				 "write: %s", strerror(errno));
		}
		/* the pongs wait in the master's queue for a while */
		tp_sleep_ms(7);
		k = poll(&p, 1, 3000);
		TP_CHECK(k == 1, "no pong %ld within 3 s (poll %d: %s)", next,
			 k, strerror(errno));
		k = read(m, buf + have, sizeof(buf) - 1 - have);
		TP_CHECK(k > 0, "master read: %d %s", k, strerror(errno));
		have += k;
		buf[have] = 0;
		while ((nl = memchr(buf, '\n', have))) {
			long got;

			*nl = 0;
			if (strncmp(buf, "FAIL", 4) == 0)
				tp_fail("child: %.200s", buf);
			if (buf[0] == '[') {
				/* DMTCP_DEBUG=1: the log of the child (stderr) */
				have -= nl + 1 - buf;
				memmove(buf, nl + 1, have);
				continue;
			}
			TP_CHECK(nl > buf && nl[-1] == '\r',
				 "line '%.200s' does not end in \\r\\n", buf);
			nl[-1] = 0;
			TP_CHECK(sscanf(buf, "pong %ld", &got) == 1,
				 "parent got '%.200s'", buf);
			TP_CHECK(got == next, "pong %ld, expected %ld", got,
				 next);
			next++;
			after++;
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have);
		}
		if (tp_should_stop() && after >= 20)
			break;
	}
	TP_CHECK(write(m, "quit\n", 5) == 5, "write quit");
	TP_CHECK(waitpid(c, &st, 0) == c, "waitpid: %s", strerror(errno));
	TP_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x",
		 st);
	printf("%ld pings answered in order\n", next - 1);
	tp_pass();
}
