/*
 * fifo_pair.c - a named pipe (FIFO) between two processes
 * (tests/e2e/test-fifo_pair.sh): the parent makes $TEST_WORKDIR/fifo and
 * reads numbered records from it; its child opens it for writing and
 * writes them, keeping a backlog of unread records in the FIFO at all
 * times (so every checkpoint has data in flight).  The reader checks that
 * every record arrives once, in order, intact.
 */
#include "testprog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

struct rec {
	uint64_t seq, check;
};

static uint64_t mixr(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	return x ^ (x >> 29);
}

int main(void)
{
	char path[4096];
	const char *dir = getenv("TEST_WORKDIR");
	uint64_t next = 0;
	pid_t child;
	int fd, st;

	tp_init("fifo_pair");
	snprintf(path, sizeof(path), "%s/fifo", dir ? dir : ".");
	unlink(path);
	TP_CHECK(mkfifo(path, 0600) == 0, "mkfifo: %s", strerror(errno));
	child = fork();
	TP_CHECK(child >= 0, "fork");
	if (child == 0) {
		uint64_t seq = 0;

		fd = open(path, O_WRONLY);
		if (fd < 0)
			_exit(2);
		while (!tp_should_stop()) {
			struct rec r = { seq, mixr(seq) };

			if (write(fd, &r, sizeof(r)) != sizeof(r))
				_exit(3);
			seq++;
			if (seq % 8 == 0)
				tp_sleep_ms(5);
		}
		close(fd);
		_exit(0);
	}
	fd = open(path, O_RDONLY);
	TP_CHECK(fd >= 0, "open %.200s: %s", path, strerror(errno));
	tp_ready();
	for (;;) {
		struct rec r;
		ssize_t n = read(fd, &r, sizeof(r));

		if (n == 0)
			break;		/* the writer stopped */
		if (n < 0 && errno == EINTR)
			continue;
		TP_CHECK(n == sizeof(r), "read %zd bytes: %s", n,
			 n < 0 ? strerror(errno) : "short record");
		TP_CHECK(r.seq == next && r.check == mixr(r.seq),
			 "record %llu (check %llx), expected %llu",
			 (unsigned long long)r.seq,
			 (unsigned long long)r.check,
			 (unsigned long long)next);
		next++;
		if (next % 4 == 0)
			tp_sleep_ms(10);	/* the writer stays ahead */
	}
	TP_CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0, "writer status %#x", st);
	TP_CHECK(next > 100, "only %llu records", (unsigned long long)next);
	printf("records=%llu\n", (unsigned long long)next);
	tp_pass();
}
