/* restart-opts.c - command line of dmtcp_restart. */
#include "config.h"
#include "restart.h"
#include "coord-start.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
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

int rst_parse_opts(int argc, char **argv, struct rst_opts *o)
{
	static const struct option longopts[] = {
		{ "coord-host", required_argument, NULL, 'h' },
		{ "coord-port", required_argument, NULL, 'p' },
		{ "new-coordinator", no_argument, NULL, 'N' },
		{ "join-coordinator", no_argument, NULL, 'J' },
		{ "join", no_argument, NULL, 'J' },
		{ "interval", required_argument, NULL, 'i' },
		{ "ckptdir", required_argument, NULL, 'c' },
		{ "tmpdir", required_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'd' },
		{ "gdb", no_argument, NULL, 'g' },
		{ "stop-for-debugger", no_argument, NULL, 'S' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "allow-file-overwrite", no_argument, NULL, 'O' },
		{ "no-placeholder-files", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->coord_port = -1;
	o->interval = -1;
	o->mode = COORD_AUTO;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h:p:i:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			o->coord_host = optarg;
			break;
		case 'p':
			o->coord_port = util_parse_port(optarg);
			if (o->coord_port < 0) {
				fprintf(stderr, "dmtcp_restart: bad port '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'N':
			o->mode = COORD_NEW;
			break;
		case 'J':
			o->mode = COORD_JOIN;
			break;
		case 'i':
			o->interval = (int)util_parse_ulong(optarg);
			if (o->interval < 0) {
				fprintf(stderr,
					"dmtcp_restart: bad interval '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'c':
			o->ckptdir = optarg;
			break;
		case 't':
			o->tmpdir = optarg;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'g':
			o->gdb = 1;
			break;
		case 'S':
			o->stop = 1;
			break;
		case 'P':
			o->pidfile = optarg;
			break;
		case 'O':	/* read by restart-files.c, like the env */
			setenv("DMTCP_ALLOW_FILE_OVERWRITE", "1", 1);
			break;
		case 'R':
			setenv("DMTCP_NO_PLACEHOLDER_FILES", "1", 1);
			break;
		case 'H':
			usage(stdout);
			return 1;
		case 'V':
			printf("dmtcp_restart (%s) %s\n", PACKAGE_NAME,
			       PACKAGE_VERSION);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
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
	if ((o->gdb || o->stop) && o->nimages != 1) {
		fprintf(stderr, "dmtcp_restart: --gdb and --stop-for-debugger "
			"take exactly one image\n");
		return -1;
	}
	if (o->gdb && o->stop) {
		fprintf(stderr, "dmtcp_restart: --gdb and --stop-for-debugger "
			"exclude each other\n");
		return -1;
	}
	if (o->nimages == 0) {
		usage(stderr);
		return -1;
	}
	return 0;
}
