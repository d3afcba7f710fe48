/* cmd-opts.c - dmtcp_command's command line; see cmd-opts.h. */
#include "config.h"
#include "cmd-opts.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_HELP = 256, OPT_VERSION, OPT_BCKPT, OPT_KCKPT };

static const struct option cmd_longopts[] = {
	{ "coord-host", required_argument, NULL, 'h' },
	{ "coord-port", required_argument, NULL, 'p' },
	{ "port", required_argument, NULL, 'p' },
	{ "status", no_argument, NULL, 's' },
	{ "list", no_argument, NULL, 'l' },
	{ "checkpoint", no_argument, NULL, 'c' },
	{ "bcheckpoint", no_argument, NULL, OPT_BCKPT },
	{ "kcheckpoint", no_argument, NULL, OPT_KCKPT },
	{ "json", no_argument, NULL, 'j' },
	{ "interval", required_argument, NULL, 'i' },
	{ "kill", no_argument, NULL, 'k' },
	{ "quit", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* DMTCP-style command words. */
static const struct {
	const char *word;
	int cmd;
} cmd_words[] = {
	{ "s", DMTCP_CMD_STATUS }, { "status", DMTCP_CMD_STATUS },
	{ "l", DMTCP_CMD_LIST }, { "list", DMTCP_CMD_LIST },
	{ "c", DMTCP_CMD_CHECKPOINT }, { "checkpoint", DMTCP_CMD_CHECKPOINT },
	{ "bc", DMTCP_CMD_BCHECKPOINT },
	{ "bcheckpoint", DMTCP_CMD_BCHECKPOINT },
	{ "kc", CMD_KCHECKPOINT }, { "kcheckpoint", CMD_KCHECKPOINT },
	{ "k", DMTCP_CMD_KILL }, { "kill", DMTCP_CMD_KILL },
	{ "q", DMTCP_CMD_QUIT }, { "quit", DMTCP_CMD_QUIT },
	{ "i", DMTCP_CMD_INTERVAL }, { "interval", DMTCP_CMD_INTERVAL },
};

void cmd_usage(FILE *f)
{
	fprintf(f,
"Usage: dmtcp_command [OPTIONS] COMMAND [COMMAND...]\n"
"Send a command to a running dmtcp_coordinator.\n"
"\n"
"Options:\n"
"  -h, --coord-host HOST   coordinator host (env DMTCP_COORD_HOST,\n"
"                          default localhost)\n"
"  -p, --coord-port PORT   coordinator port (env DMTCP_COORD_PORT,\n"
"                          default 7779)\n"
"  -j, --json              print one JSON object per command (see\n"
"                          dmtcp_command(1)); errors too, on stdout\n"
"  --help                  print this help and exit\n"
"  --version               print the version and exit\n"
"\n"
"Commands (as options or as words):\n"
"  -s, --status, s         print the coordinator status (NUM_PEERS=...)\n"
"  -l, --list, l           list the connected processes\n"
"  -c, --checkpoint, c     start a checkpoint of all processes\n"
"  -bc, --bcheckpoint, bc  checkpoint and wait until it is complete;\n"
"                          prints IMAGE=, NUM_IMAGES=, TOTAL_BYTES=,\n"
"                          TIME_MS= (progress on stderr if a terminal)\n"
"  -kc, --kcheckpoint, kc  blocking checkpoint, then kill all processes\n"
"  -i, --interval N, i N   checkpoint every N seconds (0 = never)\n"
"  -k, --kill, k           kill all processes\n"
"  -q, --quit, q           kill all processes and stop the coordinator\n"
"\n"
"Exit status:\n"
"  0  every command succeeded\n"
"  1  usage error (bad option, unknown command, bad number)\n"
"  2  the coordinator cannot be reached, or the connection broke\n"
"  3  the coordinator refused the request or reported an error\n"
"     (no processes, checkpoint in progress, wrong secret, image failed)\n");
}

const char *cmd_name(int cmd)
{
	switch (cmd) {
	case DMTCP_CMD_CHECKPOINT:
		return "checkpoint";
	case DMTCP_CMD_BCHECKPOINT:
		return "bcheckpoint";
	case DMTCP_CMD_KILL:
		return "kill";
	case DMTCP_CMD_QUIT:
		return "quit";
	case DMTCP_CMD_STATUS:
		return "status";
	case DMTCP_CMD_LIST:
		return "list";
	case DMTCP_CMD_INTERVAL:
		return "interval";
	case CMD_KCHECKPOINT:
		return "kcheckpoint";
	}
	return "?";
}

static void cmd_err(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cmd_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static int cmd_add(struct cmd_opts *o, int cmd, uint64_t arg, char *err,
		   size_t errcap)
{
	if (o->nreq >= CMD_MAX_REQUESTS) {
		cmd_err(err, errcap, "too many commands (at most %d)",
			CMD_MAX_REQUESTS);
		return -1;
	}
	o->req[o->nreq].cmd = cmd;
	o->req[o->nreq].arg = arg;
	o->nreq++;
	return 0;
}

static int cmd_interval(struct cmd_opts *o, const char *val, char *err,
			size_t errcap)
{
	long v = val ? util_parse_ulong(val) : -1;

	if (v < 0) {
		cmd_err(err, errcap, "interval needs a number of seconds "
			"(0 = never), got '%s'", val ? val : "nothing");
		return -1;
	}
	return cmd_add(o, DMTCP_CMD_INTERVAL, (uint64_t)v, err, errcap);
}

int cmd_opts_parse(int argc, char **argv, struct cmd_opts *o, char *err,
		   size_t errcap)
{
	char **args;
	int c, rc = -1;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	err[0] = 0;
	/* "-bc" is DMTCP's spelling; getopt would read it as -b -c */
	args = calloc(argc + 1, sizeof(*args));
	if (!args) {
		cmd_err(err, errcap, "out of memory");
		return -1;
	}
	for (int i = 0; i < argc; i++)
		args[i] = !strcmp(argv[i], "-bc") ? (char *)"--bcheckpoint" :
			!strcmp(argv[i], "-kc") ? (char *)"--kcheckpoint" :
			argv[i];
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, args, ":h:p:slckqi:j", cmd_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			o->host = optarg;
			break;
		case 'p':
			o->port = util_parse_port(optarg);
			if (o->port < 0) {
				cmd_err(err, errcap, "invalid port '%s' "
					"(expected 0..65535)", optarg);
				goto out;
			}
			break;
		case 's':
			if (cmd_add(o, DMTCP_CMD_STATUS, 0, err, errcap))
				goto out;
			break;
		case 'l':
			if (cmd_add(o, DMTCP_CMD_LIST, 0, err, errcap))
				goto out;
			break;
		case 'c':
			if (cmd_add(o, DMTCP_CMD_CHECKPOINT, 0, err, errcap))
				goto out;
			break;
		case OPT_BCKPT:
			if (cmd_add(o, DMTCP_CMD_BCHECKPOINT, 0, err, errcap))
				goto out;
			break;
		case OPT_KCKPT:
			if (cmd_add(o, CMD_KCHECKPOINT, 0, err, errcap))
				goto out;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'k':
			if (cmd_add(o, DMTCP_CMD_KILL, 0, err, errcap))
				goto out;
			break;
		case 'q':
			if (cmd_add(o, DMTCP_CMD_QUIT, 0, err, errcap))
				goto out;
			break;
		case 'i':
			if (cmd_interval(o, optarg, err, errcap))
				goto out;
			break;
		case OPT_HELP:
			o->help = 1;
			break;
		case OPT_VERSION:
			o->version = 1;
			break;
		case ':':
			cmd_err(err, errcap, "option %s needs an argument",
				args[optind - 1]);
			goto out;
		default:
			cmd_err(err, errcap, "unknown option '%s'",
				args[optind - 1]);
			goto out;
		}
	}
	for (int i = optind; i < argc; i++) {
		size_t k;

		if (!strcmp(args[i], "h") || !strcmp(args[i], "help")) {
			o->help = 1;
			continue;
		}
		for (k = 0; k < sizeof(cmd_words) / sizeof(cmd_words[0]); k++)
			if (!strcmp(args[i], cmd_words[k].word))
				break;
		if (k == sizeof(cmd_words) / sizeof(cmd_words[0])) {
			cmd_err(err, errcap, "unknown command '%s'", args[i]);
			goto out;
		}
		if (cmd_words[k].cmd == DMTCP_CMD_INTERVAL) {
			if (cmd_interval(o, i + 1 < argc ? args[i + 1] : NULL,
					 err, errcap))
				goto out;
			i++;
			continue;
		}
		if (cmd_add(o, cmd_words[k].cmd, 0, err, errcap))
			goto out;
	}
	if (!o->nreq && !o->help && !o->version)
		goto out;	/* nothing to do: usage */
	rc = 0;
out:
	free(args);
	return rc;
}
