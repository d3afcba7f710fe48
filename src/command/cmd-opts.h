/*
 * cmd-opts.h - dmtcp_command's command line: options and DMTCP-style
 * command words, parsed into a list of requests (unit-tested).
 */
#ifndef DMTCP_CMD_OPTS_H
#define DMTCP_CMD_OPTS_H

#include "common-opts.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CMD_MAX_REQUESTS 16

/* Client-side action (not on the wire): BCHECKPOINT, then KILL. */
#define CMD_KCHECKPOINT 100

struct cmd_request {
	int cmd;		/* enum dmtcp_cmd */
	uint64_t arg;
};

struct cmd_opts {
	struct copt_common c;	/* -h, -p, --help, --version */
	int json;		/* --json: one JSON object per command */
	const char *tag;	/* --tag TEXT: the checkpoints' snapshot tag */
	int trigger;		/* enum img_snap_trigger (--from-gdb: GDB) */
	int nreq;
	struct cmd_request req[CMD_MAX_REQUESTS];
};

/*
 * Parse argv (argv[0] is the program).  Returns 0, or -1 with a message
 * in err for a usage error.  No requests and no --help/--version is a
 * usage error too (err is "" then: print the usage).  The help word
 * (h, help) sets c.help like --help.
 */
int cmd_opts_parse(int argc, char **argv, struct cmd_opts *o, char *err,
		   size_t errcap);
void cmd_usage(FILE *f);
/* Name of a DMTCP_CMD_* for messages. */
const char *cmd_name(int cmd);

#endif /* DMTCP_CMD_OPTS_H */
