/*
 * restart-opts.c - command line of dmtcp_restart (the options it shares
 * with the other commands: common-opts.c).
 */
#include "config.h"
#include "restart.h"
#include "common-opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rst_usage(FILE *f)
{
	fprintf(f,
"Usage: dmtcp_restart [OPTIONS] IMAGE... [-- GDB-ARGS]\n"
"Restart processes from checkpoint images (ckpt_*.dmtcp).\n"
"\n"
"  -h, --coord-host HOST   coordinator host (env DMTCP_COORD_HOST;\n"
"                          default: localhost)\n"
"  -p, --coord-port PORT   coordinator port (env DMTCP_COORD_PORT;\n"
"                          default: 7779)\n"
"      --new-coordinator   start a new coordinator (fails if the port is\n"
"                          in use; -p 0 picks a free port)\n"
"      --join-coordinator  only join a running coordinator\n"
"  -i, --interval N        checkpoint interval for a new coordinator\n"
"      --ckptdir DIR       where the restarted process writes images\n"
"      --tmpdir DIR        temporary files (env DMTCP_TMPDIR)\n"
"      --debug             log every restart step to stderr\n"
"      --gdb               restart stopped where the checkpoint interrupted\n"
"                          it and run gdb attached to it, symbols loaded;\n"
"                          arguments after -- go to gdb, e.g.\n"
"                          dmtcp_restart --gdb IMG -- -batch -ex 'thread apply all bt'\n"
"      --stop-for-debugger restart with every thread parked where it was\n"
"                          interrupted, print the pid for `gdb -p PID`; the\n"
"                          threads run once the debugger continues them\n"
"      --pid-file FILE     with --stop-for-debugger: write that pid here\n"
"      With several images (a whole computation) every process is parked;\n"
"      the debugger gets the first image's process, or:\n"
"      --debug-pid VPID    the process with that pid (as the program saw it)\n"
"      --pids-file FILE    one line per process: VPID HOSTPID PROGRAM\n"
"      The others run on when the debugger first continues its process,\n"
"      unless a debugger attached to them meanwhile (they wait for it).\n"
"      --allow-file-overwrite\n"
"                          put files saved with dmtcp_launch\n"
"                          --ckpt-open-files back as they were at the\n"
"                          checkpoint even when they changed since (env\n"
"                          DMTCP_ALLOW_FILE_OVERWRITE=1; default: leave\n"
"                          them and say so)\n"
"      --no-placeholder-files\n"
"                          fail instead of restarting with /dev/null (or\n"
"                          an empty file) in place of a file that cannot\n"
"                          be reopened (env DMTCP_NO_PLACEHOLDER_FILES=1)\n"
"      --help              this help\n"
"      --version           version\n"
"\n"
"The restarted process keeps its pid and tids: it runs in a new user and\n"
"pid namespace.  dmtcp_restart stays in the foreground until it exits and\n"
"exits with its status (128+N if it was killed by signal N).\n"
"Files: deleted files come back unlinked with their saved contents, files\n"
"deleted or renamed since the checkpoint are recreated at their path, and\n"
"every change is reported (doc/files.md).\n");
}

/*
 * Beside the common ones (common-opts.h): -h, -p, -i, --ckptdir...  The
 * file options are read by restart-files.c, like the environment.
 */
static const struct copt_own rst_own[] = {
	COPT_FLAG("debug", 0, struct rst_opts, debug),
	COPT_FLAG("gdb", 0, struct rst_opts, gdb),
	COPT_FLAG("stop-for-debugger", 0, struct rst_opts, stop),
	COPT_STR("pid-file", 0, struct rst_opts, pidfile),
	COPT_STR("pids-file", 0, struct rst_opts, pidsfile),
	COPT_STR("debug-pid", 0, struct rst_opts, debug_pid),
	COPT_ENV("allow-file-overwrite", "DMTCP_ALLOW_FILE_OVERWRITE"),
	COPT_ENV("no-placeholder-files", "DMTCP_NO_PLACEHOLDER_FILES"),
	COPT_END
};

static const struct copt_spec rst_spec = {
	.common = COPT_HOST | COPT_PORT | COPT_MODE | COPT_INTERVAL |
		COPT_CKPTDIR | COPT_TMPDIR,
	.own = rst_own,
	.stop_at_operand = 1,	/* after IMAGE: "--" and gdb's arguments */
};

int rst_parse_opts(int argc, char **argv, struct rst_opts *o, char *err,
		   size_t errcap)
{
	struct copt_parser p;
	int c;

	memset(o, 0, sizeof(*o));
	copt_begin(&p, &rst_spec, argc, argv, &o->c, o, err, errcap);
	c = copt_next(&p);	/* none of its own needs code */
	if (c < 0 || o->c.help || o->c.version)
		return c;
	o->nimages = argc - optind;
	o->images = argv + optind;
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			o->nimages = i - optind;
			o->gdb_args = argv + i + 1;
			o->ngdb_args = argc - i - 1;
			break;
		}
	}
	if (o->debug_pid && !(o->gdb || o->stop))
		return copt_error(&p, "--debug-pid goes with --gdb or "
				  "--stop-for-debugger");
	if (o->gdb && o->stop)
		return copt_error(&p, "--gdb and --stop-for-debugger exclude "
				  "each other");
	if (o->nimages == 0)
		return copt_error(&p, "no image given");
	return 0;
}
