/*
 * test_cmdopts.c - cmocka tests of the options the commands share
 * (src/common/common-opts.c: parsing, option over environment over
 * default, usage errors), of the dmtcp_command, dmtcp_launch,
 * dmtcp_coordinator and dmtcp_restart command lines and of
 * dmtcp_launch's program checks (static, setuid, "#!" interpreters,
 * PATH search).
 */
#include "config.h"
#include "cmd-opts.h"
#include "common-opts.h"
#include "coord-start.h"
#include "dmtcp/protocol.h"
#include "launch-opts.h"
#include "coord.h"
#include "restart.h"

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
#define CO(o, ...) co_opts_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), \
				 (o), err, sizeof(err))
#define RST(o, ...) rst_parse_opts(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), \
				   (o), err, sizeof(err))
#define LAUNCH(o, ...) launch_opts_parse(ARGC(__VA_ARGS__), \
					 ARGV(__VA_ARGS__), (o), err, \
					 sizeof(err))

static char err[512];

/* --- the shared parser (common-opts.c) --------------------------------- */

struct t_opts {
	struct copt_common c;
	int flag;
	const char *str;
	int code;		/* key returned to the command */
	const char *code_arg;
};

static const struct copt_own t_own[] = {
	COPT_FLAG("flag", 'f', struct t_opts, flag),
	COPT_STR("str", 0, struct t_opts, str),
	COPT_KEY("code", 'k', required_argument, COPT_OWN_KEY + 7),
	COPT_END,
};

static const struct copt_spec t_spec = {
	.common = COPT_HOST | COPT_PORT | COPT_MODE | COPT_INTERVAL |
		COPT_CKPTDIR | COPT_TMPDIR,
	.own = t_own,
	.stop_at_operand = 1,
};

/* Parse with spec: 0 (optind: the first operand) or -1 (message in err) */
static int t_parse(const struct copt_spec *spec, struct t_opts *o, int argc,
		   char **argv)
{
	struct copt_parser p;
	int c;

	memset(o, 0, sizeof(*o));
	copt_begin(&p, spec, argc, argv, &o->c, o, err, sizeof(err));
	while ((c = copt_next(&p)) > 0) {
		o->code = c;
		o->code_arg = optarg;
	}
	return c;
}

#define COPT(o, ...) t_parse(&t_spec, (o), ARGC(__VA_ARGS__), \
			     ARGV(__VA_ARGS__))

static void test_copt_parse(void **state)
{
	struct t_opts o;

	(void)state;
	assert_int_equal(COPT(&o, "t", "prog"), 0);
	assert_null(o.c.host);
	assert_int_equal(o.c.port, -1);
	assert_int_equal(o.c.mode, COORD_AUTO);
	assert_int_equal(o.c.interval, -1);
	assert_null(o.c.ckptdir);
	assert_null(o.c.tmpdir);
	assert_false(o.c.help || o.c.version || o.flag || o.code);
	assert_int_equal(optind, 1);

	assert_int_equal(COPT(&o, "t", "-h", "h1", "--coord-port", "9",
			      "--join", "-i", "5", "--ckptdir", "/c",
			      "--tmpdir", "/t", "-f", "--str", "s",
			      "--code", "x", "prog", "-f"), 0);
	assert_string_equal(o.c.host, "h1");
	assert_int_equal(o.c.port, 9);
	assert_int_equal(o.c.mode, COORD_JOIN);
	assert_int_equal(o.c.interval, 5);
	assert_string_equal(o.c.ckptdir, "/c");
	assert_string_equal(o.c.tmpdir, "/t");
	assert_true(o.flag);
	assert_string_equal(o.str, "s");
	assert_int_equal(o.code, COPT_OWN_KEY + 7);
	assert_string_equal(o.code_arg, "x");
	assert_int_equal(optind, 17);	/* PROGRAM's -f is its own */

	/* every spelling: --coord-host, --port, -p, -k, --new-coordinator */
	assert_int_equal(COPT(&o, "t", "--coord-host", "h2", "--port", "0",
			      "--new-coordinator", "-k", "y"), 0);
	assert_string_equal(o.c.host, "h2");
	assert_int_equal(o.c.port, 0);
	assert_int_equal(o.c.mode, COORD_NEW);
	assert_string_equal(o.code_arg, "y");
	assert_int_equal(COPT(&o, "t", "--join-coordinator", "-p65535"), 0);
	assert_int_equal(o.c.port, 65535);
	assert_int_equal(o.c.mode, COORD_JOIN);
	assert_int_equal(COPT(&o, "t", "--help", "--version"), 0);
	assert_true(o.c.help && o.c.version);
}

static void test_copt_errors(void **state)
{
	struct t_opts o;

	(void)state;
	/* unknown option, long and short (inside a group) */
	assert_int_equal(COPT(&o, "t", "--bogus", "prog"), -1);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(COPT(&o, "t", "-fz", "prog"), -1);
	assert_string_equal(err, "unknown option '-z'");
	/* a common option the command does not take */
	assert_int_equal(t_parse(&(struct copt_spec){ .common = 0 }, &o, 3,
				 ARGV("t", "--tmpdir", "/t")), -1);
	assert_string_equal(err, "unknown option '--tmpdir'");
	/* missing argument */
	assert_int_equal(COPT(&o, "t", "--ckptdir"), -1);
	assert_string_equal(err, "option --ckptdir needs an argument");
	assert_int_equal(COPT(&o, "t", "-f", "-p"), -1);
	assert_string_equal(err, "option -p needs an argument");
	assert_int_equal(COPT(&o, "t", "--code"), -1);
	assert_non_null(strstr(err, "--code"));
	/* bad port */
	assert_int_equal(COPT(&o, "t", "-p", "65536", "prog"), -1);
	assert_string_equal(err, "invalid port '65536' (expected 0..65535)");
	assert_int_equal(COPT(&o, "t", "-p", "-1", "prog"), -1);
	assert_int_equal(COPT(&o, "t", "--port", "12ab", "prog"), -1);
	assert_non_null(strstr(err, "12ab"));
	assert_int_equal(COPT(&o, "t", "-p", "", "prog"), -1);
	/* numbers out of range */
	assert_int_equal(COPT(&o, "t", "-i", "100000001", "prog"), -1);
	assert_string_equal(err, "invalid interval '100000001' (expected "
			    "0..100000000)");
	assert_int_equal(COPT(&o, "t", "-i", "100000000", "prog"), 0);
	assert_int_equal(COPT(&o, "t", "-i", "-2", "prog"), -1);
	assert_int_equal(COPT(&o, "t", "-i", "99999999999999999999"), -1);
	assert_int_equal(copt_count("--n", "5", 4, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --n '5' (expected 0..4)");
	assert_int_equal(copt_count("--n", "4", 4, err, sizeof(err)), 4);
	/* coordinator modes */
	assert_int_equal(COPT(&o, "t", "--new-coordinator", "--join"), -1);
	assert_non_null(strstr(err, "exclude each other"));
	assert_int_equal(COPT(&o, "t", "-p", "0", "--join-coordinator"), -1);
	assert_non_null(strstr(err, "--new-coordinator"));
	/* -j is --join-coordinator only where the command says so */
	assert_int_equal(COPT(&o, "t", "-j"), -1);
	assert_string_equal(err, "unknown option '-j'");
}

static void t_unsetenv_all(void)
{
	unsetenv("DMTCP_COORD_HOST");
	unsetenv("DMTCP_HOST");
	unsetenv("DMTCP_COORD_PORT");
	unsetenv("DMTCP_PORT");
	unsetenv("DMTCP_CHECKPOINT_DIR");
	unsetenv("T_COUNT");
}

/* option over environment over the fallback (an image's) over default */
static void test_copt_precedence(void **state)
{
	struct t_opts o;

	(void)state;
	t_unsetenv_all();
	assert_int_equal(COPT(&o, "t"), 0);
	assert_string_equal(copt_coord_host(&o.c, NULL), "localhost");
	assert_int_equal(copt_coord_port(&o.c, 0, err, sizeof(err)), 7779);
	assert_string_equal(copt_coord_host(&o.c, "img"), "img");
	assert_int_equal(copt_coord_port(&o.c, 1234, err, sizeof(err)), 1234);

	setenv("DMTCP_HOST", "old", 1);	/* older DMTCP names */
	setenv("DMTCP_PORT", "1111", 1);
	assert_string_equal(copt_coord_host(&o.c, NULL), "old");
	assert_int_equal(copt_coord_port(&o.c, 0, err, sizeof(err)), 1111);
	assert_string_equal(copt_coord_host(&o.c, "img"), "img");
	assert_int_equal(copt_coord_port(&o.c, 1234, err, sizeof(err)), 1234);

	setenv("DMTCP_COORD_HOST", "envhost", 1);
	setenv("DMTCP_COORD_PORT", "2222", 1);
	assert_string_equal(copt_coord_host(&o.c, "img"), "envhost");
	assert_int_equal(copt_coord_port(&o.c, 1234, err, sizeof(err)), 2222);

	assert_int_equal(COPT(&o, "t", "-h", "opthost", "-p", "0"), 0);
	assert_string_equal(copt_coord_host(&o.c, "img"), "opthost");
	assert_int_equal(copt_coord_port(&o.c, 1234, err, sizeof(err)), 0);

	/* a bad value in the environment names the variable */
	assert_int_equal(COPT(&o, "t"), 0);
	setenv("DMTCP_COORD_PORT", "70000", 1);
	assert_int_equal(copt_coord_port(&o.c, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid DMTCP_COORD_PORT '70000' "
			    "(expected 0..65535)");
	unsetenv("DMTCP_COORD_PORT");
	setenv("DMTCP_PORT", "x", 1);
	assert_int_equal(copt_coord_port(&o.c, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DMTCP_PORT 'x'"));
	assert_int_equal(copt_coord_port(&o.c, 99, err, sizeof(err)), 99);

	/* counts: option, environment, default */
	assert_int_equal(copt_count_env(-1, "T_COUNT", 10, 3, err,
					sizeof(err)), 3);
	setenv("T_COUNT", "7", 1);
	assert_int_equal(copt_count_env(-1, "T_COUNT", 10, 3, err,
					sizeof(err)), 7);
	assert_int_equal(copt_count_env(0, "T_COUNT", 10, 3, err,
					sizeof(err)), 0);
	setenv("T_COUNT", "11", 1);
	assert_int_equal(copt_count_env(-1, "T_COUNT", 10, 3, err,
					sizeof(err)), -1);
	assert_string_equal(err, "invalid T_COUNT '11' (expected 0..10)");
	t_unsetenv_all();
}

static char tmpdir[PATH_MAX];

static void test_copt_ckptdir(void **state)
{
	struct t_opts o;
	char cwd[PATH_MAX], dir[PATH_MAX + 16], got[PATH_MAX];
	char opt[PATH_MAX + 16];
	struct stat st;

	(void)state;
	t_unsetenv_all();
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(COPT(&o, "t"), 0);
	assert_int_equal(copt_ckptdir(&o.c, got, sizeof(got), err,
				      sizeof(err)), 0);
	assert_string_equal(got, tmpdir);	/* default: the cwd */

	setenv("DMTCP_CHECKPOINT_DIR", "envdir", 1);	/* created */
	assert_int_equal(copt_ckptdir(&o.c, got, sizeof(got), err,
				      sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s/envdir", tmpdir);
	assert_string_equal(got, dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	snprintf(opt, sizeof(opt), "%s/optdir/", tmpdir);
	assert_int_equal(COPT(&o, "t", "--ckptdir", opt), 0);
	assert_int_equal(copt_ckptdir(&o.c, got, sizeof(got), err,
				      sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s/optdir", tmpdir);
	assert_string_equal(got, dir);

	assert_int_equal(COPT(&o, "t", "--ckptdir", "/no/such/dir/x"), 0);
	assert_int_equal(copt_ckptdir(&o.c, got, sizeof(got), err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create checkpoint directory "
			       "/no/such/dir/x"));
	assert_int_equal(chdir(cwd), 0);
	t_unsetenv_all();

	/* --tmpdir goes into DMTCP_TMPDIR; without it, nothing changes */
	setenv("DMTCP_TMPDIR", "/before", 1);
	assert_int_equal(COPT(&o, "t"), 0);
	assert_int_equal(copt_apply_tmpdir(&o.c, err, sizeof(err)), 0);
	assert_string_equal(getenv("DMTCP_TMPDIR"), "/before");
	assert_int_equal(COPT(&o, "t", "--tmpdir", "/after"), 0);
	assert_int_equal(copt_apply_tmpdir(&o.c, err, sizeof(err)), 0);
	assert_string_equal(getenv("DMTCP_TMPDIR"), "/after");
	unsetenv("DMTCP_TMPDIR");
}

static void test_coordinator_options(void **state)
{
	struct co_opts o;

	(void)state;
	t_unsetenv_all();
	unsetenv("DMTCP_CHECKPOINT_INTERVAL");
	unsetenv("DMTCP_CKPT_TIMEOUT");
	unsetenv("DMTCP_KEEP_GENERATIONS");
	assert_int_equal(CO(&o, "c"), 0);
	assert_int_equal(o.c.port, 7779);	/* defaults */
	assert_int_equal(o.c.interval, 0);
	assert_int_equal(o.ckpt_timeout, CO_DEFAULT_CKPT_TIMEOUT);
	assert_int_equal(o.keep_generations, 1);
	assert_string_equal(o.listen_addr, "127.0.0.1");
	assert_false(o.quiet || o.daemon || o.exit_on_last);

	setenv("DMTCP_COORD_PORT", "1234", 1);	/* the environment */
	setenv("DMTCP_CHECKPOINT_INTERVAL", "60", 1);
	setenv("DMTCP_CKPT_TIMEOUT", "0", 1);
	setenv("DMTCP_KEEP_GENERATIONS", "3", 1);
	assert_int_equal(CO(&o, "c"), 0);
	assert_int_equal(o.c.port, 1234);
	assert_int_equal(o.c.interval, 60);
	assert_int_equal(o.ckpt_timeout, 0);
	assert_int_equal(o.keep_generations, 3);

	assert_int_equal(CO(&o, "c", "-p", "0", "-i", "5", "--ckpt-timeout",
			    "7", "--keep-generations", "0", "--port-file",
			    "pf", "--daemon", "-q", "--listen", "0.0.0.0",
			    "--exit-on-last", "--coord-logfile", "lf"), 0);
	assert_int_equal(o.c.port, 0);	/* options over the environment */
	assert_int_equal(o.c.interval, 5);
	assert_int_equal(o.ckpt_timeout, 7);
	assert_int_equal(o.keep_generations, 0);
	assert_string_equal(o.port_file, "pf");
	assert_true(o.daemon && o.quiet && o.exit_on_last);
	assert_string_equal(o.listen_addr, "0.0.0.0");
	assert_string_equal(o.logfile, "lf");

	setenv("DMTCP_KEEP_GENERATIONS", "x", 1);
	assert_int_equal(CO(&o, "c"), -1);
	assert_non_null(strstr(err, "DMTCP_KEEP_GENERATIONS 'x'"));
	assert_int_equal(CO(&o, "c", "--ckpt-timeout", "1000001"), -1);
	assert_non_null(strstr(err, "--ckpt-timeout '1000001'"));
	assert_int_equal(CO(&o, "c", "extra"), -1);
	assert_non_null(strstr(err, "extra"));
	unsetenv("DMTCP_CHECKPOINT_INTERVAL");
	unsetenv("DMTCP_CKPT_TIMEOUT");
	unsetenv("DMTCP_KEEP_GENERATIONS");
	t_unsetenv_all();
}

static void test_restart_options(void **state)
{
	struct rst_opts o;

	(void)state;
	unsetenv("DMTCP_ALLOW_FILE_OVERWRITE");
	assert_int_equal(RST(&o, "r", "-h", "h", "-p", "5",
			     "--new-coordinator", "--gdb", "img", "--",
			     "-batch"), 0);
	assert_string_equal(o.c.host, "h");
	assert_int_equal(o.c.port, 5);
	assert_int_equal(o.c.mode, COORD_NEW);
	assert_true(o.gdb);
	assert_int_equal(o.nimages, 1);
	assert_string_equal(o.images[0], "img");
	assert_int_equal(o.ngdb_args, 1);
	assert_string_equal(o.gdb_args[0], "-batch");
	assert_null(getenv("DMTCP_ALLOW_FILE_OVERWRITE"));

	assert_int_equal(RST(&o, "r", "--allow-file-overwrite", "--pid-file",
			     "pf", "a", "b"), 0);
	assert_string_equal(getenv("DMTCP_ALLOW_FILE_OVERWRITE"), "1");
	assert_string_equal(o.pidfile, "pf");
	assert_int_equal(o.nimages, 2);
	unsetenv("DMTCP_ALLOW_FILE_OVERWRITE");

	assert_int_equal(RST(&o, "r"), -1);
	assert_string_equal(err, "no image given");
	/* a whole computation for a debugger: several images, one gets
	   the debugger (--debug-pid), every pid in --pids-file */
	assert_int_equal(RST(&o, "r", "--gdb", "--debug-pid", "42",
			     "--pids-file", "pp", "a", "b"), 0);
	assert_int_equal(o.nimages, 2);
	assert_string_equal(o.debug_pid, "42");
	assert_string_equal(o.pidsfile, "pp");
	assert_int_equal(RST(&o, "r", "--debug-pid", "42", "a"), -1);
	assert_non_null(strstr(err, "--debug-pid goes with"));
	assert_int_equal(RST(&o, "r", "--help", "--bogus"), -1);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(RST(&o, "r", "--version"), 0);
	assert_true(o.c.version);
}

static int t_usage_calls;
static FILE *t_usage_stream;

static void t_usage(FILE *f)
{
	t_usage_calls++;
	t_usage_stream = f;
}

static void test_copt_report(void **state)
{
	struct t_opts o;

	(void)state;
	assert_int_equal(COPT(&o, "t", "prog"), 0);
	t_usage_calls = 0;
	assert_int_equal(copt_report("t", t_usage, 0, err, &o.c, 5), -1);
	assert_int_equal(t_usage_calls, 0);	/* the command runs */
	/* a usage error: the message and the usage on stderr, status 5 */
	assert_int_equal(COPT(&o, "t", "--bogus"), -1);
	assert_int_equal(copt_report("t", t_usage, -1, err, &o.c, 5), 5);
	assert_int_equal(t_usage_calls, 1);
	assert_ptr_equal(t_usage_stream, stderr);
	/* nothing to do ("" message): the usage on stdout, status 5 */
	err[0] = 0;
	assert_int_equal(copt_report("t", t_usage, -1, err, &o.c, 5), 5);
	assert_ptr_equal(t_usage_stream, stdout);
	/* --help: the usage on stdout, status 0 */
	assert_int_equal(COPT(&o, "t", "--help"), 0);
	assert_int_equal(copt_report("t", t_usage, 0, err, &o.c, 5), 0);
	assert_int_equal(t_usage_calls, 3);
	assert_ptr_equal(t_usage_stream, stdout);
}

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

	assert_int_equal(CMD(&o, "dmtcp_command", "--help"), 0);
	assert_true(o.c.help);
	assert_int_equal(CMD(&o, "dmtcp_command", "--version"), 0);
	assert_true(o.c.version);
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

static int t_cmd(int argc, char **argv)
{
	struct cmd_opts o;

	return cmd_opts_parse(argc, argv, &o, err, sizeof(err));
}

static int t_launch(int argc, char **argv)
{
	struct launch_opts o;

	return launch_opts_parse(argc, argv, &o, err, sizeof(err));
}

/*
 * Usage errors of dmtcp_command and dmtcp_launch: the parser fails and
 * its message contains names ("": no message, nothing to do: the usage;
 * NULL: not checked).
 */
static const struct {
	int (*parse)(int argc, char **argv);
	char **argv;
	const char *names;
} usage_errors[] = {
	{ t_cmd, ARGV("dmtcp_command"), "" },
	{ t_cmd, ARGV("dmtcp_command", "-p", "5"), "" },
	{ t_cmd, ARGV("dmtcp_command", "--bogus"), "--bogus" },
	{ t_cmd, ARGV("dmtcp_command", "frobnicate"), "frobnicate" },
	{ t_cmd, ARGV("dmtcp_command", "-p", "70000", "s"), "70000" },
	{ t_cmd, ARGV("dmtcp_command", "-p", "x1", "s"), NULL },
	{ t_cmd, ARGV("dmtcp_command", "i"), "interval" },
	{ t_cmd, ARGV("dmtcp_command", "i", "soon"), NULL },
	{ t_cmd, ARGV("dmtcp_command", "-i", "-5"), NULL },
	{ t_cmd, ARGV("dmtcp_command", "-s", "-p"), "argument" },
	{ t_launch, ARGV("dmtcp_launch"), "" },
	{ t_launch, ARGV("dmtcp_launch", "-p", "1"), "" },
	{ t_launch, ARGV("dmtcp_launch", "--bogus", "x"), "--bogus" },
	{ t_launch, ARGV("dmtcp_launch", "--new-coordinator",
			 "--join-coordinator", "x"), "exclude" },
	{ t_launch, ARGV("dmtcp_launch", "-j", "-p", "0", "x"), NULL },
	{ t_launch, ARGV("dmtcp_launch", "--ckpt-signal", "9", "x"), NULL },
	{ t_launch, ARGV("dmtcp_launch", "--ckpt-signal", "99", "x"), NULL },
	{ t_launch, ARGV("dmtcp_launch", "-i", "x", "y"), NULL },
	{ t_launch, ARGV("dmtcp_launch", "-p", "65536", "y"), NULL },
	{ t_launch, ARGV("dmtcp_launch", "--ckptdir"), "argument" },
};

static void test_usage_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(usage_errors) / sizeof(usage_errors[0]);
	     i++) {
		const char *names = usage_errors[i].names;
		int argc = 0;

		while (usage_errors[i].argv[argc])
			argc++;
		assert_int_equal(usage_errors[i].parse(argc,
						       usage_errors[i].argv),
				 -1);
		if (names && !*names)
			assert_string_equal(err, "");
		else if (names)
			assert_non_null(strstr(err, names));
	}
}

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
		cmocka_unit_test(test_copt_parse),
		cmocka_unit_test(test_copt_errors),
		cmocka_unit_test(test_copt_precedence),
		cmocka_unit_test(test_copt_ckptdir),
		cmocka_unit_test(test_copt_report),
		cmocka_unit_test(test_coordinator_options),
		cmocka_unit_test(test_restart_options),
		cmocka_unit_test(test_cmd_options),
		cmocka_unit_test(test_cmd_words),
		cmocka_unit_test(test_launch_options),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_launch_resolve),
		cmocka_unit_test(test_launch_preloadable),
		cmocka_unit_test(test_launch_plugins),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
