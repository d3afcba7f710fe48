/* launch-opts.c - dmtcp_launch's command line; see launch-opts.h. */
#include "config.h"
#include "launch-opts.h"
#include "coord-start.h"
#include "sizearg.h"
#include "util.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>

enum {
	OPT_NEW = 256,
	OPT_JOIN,
	OPT_GZIP,
	OPT_NO_GZIP,
	OPT_SIGNAL,
	OPT_CKPTDIR,
	OPT_TMPDIR,
	OPT_CRASH,
	OPT_SKIP_FILE_PAGES,
	OPT_GHOST_LIMIT,
	OPT_GHOST_OVER,
	OPT_CKPT_OPEN_FILES,
	OPT_PLUGIN,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option launch_longopts[] = {
	{ "coord-host", required_argument, NULL, 'h' },
	{ "coord-port", required_argument, NULL, 'p' },
	{ "port", required_argument, NULL, 'p' },
	{ "new-coordinator", no_argument, NULL, OPT_NEW },
	{ "join-coordinator", no_argument, NULL, OPT_JOIN },
	{ "join", no_argument, NULL, OPT_JOIN },
	{ "gzip", no_argument, NULL, OPT_GZIP },
	{ "no-gzip", no_argument, NULL, OPT_NO_GZIP },
	{ "ckpt-signal", required_argument, NULL, OPT_SIGNAL },
	{ "ckptdir", required_argument, NULL, OPT_CKPTDIR },
	{ "interval", required_argument, NULL, 'i' },
	{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
	{ "ckpt-on-crash", no_argument, NULL, OPT_CRASH },
	{ "skip-file-pages", no_argument, NULL, OPT_SKIP_FILE_PAGES },
	{ "ghost-limit", required_argument, NULL, OPT_GHOST_LIMIT },
	{ "ghost-over-limit", required_argument, NULL, OPT_GHOST_OVER },
	{ "ckpt-open-files", no_argument, NULL, OPT_CKPT_OPEN_FILES },
	{ "with-plugin", required_argument, NULL, OPT_PLUGIN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
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
"\n"
"Checkpointing:\n"
"  --ckptdir DIR           where images are written (env\n"
"                          DMTCP_CHECKPOINT_DIR, default: cwd)\n"
"  --no-gzip, --gzip       compress images or not (env DMTCP_GZIP,\n"
"                          default: compress)\n"
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

static void launch_err(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void launch_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

int launch_opts_parse(int argc, char **argv, struct launch_opts *o,
		      char *err, size_t errcap)
{
	int c, new_coord = 0, join = 0;
	long v;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	o->gzip = -1;
	o->ckpt_signal = -1;
	o->interval = -1;
	o->mode = COORD_AUTO;
	err[0] = 0;
	optind = 0;
	opterr = 0;
	/* '+': stop at PROGRAM, its options are its own */
	while ((c = getopt_long(argc, argv, "+:h:p:i:j", launch_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			o->host = optarg;
			break;
		case 'p':
			o->port = util_parse_port(optarg);
			if (o->port < 0) {
				launch_err(err, errcap, "invalid port '%s' "
					   "(expected 0..65535)", optarg);
				return -1;
			}
			break;
		case 'i':
			o->interval = util_parse_ulong(optarg);
			if (o->interval < 0 || o->interval > 100000000) {
				launch_err(err, errcap, "invalid interval '%s' "
					   "(expected seconds >= 0)", optarg);
				return -1;
			}
			break;
		case 'j':
		case OPT_JOIN:
			join = 1;
			break;
		case OPT_NEW:
			new_coord = 1;
			break;
		case OPT_GZIP:
			o->gzip = 1;
			break;
		case OPT_NO_GZIP:
			o->gzip = 0;
			break;
		case OPT_SIGNAL:
			v = util_parse_ulong(optarg);
			if (v < 1 || v > 64 || v == SIGKILL || v == SIGSTOP) {
				launch_err(err, errcap, "invalid checkpoint "
					   "signal '%s' (expected 1..64, not "
					   "SIGKILL/SIGSTOP)", optarg);
				return -1;
			}
			o->ckpt_signal = (int)v;
			break;
		case OPT_CKPTDIR:
			o->ckptdir = optarg;
			break;
		case OPT_TMPDIR:
			o->tmpdir = optarg;
			break;
		case OPT_CRASH:
			o->ckpt_on_crash = 1;
			break;
		case OPT_SKIP_FILE_PAGES:
			o->skip_file_pages = 1;
			break;
		case OPT_GHOST_LIMIT: {
			uint64_t sz;

			if (sizearg_parse(optarg, &sz) < 0) {
				launch_err(err, errcap, "invalid --ghost-limit "
					   "'%s' (expected a size such as "
					   "65536, 64M, 2G, or unlimited)",
					   optarg);
				return -1;
			}
			o->ghost_limit = optarg;
			break;
		}
		case OPT_GHOST_OVER:
			if (strcmp(optarg, "fail") != 0 &&
			    strcmp(optarg, "drop") != 0) {
				launch_err(err, errcap, "invalid "
					   "--ghost-over-limit '%s' (expected "
					   "fail or drop)", optarg);
				return -1;
			}
			o->ghost_over = optarg;
			break;
		case OPT_CKPT_OPEN_FILES:
			o->ckpt_open_files = 1;
			break;
		case OPT_PLUGIN:
			if (!*optarg) {
				snprintf(err, errcap, "--with-plugin needs a "
					 "list of shared objects");
				return -1;
			}
			if (o->nplugins == LAUNCH_MAX_PLUGIN_OPTS) {
				snprintf(err, errcap, "--with-plugin given "
					 "more than %d times",
					 LAUNCH_MAX_PLUGIN_OPTS);
				return -1;
			}
			o->plugins[o->nplugins++] = optarg;
			break;
		case OPT_HELP:
			o->help = 1;
			return 0;
		case OPT_VERSION:
			o->version = 1;
			return 0;
		case ':':
			launch_err(err, errcap, "option %s needs an argument",
				   argv[optind - 1]);
			return -1;
		default:
			launch_err(err, errcap, "unknown option '%s'",
				   argv[optind - 1]);
			return -1;
		}
	}
	if (new_coord && join) {
		launch_err(err, errcap, "--new-coordinator and "
			   "--join-coordinator exclude each other");
		return -1;
	}
	o->mode = new_coord ? COORD_NEW : join ? COORD_JOIN : COORD_AUTO;
	if (o->port == 0 && o->mode == COORD_JOIN) {
		launch_err(err, errcap, "port 0 means \"any free port\": it "
			   "needs --new-coordinator, not --join-coordinator");
		return -1;
	}
	if (optind >= argc)
		return -1;	/* no program: usage */
	o->prog_index = optind;
	return 0;
}
