/*
 * test_safefile.c - creating and reusing files in directories other users
 * may write (src/common/safefile.c): unpredictable temporary names, no
 * reuse of an existing name or symlink, owner/mode checks of reused files
 * and directories, and the state directory refusal (util_state_dir).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "safefile.h"
#include "util.h"

static char dir[PATH_MAX / 2];	/* room for the names below */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_safefile.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_tmp_names_differ(void **state)
{
	char final[PATH_MAX], a[PATH_MAX + 64], b[PATH_MAX + 64];
	const char *base;

	(void)state;
	snprintf(final, sizeof(final), "%s/ckpt_x.dmtcp", dir);
	assert_int_equal(safe_tmp_name(final, a, sizeof(a)), 0);
	assert_int_equal(safe_tmp_name(final, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	/* same directory, hidden, the final name in it, 16 random digits */
	assert_memory_equal(a, dir, strlen(dir));
	base = a + strlen(dir) + 1;
	assert_true(strncmp(base, ".ckpt_x.dmtcp.tmp.", 18) == 0);
	assert_int_equal(strlen(base + 18), 16);
	/* too long is an error, not a truncated name */
	assert_int_equal(safe_tmp_name(final, a, strlen(dir) + 10), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	/* a name without a directory stays in the current one */
	assert_int_equal(safe_tmp_name("plain", a, sizeof(a)), 0);
	assert_true(strncmp(a, ".plain.tmp.", 11) == 0);
}

static void test_create_is_new_and_private(void **state)
{
	char final[PATH_MAX], tmp[PATH_MAX + 64];
	struct stat st;
	int fd;

	(void)state;
	snprintf(final, sizeof(final), "%s/script.sh", dir);
	fd = safe_create_tmp(final, tmp, sizeof(tmp), 0600);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(lstat(tmp, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 1);
	unlink(tmp);
}

static void test_refuses_existing_and_links(void **state)
{
	char final[PATH_MAX], tmp[PATH_MAX + 64], victim[PATH_MAX];
	struct stat st;
	int fd;

	(void)state;
	/* open() with O_EXCL|O_NOFOLLOW on a planted symlink fails */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	snprintf(final, sizeof(final), "%s/img", dir);
	assert_int_equal(safe_tmp_name(final, tmp, sizeof(tmp)), 0);
	assert_int_equal(symlink(victim, tmp), 0);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EEXIST);
	unlink(tmp);
	/* and safe_create_tmp never writes through one: 200 tries, each
	 * with a fresh random name, leave the victim alone */
	for (int i = 0; i < 200; i++) {
		fd = safe_create_tmp(final, tmp, sizeof(tmp), 0600);
		assert_true(fd >= 0);
		close(fd);
		unlink(tmp);
	}
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 4);
}

static void test_check_owned(void **state)
{
	struct stat st;
	char why[160];

	(void)state;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0600;
	st.st_uid = geteuid();
	assert_int_equal(safe_check_owned(&st, 0, why, sizeof(why)), 0);
	st.st_mode = S_IFREG | 0644;
	assert_int_equal(safe_check_owned(&st, 0, why, sizeof(why)), 0);
	st.st_mode = S_IFREG | 0620;
	assert_int_equal(safe_check_owned(&st, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "group"));
	st.st_mode = S_IFREG | 0602;
	assert_int_equal(safe_check_owned(&st, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "other users"));
	st.st_mode = S_IFREG | 0600;
	st.st_uid = geteuid() + 1;
	assert_int_equal(safe_check_owned(&st, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "owned by uid"));
	st.st_uid = geteuid();
	st.st_mode = S_IFDIR | 0700;
	assert_int_equal(safe_check_owned(&st, 0, why, sizeof(why)), -1);
	assert_int_equal(safe_check_owned(&st, 1, why, sizeof(why)), 0);
	st.st_mode = S_IFDIR | 01777;
	assert_int_equal(safe_check_owned(&st, 1, why, sizeof(why)), -1);
}

static void test_private_dir(void **state)
{
	char d[PATH_MAX], link[PATH_MAX], why[160];
	struct stat st;

	(void)state;
	snprintf(d, sizeof(d), "%s/state", dir);
	assert_int_equal(safe_private_dir(d, why, sizeof(why)), 0);
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* reused as it is */
	assert_int_equal(safe_private_dir(d, why, sizeof(why)), 0);
	/* writable by others: refused */
	assert_int_equal(chmod(d, 0777), 0);
	assert_int_equal(safe_private_dir(d, why, sizeof(why)), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(d, 0770), 0);
	assert_int_equal(safe_private_dir(d, why, sizeof(why)), -1);
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(safe_private_dir(d, why, sizeof(why)), 0);
	/* a symlink, even to a good directory: refused */
	snprintf(link, sizeof(link), "%s/state-link", dir);
	assert_int_equal(symlink(d, link), 0);
	assert_int_equal(safe_private_dir(link, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "symbolic link"));
}

static void test_open_own(void **state)
{
	char f[PATH_MAX], link[PATH_MAX], why[160];
	int fd;

	(void)state;
	snprintf(f, sizeof(f), "%s/log", dir);
	fd = safe_open_own(f, O_WRONLY | O_CREAT | O_APPEND, 0600, why,
			   sizeof(why));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(f, 0666), 0);
	fd = safe_open_own(f, O_RDONLY, 0, why, sizeof(why));
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(f, 0600), 0);
	snprintf(link, sizeof(link), "%s/log-link", dir);
	assert_int_equal(symlink(f, link), 0);
	fd = safe_open_own(link, O_RDONLY, 0, why, sizeof(why));
	assert_int_equal(fd, -1);
	assert_non_null(strstr(why, "symbolic link"));
}

static void test_shared_dir(void **state)
{
	char d[PATH_MAX];

	(void)state;
	snprintf(d, sizeof(d), "%s/scratch", dir);
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(safe_shared_dir(d), 0);
	assert_int_equal(chmod(d, 0777), 0);
	assert_int_equal(safe_shared_dir(d), 1);
	assert_int_equal(chmod(d, 01777), 0);
	assert_int_equal(safe_shared_dir(d), 0);
	assert_int_equal(safe_shared_dir("/nonexistent/x"), 0);
}

static void test_state_dir_refused(void **state)
{
	char tmpdir[PATH_MAX], sd[PATH_MAX];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmpdir", dir);
	assert_int_equal(mkdir(tmpdir, 0700), 0);
	setenv("DMTCP_TMPDIR", tmpdir, 1);
	setenv("USER", "unit", 1);
	assert_int_equal(util_state_dir(sd, sizeof(sd)), 0);
	assert_memory_equal(sd, tmpdir, strlen(tmpdir));
	assert_int_equal(chmod(sd, 0707), 0);
	assert_int_equal(util_state_dir(sd, sizeof(sd)), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(sd, 0700), 0);
	assert_int_equal(util_state_dir(sd, sizeof(sd)), 0);
	unsetenv("DMTCP_TMPDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmp_names_differ),
		cmocka_unit_test(test_create_is_new_and_private),
		cmocka_unit_test(test_refuses_existing_and_links),
		cmocka_unit_test(test_check_owned),
		cmocka_unit_test(test_private_dir),
		cmocka_unit_test(test_open_own),
		cmocka_unit_test(test_shared_dir),
		cmocka_unit_test(test_state_dir_refused),
	};

	umask(022);
	return cmocka_run_group_tests(tests, setup, teardown);
}
