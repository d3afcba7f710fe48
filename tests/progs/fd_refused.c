/*
 * fd_refused.c - descriptors a checkpoint must refuse, next to harmless
 * ones it must accept.  Always open: eventfd, epoll, signalfd, timerfd,
 * inotify, a pidfd of this process.  While $TEST_WORKDIR/open-bad
 * exists (and close-bad does not) it also holds a netlink socket and,
 * where the kernel lets it, a userfaultfd (prints "BAD-OPEN pid P fd N
 * KIND" lines, then "BAD-OPENED"); once close-bad exists it closes them
 * ("BAD-CLOSED").  After a restart the pidfd must name this process.
 * With the argument "fork", a child does all this (the parent only holds
 * the harmless kinds): the checkpoint must fail for both.
 */
#include "testprog.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

static int exists(const char *dir, const char *name)
{
	char p[700];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

int main(int argc, char **argv)
{
	const char *work = getenv("TEST_WORKDIR");
	int bad[2] = { -1, -1 }, opened = 0, closed = 0, pidfd;
	int ev, ep, tf, in, sf, holder = 1;
	pid_t child = 0;
	sigset_t m;

	tp_init("fd_refused");
	if (argc > 1 && strcmp(argv[1], "fork") == 0) {
		fflush(stdout);
		child = fork();
		TP_CHECK(child >= 0, "fork: %s", strerror(errno));
		holder = child == 0;	/* the child holds the bad fds */
	}
	if (!work)
		work = ".";
	sigemptyset(&m);
	sigaddset(&m, SIGURG);
	sigprocmask(SIG_BLOCK, &m, NULL);
	ev = eventfd(0, 0);
	ep = epoll_create1(0);
	tf = timerfd_create(CLOCK_MONOTONIC, 0);
	in = inotify_init1(0);
	sf = signalfd(-1, &m, 0);
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	TP_CHECK(ev >= 0 && ep >= 0 && tf >= 0 && in >= 0 && sf >= 0 &&
		 pidfd >= 0, "harmless fds: %s", strerror(errno));
	if (child > 0 || argc < 2)
		tp_ready();	/* once, by the parent */
	for (;;) {
		char path[64], buf[512];
		int f, n, c, r;

		tp_status(&c, &r);
		if (holder && !opened && exists(work, "open-bad")) {
			long u;

			bad[0] = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
			TP_CHECK(bad[0] >= 0, "netlink: %s", strerror(errno));
			printf("BAD-OPEN pid %d fd %d netlink socket\n",
			       getpid(), bad[0]);
			/* UFFD_USER_MODE_ONLY (1): allowed unprivileged */
			u = syscall(SYS_userfaultfd, O_CLOEXEC | 1);
			if (u >= 0) {
				bad[1] = u;
				printf("BAD-OPEN pid %d fd %d "
				       "anon_inode:[userfaultfd]\n", getpid(),
				       bad[1]);
			}
			printf("BAD-OPENED\n");
			fflush(stdout);
			opened = 1;
		}
		if (opened && !closed && exists(work, "close-bad")) {
			for (int i = 0; i < 2; i++)
				if (bad[i] >= 0)
					close(bad[i]);
			printf("BAD-CLOSED\n");
			fflush(stdout);
			closed = 1;
		}
		/* the pidfd names this process, after restarts too */
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
		f = open(path, O_RDONLY);
		TP_CHECK(f >= 0, "open %s", path);
		n = read(f, buf, sizeof(buf) - 1);
		close(f);
		TP_CHECK(n > 0, "read %s", path);
		buf[n] = 0;
		{
			char want[32];

			snprintf(want, sizeof(want), "Pid:\t%d\n", getpid());
			TP_CHECK(strstr(buf, want), "pidfd %d: no '%s' in %.200s",
				 pidfd, want, buf);
		}
		TP_CHECK(syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0,
			 "pidfd_send_signal: %s", strerror(errno));
		if (tp_should_stop())
			break;
		tp_sleep_ms(10);
	}
	if (child == 0 && argc > 1)
		_exit(0);	/* the child */
	if (child > 0) {
		int st;

		TP_CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) &&
			 WEXITSTATUS(st) == 0, "child status %#x", st);
	}
	tp_pass();
}
