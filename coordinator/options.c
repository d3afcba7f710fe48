/*
 * options.c - dmtcp_coordinator's command line and environment settings
 * (the options it shares with the other commands: common-opts.c).
 */
#include "config.h"
#include "coord.h"
#include "common-opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_CKPT_TIMEOUT = COPT_OWN_KEY, OPT_KEEP_GENERATIONS };

/* Beside the common ones (common-opts.h): -p, -i, --ckptdir, --tmpdir */
static const struct copt_own co_own[] = {
	COPT_STR("port-file", 0, struct co_opts, port_file),
	COPT_FLAG("exit-on-last", 0, struct co_opts, exit_on_last),
	COPT_FLAG("exit-after-ckpt", 0, struct co_opts, exit_after_ckpt),
	COPT_FLAG("daemon", 0, struct co_opts, daemon),
	COPT_STR("coord-logfile", 0, struct co_opts, logfile),
	COPT_STR("listen", 0, struct co_opts, listen_addr),
	COPT_KEY("ckpt-timeout", 0, required_argument, OPT_CKPT_TIMEOUT),
	COPT_KEY("keep-generations", 0, required_argument,
		 OPT_KEEP_GENERATIONS),
	COPT_FLAG("quiet", 'q', struct co_opts, quiet),
	COPT_END,
};

static const struct copt_spec co_spec = {
	.common = COPT_PORT | COPT_INTERVAL | COPT_CKPTDIR | COPT_TMPDIR,
	.own = co_own,
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

#define CO_MAX_COUNT 1000000

int co_opts_parse(int argc, char **argv, struct co_opts *o, char *err,
		  size_t errcap)
{
	struct copt_parser p;
	int c;

	memset(o, 0, sizeof(*o));
	o->ckpt_timeout = -1;
	o->keep_generations = -1;
	o->listen_addr = "127.0.0.1";
	copt_begin(&p, &co_spec, argc, argv, &o->c, o, err, errcap);
	while ((c = copt_next(&p)) > 0) {
		long v = copt_count_arg(&p, c == OPT_CKPT_TIMEOUT ?
					"--ckpt-timeout" : "--keep-generations",
					CO_MAX_COUNT);

		if (v < 0)
			return -1;
		if (c == OPT_CKPT_TIMEOUT)
			o->ckpt_timeout = v;
		else
			o->keep_generations = (int)v;
	}
	if (c < 0 || o->c.help || o->c.version)
		return c;
	if (optind < argc)
		return copt_error(&p, "unexpected argument '%s'",
				  argv[optind]);
	/* the option, else the environment, else the default */
	o->c.port = copt_coord_port(&o->c, 0, err, errcap);
	if (o->c.port < 0)
		return -1;
	o->c.interval = copt_count_env(o->c.interval,
				       "DMTCP_CHECKPOINT_INTERVAL",
				       COPT_MAX_INTERVAL, 0, err, errcap);
	if (o->c.interval < 0)
		return -1;
	o->ckpt_timeout = copt_count_env(o->ckpt_timeout, "DMTCP_CKPT_TIMEOUT",
					 CO_MAX_COUNT, CO_DEFAULT_CKPT_TIMEOUT,
					 err, errcap);
	if (o->ckpt_timeout < 0)
		return -1;
	o->keep_generations = (int)copt_count_env(o->keep_generations,
						  "DMTCP_KEEP_GENERATIONS",
						  CO_MAX_COUNT, 1, err,
						  errcap);
	return o->keep_generations < 0 ? -1 : 0;
}
