/*
 * test_cmdopts.c - cmocka tests of the dmtcp_command and dmtcp_launch
 * command lines and of dmtcp_launch's program checks (static, setuid,
 * "#!" interpreters, PATH search).
 */
#include "config.h"
#include "cmd-opts.h"
#include "coord-start.h"
#include "dmtcp/protocol.h"
#include "launch-opts.h"

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

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define CMD(o, ...) cmd_opts_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), \
				   (o), err, sizeof(err))
#define LAUNCH(o, ...) launch_opts_parse(ARGC(__VA_ARGS__), \
					 ARGV(__VA_ARGS__), (o), err, \
					 sizeof(err))

static char err[512];

static void test_cmd_options(void **state)
{
	struct cmd_opts o;

	(void)state;
	assert_int_equal(CMD(&o, "dmtcp_command", "-s"), 0);
	assert_int_equal(o.nreq, 1);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_STATUS);
	assert_null(o.c.host);
	assert_int_equal(o.c.port, -1);

	assert_int_equal(CMD(&o, "dmtcp_command", "-h", "node1", "-p", "1234",
			     "--checkpoint", "--list"), 0);
	assert_string_equal(o.c.host, "node1");
	assert_int_equal(o.c.port, 1234);
	assert_int_equal(o.nreq, 2);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_CHECKPOINT);
	assert_int_equal(o.req[1].cmd, DMTCP_CMD_LIST);

	assert_int_equal(CMD(&o, "dmtcp_command", "--coord-port", "0",
			     "--bcheckpoint", "-k", "-q"), 0);
	assert_int_equal(o.c.port, 0);
	assert_int_equal(o.nreq, 3);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_BCHECKPOINT);
	assert_int_equal(o.req[1].cmd, DMTCP_CMD_KILL);
	assert_int_equal(o.req[2].cmd, DMTCP_CMD_QUIT);

	/* DMTCP's "-bc" is one option, not -b -c */
	assert_int_equal(CMD(&o, "dmtcp_command", "-bc"), 0);
	assert_int_equal(o.nreq, 1);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_BCHECKPOINT);

	assert_int_equal(CMD(&o, "dmtcp_command", "--interval", "30"), 0);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_INTERVAL);
	assert_int_equal(o.req[0].arg, 30);
	assert_int_equal(CMD(&o, "dmtcp_command", "-i", "0"), 0);
	assert_int_equal(o.req[0].arg, 0);

	/* -kc (checkpoint, then kill) and --json / -j */
	assert_int_equal(CMD(&o, "dmtcp_command", "-kc", "--json"), 0);
	assert_int_equal(o.nreq, 1);
	assert_int_equal(o.req[0].cmd, CMD_KCHECKPOINT);
	assert_true(o.json);
	assert_int_equal(CMD(&o, "dmtcp_command", "-j", "kc", "s"), 0);
	assert_true(o.json);
	assert_int_equal(o.req[0].cmd, CMD_KCHECKPOINT);
	assert_int_equal(o.req[1].cmd, DMTCP_CMD_STATUS);
	assert_string_equal(cmd_name(CMD_KCHECKPOINT), "kcheckpoint");
	assert_int_equal(CMD(&o, "dmtcp_command", "-s"), 0);
	assert_false(o.json);
}

static void test_cmd_words(void **state)
{
	struct cmd_opts o;

	(void)state;
	assert_int_equal(CMD(&o, "dmtcp_command", "s", "l", "c", "bc", "k",
			     "q"), 0);
	assert_int_equal(o.nreq, 6);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_STATUS);
	assert_int_equal(o.req[1].cmd, DMTCP_CMD_LIST);
	assert_int_equal(o.req[2].cmd, DMTCP_CMD_CHECKPOINT);
	assert_int_equal(o.req[3].cmd, DMTCP_CMD_BCHECKPOINT);
	assert_int_equal(o.req[4].cmd, DMTCP_CMD_KILL);
	assert_int_equal(o.req[5].cmd, DMTCP_CMD_QUIT);

	assert_int_equal(CMD(&o, "dmtcp_command", "i", "15", "-p", "99",
			     "status"), 0);
	assert_int_equal(o.c.port, 99);
	assert_int_equal(o.nreq, 2);
	assert_int_equal(o.req[0].cmd, DMTCP_CMD_INTERVAL);
	assert_int_equal(o.req[0].arg, 15);
	assert_int_equal(o.req[1].cmd, DMTCP_CMD_STATUS);

	assert_int_equal(CMD(&o, "dmtcp_command", "h"), 0);
	assert_true(o.c.help);
}

static void test_cmd_errors(void **state)
{
	struct cmd_opts o;

	(void)state;
	/* nothing to do: usage, no message */
	assert_int_equal(CMD(&o, "dmtcp_command"), -1);
	assert_string_equal(err, "");
	assert_int_equal(CMD(&o, "dmtcp_command", "-p", "5"), -1);
	assert_string_equal(err, "");

	assert_int_equal(CMD(&o, "dmtcp_command", "--bogus"), -1);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(CMD(&o, "dmtcp_command", "frobnicate"), -1);
	assert_non_null(strstr(err, "frobnicate"));
	assert_int_equal(CMD(&o, "dmtcp_command", "-p", "70000", "s"), -1);
	assert_non_null(strstr(err, "70000"));
	assert_int_equal(CMD(&o, "dmtcp_command", "-p", "x1", "s"), -1);
	assert_int_equal(CMD(&o, "dmtcp_command", "i"), -1);
	assert_non_null(strstr(err, "interval"));
	assert_int_equal(CMD(&o, "dmtcp_command", "i", "soon"), -1);
	assert_int_equal(CMD(&o, "dmtcp_command", "-i", "-5"), -1);
	assert_int_equal(CMD(&o, "dmtcp_command", "-s", "-p"), -1);
	assert_non_null(strstr(err, "argument"));

	assert_int_equal(CMD(&o, "dmtcp_command", "--help"), 0);
	assert_true(o.c.help);
	assert_int_equal(CMD(&o, "dmtcp_command", "--version"), 0);
	assert_true(o.c.version);
}

static void test_launch_options(void **state)
{
	struct launch_opts o;

	(void)state;
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "./a.out"), 0);
	assert_int_equal(o.prog_index, 1);
	assert_int_equal(o.c.mode, COORD_AUTO);
	assert_int_equal(o.c.port, -1);
	assert_int_equal(o.gzip, -1);
	assert_int_equal(o.ckpt_signal, -1);
	assert_int_equal(o.c.interval, -1);

	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "-h", "host1", "-p", "0",
				"--new-coordinator", "--no-gzip",
				"--ckpt-signal", "10", "--ckptdir", "/tmp/c",
				"-i", "60", "--tmpdir", "/tmp/t", "prog", "-h",
				"--no-gzip"), 0);
	assert_string_equal(o.c.host, "host1");
	assert_int_equal(o.c.port, 0);
	assert_int_equal(o.c.mode, COORD_NEW);
	assert_int_equal(o.gzip, 0);
	assert_int_equal(o.ckpt_signal, 10);
	assert_string_equal(o.c.ckptdir, "/tmp/c");
	assert_int_equal(o.c.interval, 60);
	assert_string_equal(o.c.tmpdir, "/tmp/t");
	/* the program's own options are not ours */
	assert_int_equal(o.prog_index, 15);

	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--join-coordinator",
				"--gzip", "--", "--weird-name"), 0);
	assert_int_equal(o.c.mode, COORD_JOIN);
	assert_int_equal(o.gzip, 1);
	assert_int_equal(o.prog_index, 4);
	assert_false(o.skip_file_pages);

	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--skip-file-pages",
				"--ckpt-on-crash", "prog"), 0);
	assert_true(o.skip_file_pages);
	assert_true(o.ckpt_on_crash);
	assert_int_equal(o.prog_index, 3);

	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "-j", "x"), 0);
	assert_int_equal(o.c.mode, COORD_JOIN);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--help"), 0);
	assert_true(o.c.help);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--version"), 0);
	assert_true(o.c.version);
}

static void test_launch_errors(void **state)
{
	struct launch_opts o;

	(void)state;
	assert_int_equal(LAUNCH(&o, "dmtcp_launch"), -1);
	assert_string_equal(err, "");
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "-p", "1"), -1);
	assert_string_equal(err, "");
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--bogus", "x"), -1);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--new-coordinator",
				"--join-coordinator", "x"), -1);
	assert_non_null(strstr(err, "exclude"));
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "-j", "-p", "0", "x"), -1);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--ckpt-signal", "9",
				"x"), -1);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--ckpt-signal", "99",
				"x"), -1);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "-i", "x", "y"), -1);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "-p", "65536", "y"), -1);
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--ckptdir"), -1);
	assert_non_null(strstr(err, "argument"));
}

static char tmpdir[PATH_MAX];

static void write_file(const char *name, const char *text, mode_t mode,
		       char *path, size_t cap)
{
	FILE *f;
	int n = snprintf(path, cap, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < cap);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cmdopts.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_launch_resolve(void **state)
{
	char path[PATH_MAX], f[PATH_MAX];

	(void)state;
	assert_int_equal(launch_resolve("true", path, sizeof(path), err,
					sizeof(err)), 0);
	assert_true(path[0] == '/');
	assert_int_equal(access(path, X_OK), 0);
	assert_int_equal(launch_resolve("no-such-program-xyz", path,
					sizeof(path), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not found"));
	assert_int_equal(launch_resolve("/no/such/file", path, sizeof(path),
					err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/no/such/file"));
	assert_int_equal(launch_resolve("/tmp", path, sizeof(path), err,
					sizeof(err)), -1);
	write_file("plain", "data\n", 0644, f, sizeof(f));
	assert_int_equal(launch_resolve(f, path, sizeof(path), err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "not executable"));
}

static void test_launch_preloadable(void **state)
{
	char path[PATH_MAX], f[PATH_MAX], text[PATH_MAX + 32];

	(void)state;
	assert_int_equal(launch_resolve("true", path, sizeof(path), err,
					sizeof(err)), 0);
	assert_int_equal(launch_check_preloadable("true", path, err,
						  sizeof(err)), 0);

	write_file("ok.sh", "#!/bin/sh\nexit 0\n", 0755, f, sizeof(f));
	assert_int_equal(launch_check_preloadable("ok.sh", f, err,
						  sizeof(err)), 0);
	write_file("env.sh", "#!/usr/bin/env sh\nexit 0\n", 0755, f,
		   sizeof(f));
	assert_int_equal(launch_check_preloadable("env.sh", f, err,
						  sizeof(err)), 0);
	write_file("noshebang", "exit 0\n", 0755, f, sizeof(f));
	assert_int_equal(launch_check_preloadable("noshebang", f, err,
						  sizeof(err)), 0);
	write_file("badinterp", "#!/no/such/interp\n", 0755, f, sizeof(f));
	assert_int_equal(launch_check_preloadable("badinterp", f, err,
						  sizeof(err)), -1);
	assert_non_null(strstr(err, "/no/such/interp"));

	/* Debian's ldconfig is a static-pie program */
	if (access("/sbin/ldconfig", X_OK) == 0) {
		assert_int_equal(launch_check_preloadable("/sbin/ldconfig",
							  "/sbin/ldconfig",
							  err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "is statically linked: the "
				       "checkpoint library cannot be "
				       "preloaded into it"));
		snprintf(text, sizeof(text), "#!/sbin/ldconfig\n");
		write_file("static.sh", text, 0755, f, sizeof(f));
		assert_int_equal(launch_check_preloadable("static.sh", f, err,
							  sizeof(err)), -1);
		assert_non_null(strstr(err, "statically linked"));
	}
	/* set-user-ID to someone else: the loader ignores LD_PRELOAD */
	if (geteuid() != 0) {
		struct stat st;

		if (stat("/usr/bin/passwd", &st) == 0 &&
		    (st.st_mode & S_ISUID)) {
			assert_int_equal(launch_check_preloadable(
				"passwd", "/usr/bin/passwd", err,
				sizeof(err)), -1);
			assert_non_null(strstr(err, "setuid"));
		}
	}
}

static void test_launch_plugins(void **state)
{
	struct launch_opts o;
	char path[PATH_MAX], f[PATH_MAX];

	(void)state;
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--with-plugin",
				"a.so:b.so", "--with-plugin", "c.so", "prog"),
			 0);
	assert_int_equal(o.nplugins, 2);
	assert_string_equal(o.plugins[0], "a.so:b.so");
	assert_string_equal(o.plugins[1], "c.so");
	assert_int_equal(LAUNCH(&o, "dmtcp_launch", "--with-plugin", "",
				"prog"), -1);
	assert_non_null(strstr(err, "--with-plugin"));

	assert_int_equal(launch_check_plugin("/no/such/plugin.so", path,
					     sizeof(path), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "/no/such/plugin.so"));
	write_file("text.so", "not elf\n", 0644, f, sizeof(f));
	assert_int_equal(launch_check_plugin(f, path, sizeof(path), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "not an ELF shared object"));
	/* a program (PIE: ET_DYN with an interpreter) */
	assert_int_equal(launch_resolve("true", f, sizeof(f), err,
					sizeof(err)), 0);
	assert_int_equal(launch_check_plugin(f, path, sizeof(path), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "is a program"));
	/* a real shared object, by a relative path */
	if (access("/usr/lib/x86_64-linux-gnu/libz.so.1", R_OK) == 0) {
		assert_int_equal(launch_check_plugin(
			"/usr/lib/x86_64-linux-gnu/libz.so.1", path,
			sizeof(path), err, sizeof(err)), 0);
		assert_true(path[0] == '/');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_options),
		cmocka_unit_test(test_cmd_words),
		cmocka_unit_test(test_cmd_errors),
		cmocka_unit_test(test_launch_options),
		cmocka_unit_test(test_launch_errors),
		cmocka_unit_test(test_launch_resolve),
		cmocka_unit_test(test_launch_preloadable),
		cmocka_unit_test(test_launch_plugins),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
