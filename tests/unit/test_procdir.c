/*
 * test_procdir.c - the /proc readers of src/preload/base/procdir.c.
 * dmtcp_each_number, the walk of a directory's numeric entries, on a
 * temporary directory: every number once, other names skipped, more
 * entries than one getdents buffer holds, the stop and error returns,
 * the directory fd handed to the callback; then on /proc/self/task and
 * /proc/self/fd.  util_read_small (src/common/util.c), the reader the
 * library uses for /proc files: a file whole, or cut at the buffer's
 * size, always NUL-terminated, relative to a directory fd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/state.h"
#include "util.h"

#define N 2000

static char dir[64];

static int setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_procdir.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* 0 .. N-1 with long names' neighbours: more than 4 KiB of dirents */
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/%d", dir, i);
		if (mkdir(path, 0700) < 0)
			return -1;
	}
	for (const char *const *n = (const char *const[]){ "self",
	     "thread-self", ".hidden", "x1", "-5", NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		if (mkdir(path, 0700) < 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct seen {
	int count[N];
	int total, other, bad_dirfd;
	int stop_after;		/* > 0: return 1 after that many */
	int fail_at;		/* >= 0: return -EIO at that number */
};

static int visit(int n, int dirfd, void *arg)
{
	struct seen *s = arg;
	char name[16];
	struct stat sb;

	if (n >= 0 && n < N)
		s->count[n]++;
	else
		s->other++;
	s->total++;
	/* the entry, relative to the directory's fd */
	snprintf(name, sizeof(name), "%d", n);
	if (fstatat(dirfd, name, &sb, 0) < 0 || !S_ISDIR(sb.st_mode))
		s->bad_dirfd++;
	if (n == s->fail_at)
		return -EIO;
	if (s->stop_after && s->total == s->stop_after)
		return 1;
	return 0;
}

static void test_every_number_once(void **state)
{
	static struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.fail_at = -1;
	assert_int_equal(dmtcp_each_number(dir, visit, &s), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(s.count[i], 1);
	assert_int_equal(s.total, N);
	assert_int_equal(s.other, 0);
	assert_int_equal(s.bad_dirfd, 0);
}

static void test_stop(void **state)
{
	static struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.fail_at = -1;
	s.stop_after = 3;
	assert_int_equal(dmtcp_each_number(dir, visit, &s), 0);
	assert_int_equal(s.total, 3);
	/* past one getdents buffer */
	memset(&s, 0, sizeof(s));
	s.fail_at = -1;
	s.stop_after = N - 1;
	assert_int_equal(dmtcp_each_number(dir, visit, &s), 0);
	assert_int_equal(s.total, N - 1);
}

static void test_error(void **state)
{
	static struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.fail_at = 1234;
	errno = 0;
	assert_int_equal(dmtcp_each_number(dir, visit, &s), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(s.count[1234], 1);
	assert_true(s.total <= N);
	errno = 0;
	assert_int_equal(dmtcp_each_number("/nonexistent/dir", visit, &s), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_empty(void **state)
{
	static struct seen s;
	char empty[128];

	(void)state;
	snprintf(empty, sizeof(empty), "%s/self", dir);
	memset(&s, 0, sizeof(s));
	s.fail_at = -1;
	assert_int_equal(dmtcp_each_number(empty, visit, &s), 0);
	assert_int_equal(s.total, 0);
}

/* what the library walks */
static int find(int n, int dirfd, void *arg)
{
	int *want = arg;	/* the number, found */

	(void)dirfd;
	if (n != want[0])
		return 0;
	want[1] = 1;
	return 1;
}

static int count(int n, int dirfd, void *arg)
{
	(void)n;
	(void)dirfd;
	++*(int *)arg;
	return 0;
}

static void test_proc(void **state)
{
	int tid[2] = { (int)syscall(SYS_gettid), 0 };
	int fd = dup(2), before = 0, after = 0;

	(void)state;
	assert_int_equal(dmtcp_each_number("/proc/self/task", find, tid), 0);
	assert_int_equal(tid[1], 1);
	assert_int_equal(dmtcp_each_number("/proc/self/fd", count, &before),
			 0);
	assert_true(fd >= 0 && before >= 4);	/* 0, 1, 2, fd, the walk's */
	close(fd);
	assert_int_equal(dmtcp_each_number("/proc/self/fd", count, &after), 0);
	assert_int_equal(after, before - 1);
}

static void test_read_small(void **state)
{
	char path[128], buf[16];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FILE *f;

	(void)state;
	assert_true(dfd >= 0);
	snprintf(path, sizeof(path), "%s/7/status", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("State:\tR (running)\n", f);	/* 19 bytes */
	fclose(f);
	/* cut at cap - 1, terminated */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(util_read_small(AT_FDCWD, path, buf, sizeof(buf)), 15);
	assert_string_equal(buf, "State:\tR (runni");
	/* relative to the directory's fd, whole */
	{
		char big[64];

		assert_int_equal(util_read_small(dfd, "7/status", big,
						 sizeof(big)), 19);
		assert_string_equal(big, "State:\tR (running)\n");
	}
	/* an empty file: "" */
	snprintf(path, sizeof(path), "%s/7/empty", dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(util_read_small(dfd, "7/empty", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* missing, or no room at all: -1 */
	assert_int_equal(util_read_small(dfd, "7/none", buf, sizeof(buf)), -1);
	assert_int_equal(util_read_small(dfd, "7/status", buf, 0), -1);
	/* a real /proc file */
	assert_true(util_read_small(AT_FDCWD, "/proc/self/stat", buf,
				    sizeof(buf)) == 15);
	close(dfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_number_once),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_read_small),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
