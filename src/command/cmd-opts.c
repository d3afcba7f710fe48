/* cmd-opts.c - dmtcp_command's command line; see cmd-opts.h. */
#include "config.h"
#include "cmd-opts.h"
#include "dmtcp/protocol.h"
#include "util.h"
#include "common-opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/*
 * The commands, each as a word (s, status), a short option (-s; -bc
 * and -kc are DMTCP's spellings of --bcheckpoint and --kcheckpoint) and
 * a long one (--status); the long name is the one messages use.
 */
static const struct {
	const char *word;
	const char *name;
	int cmd;
} cmd_words[] = {
	{ "s", "status", DMTCP_CMD_STATUS },
	{ "l", "list", DMTCP_CMD_LIST },
	{ "c", "checkpoint", DMTCP_CMD_CHECKPOINT },
	{ "bc", "bcheckpoint", DMTCP_CMD_BCHECKPOINT },
	{ "kc", "kcheckpoint", CMD_KCHECKPOINT },
	{ "k", "kill", DMTCP_CMD_KILL },
	{ "q", "quit", DMTCP_CMD_QUIT },
	{ "i", "interval", DMTCP_CMD_INTERVAL },	/* takes N */
	{ "im", "interval-ms", DMTCP_CMD_INTERVAL_MS },	/* takes N */
};

static int takes_number(int cmd)
{
	return cmd == DMTCP_CMD_INTERVAL || cmd == DMTCP_CMD_INTERVAL_MS;
}

#define CMD_NWORDS (sizeof(cmd_words) / sizeof(cmd_words[0]))
#define OPT_TAG		(COPT_OWN_KEY + 100)
#define OPT_FROM_GDB	(COPT_OWN_KEY + 101)

/* getopt key of command i: its letter, or past the letters for -bc/-kc */
static int cmd_key(size_t i)
{
	return cmd_words[i].word[1] ? COPT_OWN_KEY + (int)i :
		cmd_words[i].word[0];
}

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
"  --tag TEXT              the checkpoints' snapshots carry this tag\n"
"                          (dmtcp_inspect timeline; at most 127 bytes)\n"
"  --from-gdb              the snapshots say gdb asked for them\n"
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
"  -im, --interval-ms N, im N\n"
"                          checkpoint every N milliseconds (0 = never)\n"
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
	for (size_t i = 0; i < CMD_NWORDS; i++)
		if (cmd_words[i].cmd == cmd)
			return cmd_words[i].name;
	return "?";
}

/* Add command i of cmd_words; val is the interval's argument. */
static int cmd_add(struct copt_parser *p, struct cmd_opts *o, size_t i,
		   const char *val)
{
	long v = 0;

	if (o->nreq >= CMD_MAX_REQUESTS)
		return copt_error(p, "too many commands (at most %d)",
				  CMD_MAX_REQUESTS);
	if (takes_number(cmd_words[i].cmd)) {
		v = val ? util_parse_ulong(val) : -1;
		if (v < 0)
			return copt_error(p, "%s needs a number of %s (0 = "
					  "never), got '%s'", cmd_words[i].name,
					  cmd_words[i].cmd == DMTCP_CMD_INTERVAL
					  ? "seconds" : "milliseconds",
					  val ? val : "nothing");
	}
	o->req[o->nreq].cmd = cmd_words[i].cmd;
	o->req[o->nreq].arg = (uint64_t)v;
	o->nreq++;
	return 0;
}

/* The command written as word, or CMD_NWORDS. */
static size_t cmd_find_word(const char *word)
{
	size_t i;

	for (i = 0; i < CMD_NWORDS; i++)
		if (!strcmp(word, cmd_words[i].word) ||
		    !strcmp(word, cmd_words[i].name))
			break;
	return i;
}

int cmd_opts_parse(int argc, char **argv, struct cmd_opts *o, char *err,
		   size_t errcap)
{
	struct copt_own own[CMD_NWORDS + 4] = {
		COPT_FLAG("json", 'j', struct cmd_opts, json),
		COPT_KEY("tag", 0, required_argument, OPT_TAG),
		COPT_KEY("from-gdb", 0, no_argument, OPT_FROM_GDB),
	};
	struct copt_spec spec = {
		.common = COPT_HOST | COPT_PORT,
		.own = own,
	};
	static char dashed[CMD_NWORDS][24];	/* "--bcheckpoint" */
	struct copt_parser p;
	char **args;
	int c, rc = -1;
	size_t k;

	/* every command is an option too: -s, --status; -i N */
	for (k = 0; k < CMD_NWORDS; k++)
		own[k + 3] = (struct copt_own)COPT_KEY(cmd_words[k].name,
			cmd_words[k].word[1] ? 0 : cmd_words[k].word[0],
			takes_number(cmd_words[k].cmd) ?
			required_argument : no_argument, cmd_key(k));
	memset(o, 0, sizeof(*o));
	/* "-bc" is DMTCP's spelling; getopt would read it as -b -c */
	args = calloc(argc + 1, sizeof(*args));
	copt_begin(&p, &spec, argc, args ? args : argv, &o->c, o, err,
		   errcap);
	if (!args)
		return copt_error(&p, "out of memory");
	for (int i = 0; i < argc; i++) {
		k = argv[i][0] == '-' ? cmd_find_word(argv[i] + 1) : CMD_NWORDS;
		args[i] = argv[i];
		if (k < CMD_NWORDS && cmd_words[k].word[1] &&
		    !strcmp(argv[i] + 1, cmd_words[k].word)) {
			snprintf(dashed[k], sizeof(dashed[k]), "--%s",
				 cmd_words[k].name);
			args[i] = dashed[k];
		}
	}
	while ((c = copt_next(&p)) > 0) {
		if (c == OPT_TAG) {
			size_t n = strlen(optarg);

			for (size_t j = 0; j < n; j++)
				if ((unsigned char)optarg[j] < 0x20) {
					copt_error(&p, "--tag: no control "
						   "characters");
					goto out;
				}
			if (n >= 128) {
				copt_error(&p, "--tag: at most 127 bytes");
				goto out;
			}
			o->tag = optarg;
			continue;
		}
		if (c == OPT_FROM_GDB) {
			o->trigger = 3;	/* IMG_SNAP_GDB */
			continue;
		}
		for (k = 0; k < CMD_NWORDS && cmd_key(k) != c; k++)
			;
		if (cmd_add(&p, o, k, optarg))
			goto out;
	}
	if (c < 0)
		goto out;
	for (int i = optind; i < argc; i++) {
		if (!strcmp(args[i], "h") || !strcmp(args[i], "help")) {
			o->c.help = 1;
			continue;
		}
		k = cmd_find_word(args[i]);
		if (k == CMD_NWORDS) {
			copt_error(&p, "unknown command '%s'", args[i]);
			goto out;
		}
		if (cmd_add(&p, o, k, takes_number(cmd_words[k].cmd) ?
			    (i + 1 < argc ? args[++i] : NULL) : NULL))
			goto out;
	}
	if (!o->nreq && !o->c.help && !o->c.version)
		goto out;	/* nothing to do: usage */
	rc = 0;
out:
	free(args);
	return rc;
}
