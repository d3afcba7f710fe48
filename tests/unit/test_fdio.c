/*
 * test_fdio.c - descriptor I/O helpers of src/common:
 *  - the full writev loop (fullio.h, shared by util_write_all and the
 *    image writer): every piece written in order, nothing to write is
 *    no system call, errors come back with errno;
 *  - util_read_small: a small file's start NUL-terminated, "" when it
 *    cannot be read;
 *  - util_proc_status: State, TracerPid and voluntary_ctxt_switches of
 *    a status file (not nonvoluntary_...), -1 when it cannot be read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fullio.h"
#include "util.h"

#define BIG	(300u << 10)	/* more than a pipe holds */

static void test_pieces_in_order(void **state)
{
	static char a[BIG], got[BIG + 10];
	struct iovec iov[4] = {
		{ "he", 2 }, { "", 0 }, { a, BIG }, { "!", 1 },
	};
	int p[2];
	pid_t pid;
	size_t n = 0;
	ssize_t k;

	(void)state;
	for (size_t i = 0; i < BIG; i++)
		a[i] = (char)('a' + i % 23);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(full_writev(p[1], iov, 4) == 0 ? 0 : 1);
	}
	close(p[1]);
	while ((k = read(p[0], got + n, sizeof(got) - n)) > 0)
		n += k;
	close(p[0]);
	assert_int_equal(n, BIG + 3);
	assert_memory_equal(got, "he", 2);
	assert_memory_equal(got + 2, a, BIG);
	assert_int_equal(got[BIG + 2], '!');
	{
		int st;

		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

static void test_nothing_and_errors(void **state)
{
	struct iovec empty[2] = { { "", 0 }, { "", 0 } };
	struct iovec one = { "x", 1 };

	(void)state;
	/* nothing to write: no call (a bad fd is not even looked at) */
	assert_int_equal(full_writev(-1, empty, 2), 0);
	assert_int_equal(full_writev(-1, NULL, 0), 0);
	assert_int_equal(util_write_all(-1, "", 0), 0);
	errno = 0;
	assert_int_equal(full_writev(-1, &one, 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(util_write_all(-1, "x", 1), -1);
	assert_int_equal(errno, EBADF);
}

static void test_read_small(void **state)
{
	char path[] = "/tmp/test_fullio.XXXXXX", buf[8];
	const char *base;
	int fd = mkstemp(path), dir;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(util_write_all(fd, "hello\nworld", 11), 0);
	close(fd);
	assert_int_equal(util_read_small(AT_FDCWD, path, buf, sizeof(buf)),
			 7);
	assert_string_equal(buf, "hello\nw");
	/* relative to a directory */
	dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	base = strrchr(path, '/') + 1;
	assert_int_equal(util_read_small(dir, base, buf, 4), 3);
	assert_string_equal(buf, "hel");
	close(dir);
	unlink(path);
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(util_read_small(AT_FDCWD, path, buf, sizeof(buf)),
			 -1);
	assert_string_equal(buf, "");
}

static void test_proc_status(void **state)
{
	static const char text[] =
		"Name:\tx\nState:\tt (tracing stop)\nTracerPid:\t4242\n"
		"nonvoluntary_ctxt_switches:\t99\n";
	static const char more[] = "voluntary_ctxt_switches:\t17\n";
	char path[] = "/tmp/test_fdio_status.XXXXXX";
	struct util_proc_status st;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(util_write_all(fd, text, sizeof(text) - 1), 0);
	assert_int_equal(util_proc_status(AT_FDCWD, path, &st), 0);
	assert_int_equal(st.state, 't');
	assert_int_equal(st.tracer, 4242);
	assert_int_equal(st.vcs, 0);	/* only nonvoluntary_ is there */
	assert_int_equal(util_write_all(fd, more, sizeof(more) - 1), 0);
	close(fd);
	assert_int_equal(util_proc_status(AT_FDCWD, path, &st), 0);
	assert_int_equal(st.vcs, 17);
	unlink(path);
	assert_int_equal(util_proc_status(AT_FDCWD, path, &st), -1);
	/* this process: running, not traced by anyone here */
	assert_int_equal(util_proc_status(AT_FDCWD, "/proc/self/status", &st),
			 0);
	assert_int_equal(st.state, 'R');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces_in_order),
		cmocka_unit_test(test_nothing_and_errors),
		cmocka_unit_test(test_read_small),
		cmocka_unit_test(test_proc_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
