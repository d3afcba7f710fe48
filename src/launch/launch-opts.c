/* launch-opts.c - dmtcp_launch's command line; see launch-opts.h. */
#include "config.h"
#include "launch-opts.h"
#include "common-opts.h"
#include "sizearg.h"
#include "util.h"

#include <getopt.h>
#include <signal.h>
#include <string.h>

enum {
	OPT_GZIP = COPT_OWN_KEY,
	OPT_NO_GZIP,
	OPT_SIGNAL,
	OPT_GHOST_LIMIT,
	OPT_GHOST_OVER,
	OPT_PLUGIN,
	OPT_FORKED,
	OPT_NO_FORKED,
	OPT_INCREMENTAL,
	OPT_NO_INCREMENTAL,
	OPT_FULL_EVERY,
	OPT_TIMELINE,
	OPT_INTERVAL_MS,
	OPT_KEEP,
};

/* Beside the common ones (common-opts.h): -h, -p, -j, -i, --ckptdir... */
static const struct copt_own launch_own[] = {
	COPT_KEY("gzip", 0, no_argument, OPT_GZIP),
	COPT_KEY("no-gzip", 0, no_argument, OPT_NO_GZIP),
	COPT_KEY("ckpt-signal", 0, required_argument, OPT_SIGNAL),
	COPT_FLAG("ckpt-on-crash", 0, struct launch_opts, ckpt_on_crash),
	COPT_FLAG("skip-file-pages", 0, struct launch_opts, skip_file_pages),
	COPT_KEY("ghost-limit", 0, required_argument, OPT_GHOST_LIMIT),
	COPT_KEY("ghost-over-limit", 0, required_argument, OPT_GHOST_OVER),
	COPT_FLAG("ckpt-open-files", 0, struct launch_opts, ckpt_open_files),
	COPT_KEY("with-plugin", 0, required_argument, OPT_PLUGIN),
	COPT_KEY("forked", 0, no_argument, OPT_FORKED),
	COPT_KEY("no-forked", 0, no_argument, OPT_NO_FORKED),
	COPT_KEY("incremental", 0, no_argument, OPT_INCREMENTAL),
	COPT_KEY("no-incremental", 0, no_argument, OPT_NO_INCREMENTAL),
	COPT_KEY("no-hbict", 0, no_argument, OPT_NO_INCREMENTAL),
	COPT_KEY("full-every", 0, required_argument, OPT_FULL_EVERY),
	COPT_KEY("timeline", 0, required_argument, OPT_TIMELINE),
	COPT_KEY("interval-ms", 0, required_argument, OPT_INTERVAL_MS),
	COPT_KEY("keep", 0, required_argument, OPT_KEEP),
	COPT_END,
};

static const struct copt_spec launch_spec = {
	.common = COPT_HOST | COPT_PORT | COPT_MODE | COPT_JOIN_J |
		COPT_INTERVAL | COPT_CKPTDIR | COPT_TMPDIR,
	.own = launch_own,
	.stop_at_operand = 1,	/* PROGRAM's options are its own */
};

void launch_usage(FILE *f)
{
	fprintf(f,
"Usage: dmtcp_launch [OPTIONS] PROGRAM [ARGS...]\n"
"Run PROGRAM under checkpoint control, connected to a coordinator.\n"
"\n"
"Coordinator:\n"
"  -h, --coord-host HOST   coordinator host (env DMTCP_COORD_HOST,\n"
"                          default localhost)\n"
"  -p, --coord-port PORT   coordinator port (env DMTCP_COORD_PORT,\n"
"                          default 7779; 0 with --new-coordinator)\n"
"  --new-coordinator       start a new coordinator (error if the port\n"
"                          is in use)\n"
"  -j, --join-coordinator  use a running coordinator (error if none)\n"
"                          default: use one if running, else start one\n"
"  -i, --interval N        checkpoint interval of a coordinator started\n"
"                          here, in seconds (0 = never)\n"
"  --interval-ms N         checkpoint interval in milliseconds, asked of\n"
"                          the coordinator (started here or running)\n"
"\n"
"Time travel (doc/gdb.md):\n"
"  --timeline DIR          keep every generation in DIR as a snapshot\n"
"                          (dmtcp_inspect timeline DIR; dmtcp goto in\n"
"                          gdb): implies --ckptdir DIR, --incremental\n"
"                          (unless --no-incremental), --no-gzip (unless\n"
"                          --gzip or DMTCP_GZIP) and, without -i or\n"
"                          --interval-ms, a snapshot every second\n"
"  --keep K                with --timeline, keep the newest K snapshots\n"
"                          (default 0: all)\n"
"\n"
"Checkpointing:\n"
"  --ckptdir DIR           where images are written (env\n"
"                          DMTCP_CHECKPOINT_DIR, default: cwd)\n"
"  --no-gzip, --gzip       compress images or not (env DMTCP_GZIP,\n"
"                          default: compress)\n"
"  --no-forked, --forked\n"
"                          write the image in place, the program frozen\n"
"                          until it is on disk, or in a forked child\n"
"                          while the program runs on (env\n"
"                          DMTCP_FORKED_CHECKPOINT=0/1, default: forked\n"
"                          where it is safe, see doc/design.md)\n"
"  --incremental           each image stores only the pages changed since\n"
"                          the previous one and names it as its parent;\n"
"                          dmtcp_restart follows the chain (env\n"
"                          DMTCP_INCREMENTAL=1; --no-incremental or\n"
"                          --no-hbict: full images, the default)\n"
"  --full-every N          with --incremental, a full image every N\n"
"                          generations (env DMTCP_FULL_EVERY, default 8)\n"
"  --ckpt-signal N         signal used internally (env DMTCP_SIGCKPT,\n"
"                          default 12, SIGUSR2)\n"
"  --tmpdir DIR            temporary files (env DMTCP_TMPDIR)\n"
"  --skip-file-pages       do not store pages of mapped files (programs,\n"
"                          libraries) that still equal the file: smaller,\n"
"                          faster images, restartable only while those\n"
"                          files are unchanged, so on this host (env\n"
"                          DMTCP_SKIP_FILE_PAGES=1)\n"
"  --ckpt-open-files       save the contents of the files open for\n"
"                          writing in the image: a restart (or a rewind\n"
"                          in gdb) finds them as they were (env\n"
"                          DMTCP_CKPT_OPEN_FILES=1; see dmtcp_restart\n"
"                          --allow-file-overwrite)\n"
"  --ghost-limit SIZE      most data of one deleted file still open that\n"
"                          goes into the image (K, M, G suffixes, or\n"
"                          unlimited; env DMTCP_GHOST_LIMIT, default 64M)\n"
"  --ghost-over-limit fail|drop\n"
"                          a deleted file above the limit fails the\n"
"                          checkpoint (fail, default) or comes back\n"
"                          empty (drop) (env DMTCP_GHOST_OVER_LIMIT)\n"
"  --ckpt-on-crash         write an image when the program is about to\n"
"                          die of SIGSEGV, SIGBUS, SIGILL, SIGFPE or\n"
"                          SIGABRT (ckpt_*_crash.dmtcp), for\n"
"                          dmtcp_inspect and dmtcp_restart --gdb\n"
"  --with-plugin A.so[:B.so...]\n"
"                          load these plugins (doc/plugins.md); they get\n"
"                          checkpoint events in this order, restart and\n"
"                          resume events in the reverse order; repeatable\n"
"\n"
"  --help                  print this help and exit\n"
"  --version               print the version and exit\n"
"  --                      end of options\n"
"\n"
"Exit status: that of PROGRAM; 1 if it could not be started.\n");
}

int launch_opts_parse(int argc, char **argv, struct launch_opts *o,
		      char *err, size_t errcap)
{
	struct copt_parser p;
	int c;
	long v;

	memset(o, 0, sizeof(*o));
	o->gzip = -1;
	o->ckpt_signal = -1;
	o->forked = -1;
	o->incremental = -1;
	copt_begin(&p, &launch_spec, argc, argv, &o->c, o, err, errcap);
	while ((c = copt_next(&p)) > 0) {
		switch (c) {
		case OPT_GZIP:
			o->gzip = 1;
			break;
		case OPT_NO_GZIP:
			o->gzip = 0;
			break;
		case OPT_SIGNAL:
			v = util_parse_ulong(optarg);
			if (v < 1 || v > 64 || v == SIGKILL || v == SIGSTOP)
				return copt_error(&p, "invalid checkpoint "
						  "signal '%s' (expected 1..64, "
						  "not SIGKILL/SIGSTOP)",
						  optarg);
			o->ckpt_signal = (int)v;
			break;
		case OPT_GHOST_LIMIT: {
			uint64_t sz;

			if (sizearg_parse(optarg, &sz) < 0)
				return copt_error(&p, "invalid --ghost-limit "
						  "'%s' (expected a size such "
						  "as 65536, 64M, 2G, or "
						  "unlimited)", optarg);
			o->ghost_limit = optarg;
			break;
		}
		case OPT_GHOST_OVER:
			if (strcmp(optarg, "fail") != 0 &&
			    strcmp(optarg, "drop") != 0)
				return copt_error(&p, "invalid "
						  "--ghost-over-limit '%s' "
						  "(expected fail or drop)",
						  optarg);
			o->ghost_over = optarg;
			break;
		case OPT_FORKED:
		case OPT_NO_FORKED:
			o->forked = c == OPT_FORKED;
			break;
		case OPT_INCREMENTAL:
		case OPT_NO_INCREMENTAL:
			o->incremental = c == OPT_INCREMENTAL;
			break;
		case OPT_FULL_EVERY:
			v = util_parse_ulong(optarg);
			if (v < 1 || v > 64)
				return copt_error(&p, "invalid --full-every "
						  "'%s' (expected 1..64)",
						  optarg);
			o->full_every = (int)v;
			break;
		case OPT_TIMELINE:
			if (!*optarg)
				return copt_error(&p, "--timeline needs a "
						  "directory");
			o->timeline = optarg;
			break;
		case OPT_INTERVAL_MS:
			v = util_parse_ulong(optarg);
			if (v < 1 || v > 86400000)
				return copt_error(&p, "invalid --interval-ms "
						  "'%s' (expected 1..86400000)",
						  optarg);
			o->interval_ms = v;
			break;
		case OPT_KEEP:
			v = util_parse_ulong(optarg);
			if (v < 0 || v > 100000)
				return copt_error(&p, "invalid --keep '%s' "
						  "(expected 0..100000, 0 = "
						  "all)", optarg);
			o->keep = v;
			break;
		case OPT_PLUGIN:
			if (!*optarg)
				return copt_error(&p, "--with-plugin needs a "
						  "list of shared objects");
			if (o->nplugins == LAUNCH_MAX_PLUGIN_OPTS)
				return copt_error(&p, "--with-plugin given "
						  "more than %d times",
						  LAUNCH_MAX_PLUGIN_OPTS);
			o->plugins[o->nplugins++] = optarg;
			break;
		}
	}
	if (c < 0 || o->c.help || o->c.version)
		return c;
	if (o->timeline) {
		if (o->c.ckptdir && *o->c.ckptdir &&
		    strcmp(o->c.ckptdir, o->timeline) != 0)
			return copt_error(&p, "--timeline %s and --ckptdir %s: "
					  "a timeline's images go to its own "
					  "directory", o->timeline,
					  o->c.ckptdir);
		o->c.ckptdir = o->timeline;
		if (o->incremental < 0)
			o->incremental = 1;
		if (!o->interval_ms && o->c.interval < 0)
			o->interval_ms = 1000;
	} else if (o->keep) {
		return copt_error(&p, "--keep is for --timeline");
	}
	if (optind >= argc)
		return -1;	/* no program: usage */
	o->prog_index = optind;
	return 0;
}
