/* options.c - dmtcp_coordinator command line and environment settings. */
#include "config.h"
#include "coord.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_PORT_FILE = 256,
	OPT_CKPTDIR,
	OPT_TMPDIR,
	OPT_EXIT_ON_LAST,
	OPT_EXIT_AFTER_CKPT,
	OPT_DAEMON,
	OPT_LOGFILE,
	OPT_LISTEN,
	OPT_CKPT_TIMEOUT,
	OPT_KEEP_GENERATIONS,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option co_longopts[] = {
	{ "coord-port", required_argument, NULL, 'p' },
	{ "port", required_argument, NULL, 'p' },
	{ "port-file", required_argument, NULL, OPT_PORT_FILE },
	{ "ckptdir", required_argument, NULL, OPT_CKPTDIR },
	{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
	{ "interval", required_argument, NULL, 'i' },
	{ "exit-on-last", no_argument, NULL, OPT_EXIT_ON_LAST },
	{ "exit-after-ckpt", no_argument, NULL, OPT_EXIT_AFTER_CKPT },
	{ "daemon", no_argument, NULL, OPT_DAEMON },
	{ "coord-logfile", required_argument, NULL, OPT_LOGFILE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "ckpt-timeout", required_argument, NULL, OPT_CKPT_TIMEOUT },
	{ "keep-generations", required_argument, NULL,
	  OPT_KEEP_GENERATIONS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void co_usage(FILE *f)
{
	fprintf(f,
"Usage: dmtcp_coordinator [OPTIONS]\n"
"Coordinates checkpoints of the processes started with dmtcp_launch.\n"
"\n"
"Options:\n"
"  -p, --coord-port PORT   port to listen on (env DMTCP_COORD_PORT,\n"
"                          default 7779; 0 = any free port, printed)\n"
"  --port-file FILE        write the port actually used to FILE\n"
"  --listen ADDR           address to listen on (default 127.0.0.1;\n"
"                          0.0.0.0 for remote workers)\n"
"  --ckptdir DIR           directory for the restart script; also sent to\n"
"                          workers as their image directory\n"
"                          (env DMTCP_CHECKPOINT_DIR, default: cwd)\n"
"  --tmpdir DIR            directory for temporary files (env DMTCP_TMPDIR)\n"
"  -i, --interval N        checkpoint every N seconds, 0 = never\n"
"                          (env DMTCP_CHECKPOINT_INTERVAL, default 0)\n"
"  --ckpt-timeout N        a checkpoint fails, naming the process, when a\n"
"                          process does not reach the next step within N\n"
"                          seconds (writing the images has no limit);\n"
"                          0 = wait forever (env DMTCP_CKPT_TIMEOUT,\n"
"                          default %d)\n"
"  --keep-generations N    committed checkpoints whose images are kept\n"
"                          (older ones are removed); 0 = keep all (env\n"
"                          DMTCP_KEEP_GENERATIONS, default 1)\n"
"  --exit-on-last          exit when the last process disconnects\n"
"  --exit-after-ckpt       kill the processes after the first checkpoint\n"
"  --daemon                run in the background (no console); log to\n"
"                          $DMTCP_TMPDIR/dmtcp-$USER@$HOST/coordinator-PORT.log\n"
"  --coord-logfile FILE    append the coordinator's log to FILE\n"
"  -q, --quiet             print only warnings and errors\n"
"  --help                  print this help and exit\n"
"  --version               print the version and exit\n"
"\n"
"Console commands (type them and press return; Tab completes):\n"
"  h help, c checkpoint, bc bcheckpoint, l list, s status,\n"
"  i N interval, k kill all processes, q kill all processes and quit\n",
		CO_DEFAULT_CKPT_TIMEOUT);
}

/* A count from an option or the environment: >= 0, or -1 with a message. */
static long co_count_arg(const char *what, const char *s, long max)
{
	long v = util_parse_ulong(s);

	if (v < 0 || v > max) {
		fprintf(stderr, "dmtcp_coordinator: invalid %s '%s' (expected "
			"0..%ld)\n", what, s, max);
		return -1;
	}
	return v;
}

int co_opts_parse(int argc, char **argv, struct co_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	o->interval = -1;
	o->ckpt_timeout = -1;
	o->keep_generations = -1;
	o->listen_addr = "127.0.0.1";
	optind = 0;
	while ((c = getopt_long(argc, argv, "p:i:q", co_longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->port = util_parse_port(optarg);
			if (o->port < 0) {
				fprintf(stderr, "dmtcp_coordinator: invalid port "
					"'%s' (expected 0..65535)\n", optarg);
				return -1;
			}
			break;
		case 'i':
			o->interval = util_parse_ulong(optarg);
			if (o->interval < 0) {
				fprintf(stderr, "dmtcp_coordinator: invalid "
					"interval '%s' (expected seconds >= 0)\n",
					optarg);
				return -1;
			}
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_PORT_FILE:
			o->port_file = optarg;
			break;
		case OPT_CKPTDIR:
			o->ckptdir = optarg;
			break;
		case OPT_TMPDIR:
			o->tmpdir = optarg;
			break;
		case OPT_EXIT_ON_LAST:
			o->exit_on_last = 1;
			break;
		case OPT_EXIT_AFTER_CKPT:
			o->exit_after_ckpt = 1;
			break;
		case OPT_DAEMON:
			o->daemon = 1;
			break;
		case OPT_LOGFILE:
			o->logfile = optarg;
			break;
		case OPT_LISTEN:
			o->listen_addr = optarg;
			break;
		case OPT_CKPT_TIMEOUT:
			o->ckpt_timeout = co_count_arg("--ckpt-timeout",
						       optarg, 1000000);
			if (o->ckpt_timeout < 0)
				return -1;
			break;
		case OPT_KEEP_GENERATIONS:
			o->keep_generations = (int)co_count_arg(
				"--keep-generations", optarg, 1000000);
			if (o->keep_generations < 0)
				return -1;
			break;
		case OPT_HELP:
			co_usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("dmtcp_coordinator (%s) %s\n", PACKAGE_NAME,
			       PACKAGE_VERSION);
			return 1;
		default:
			co_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dmtcp_coordinator: unexpected argument '%s'\n",
			argv[optind]);
		co_usage(stderr);
		return -1;
	}
	if (o->port < 0) {
		o->port = util_coord_port(-1);
		if (o->port < 0) {
			fprintf(stderr, "dmtcp_coordinator: invalid "
				"DMTCP_COORD_PORT '%s'\n",
				getenv("DMTCP_COORD_PORT"));
			return -1;
		}
	}
	if (o->ckpt_timeout < 0) {
		const char *env = getenv("DMTCP_CKPT_TIMEOUT");

		o->ckpt_timeout = env && *env ? co_count_arg(
			"DMTCP_CKPT_TIMEOUT", env, 1000000) :
			CO_DEFAULT_CKPT_TIMEOUT;
		if (o->ckpt_timeout < 0)
			return -1;
	}
	if (o->keep_generations < 0) {
		const char *env = getenv("DMTCP_KEEP_GENERATIONS");

		o->keep_generations = env && *env ? (int)co_count_arg(
			"DMTCP_KEEP_GENERATIONS", env, 1000000) : 1;
		if (o->keep_generations < 0)
			return -1;
	}
	if (o->interval < 0) {
		const char *env = getenv("DMTCP_CHECKPOINT_INTERVAL");
		o->interval = 0;
		if (env && *env) {
			o->interval = util_parse_ulong(env);
			if (o->interval < 0) {
				fprintf(stderr, "dmtcp_coordinator: invalid "
					"DMTCP_CHECKPOINT_INTERVAL '%s'\n", env);
				return -1;
			}
		}
	}
	return 0;
}
