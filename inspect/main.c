/*
 * main.c - dmtcp_inspect: look inside checkpoint images without
 * restoring them.  Parses the options, finds the command in the table
 * below (which also drives --help) and runs it in a session opened from
 * the needs the table gives it (session.h).
 *
 *   dmtcp_inspect [OPTIONS] IMG                 same as `info IMG`
 *   dmtcp_inspect [OPTIONS] COMMAND ARGS...
 */
#include "config.h"
#include "session.h"
#include "common-opts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* name, alias, usage, summary, min/max args, needs, JSON list, run */
static const struct insp_cmd insp_cmds[] = {
	{ "info", NULL, "IMG",
	  "program, ids, host, time, kernel, sizes, counts", 1, 1,
	  0, NULL, insp_cmd_info },
	{ "threads", NULL, "IMG",
	  "threads: tid, name, state, pc and sp, pc symbolized", 1, 1,
	  INSP_NEED_SYMS, "threads", insp_cmd_threads },
	{ "maps", NULL, "IMG",
	  "memory areas: range, perms, kind, file, build-id, stored bytes",
	  1, 1, 0, "areas", insp_cmd_maps },
	{ "fds", NULL, "IMG", "open file descriptors", 1, 1,
	  0, "fds", insp_cmd_fds },
	{ "env", NULL, "IMG", "environment variables", 1, 1,
	  INSP_NEED_OBJECT, "env", insp_cmd_env },
	{ "auxv", NULL, "IMG", "auxiliary vector with AT_ names", 1, 1,
	  INSP_NEED_MEM, "auxv", insp_cmd_auxv },
	{ "symbol", "sym", "IMG ADDR",
	  "module, function+offset and source line of an address", 2, 2,
	  INSP_NEED_ADDR | INSP_NEED_DWFL, NULL, insp_cmd_symbol },
	{ "backtrace", "bt", "IMG",
	  "unwind every thread offline (libdwfl)", 1, 1,
	  INSP_NEED_DWFL, "threads", insp_cmd_backtrace },
	{ "core", NULL, "IMG -o FILE",
	  "write an ELF core file for gdb and eu-stack", 1, 1,
	  INSP_NEED_OUTPUT | INSP_NEED_MEM, NULL, insp_cmd_core },
	{ "diff", NULL, "IMG1 IMG2",
	  "areas, pages and threads that differ between two images", 2, 2,
	  INSP_NEED_TWO | INSP_NEED_SYMS | INSP_NEED_QUIET, NULL,
	  insp_cmd_diff },
	{ "merge", NULL, "IMG -o OUT",
	  "fold an incremental image's chain into one full image", 1, 1,
	  INSP_NEED_OUTPUT, NULL, insp_cmd_merge },
	{ "print", "p", "IMG EXPR",
	  "evaluate a C expression with the program's DWARF", 2, 2,
	  INSP_NEED_DWFL, NULL, insp_cmd_print },
	{ "timeline", NULL, "DIR",
	  "the snapshots of a checkpoint directory, by generation", 1, 1,
	  INSP_NEED_NOIMG, NULL, insp_cmd_timeline },
	{ "bisect", NULL, "DIR EXPR",
	  "the first snapshot where EXPR is true (or changed)", 2, 2,
	  INSP_NEED_NOIMG, NULL, insp_cmd_bisect },
};

#define INSP_NCMDS (sizeof(insp_cmds) / sizeof(insp_cmds[0]))

static const struct insp_cmd *insp_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < INSP_NCMDS; i++)
		if (!strcmp(insp_cmds[i].name, name) ||
		    (insp_cmds[i].alias && !strcmp(insp_cmds[i].alias, name)))
			return &insp_cmds[i];
	return NULL;
}

static void insp_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: dmtcp_inspect [OPTIONS] IMG\n"
		"       dmtcp_inspect [OPTIONS] COMMAND ARGS...\n"
		"Look inside a DMTCP checkpoint image (gzip or raw) without "
		"restoring it.\n\nCommands:\n");
	for (i = 0; i < INSP_NCMDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s%s%s %s", insp_cmds[i].name,
			 insp_cmds[i].alias ? "|" : "",
			 insp_cmds[i].alias ? insp_cmds[i].alias : "",
			 insp_cmds[i].usage);
		fprintf(f, "  %-22s %s\n", left, insp_cmds[i].summary);
	}
	fprintf(f,
		"\nOptions:\n"
		"  -j, --json         machine-readable output (one JSON "
		"document)\n"
		"  -o, --output FILE  output file (core, merge; never "
		"overwritten by merge)\n"
		"      --raw          merge: write a raw image (default: "
		"as IMG)\n"
		"  -a, --all          threads/backtrace: include the "
		"checkpoint thread\n"
		"      --thread TID   print: the thread whose frame is used\n"
		"      --frame N      print: its frame (0 innermost; default "
		"the innermost\n"
		"                     frame of the program's own code)\n"
		"      --changes      bisect: first snapshot where EXPR "
		"differs from the first\n"
		"      --linear       bisect: scan every snapshot (EXPR not "
		"monotonic)\n"
		"      --pid N, --prog NAME  bisect: the process (default the "
		"lowest pid)\n"
		"  -h, --help         this help (COMMAND --help: that "
		"command's)\n"
		"  -V, --version      print the version\n"
		"\nADDR is hexadecimal, with or without 0x.\n"
		"\nExit status: 0 ok, 1 usage error, 2 unreadable, bad or "
		"corrupt image,\n"
		"3 not found (address not mapped) or EXPR cannot be "
		"evaluated,\n4 cannot write the output file.  bisect: 0 "
		"found, 1 not found, 2 error.\n"
		"See dmtcp_inspect(1).\n");
}

static void insp_cmd_usage(FILE *f, const struct insp_cmd *c)
{
	fprintf(f, "Usage: dmtcp_inspect [--json] %s %s\n%s%s%s\n", c->name,
		c->usage, c->alias ? "Alias: " : "", c->alias ? c->alias : "",
		c->alias ? "\n" : "");
	fprintf(f, "%c%s.\n", c->summary[0] - 'a' + 'A', c->summary + 1);
}

/* No common option but --help and --version (-h and -V too). */
static const struct copt_own insp_own[] = {
	COPT_FLAG("json", 'j', struct insp_opts, json),
	COPT_STR("output", 'o', struct insp_opts, output),
	COPT_FLAG("all", 'a', struct insp_opts, all_threads),
	COPT_FLAG("raw", 0, struct insp_opts, raw),
	COPT_STR("thread", 0, struct insp_opts, thread),
	COPT_STR("frame", 0, struct insp_opts, frame),
	COPT_FLAG("changes", 0, struct insp_opts, changes),
	COPT_FLAG("linear", 0, struct insp_opts, linear),
	COPT_STR("pid", 0, struct insp_opts, pid),
	COPT_STR("prog", 0, struct insp_opts, prog),
	COPT_KEY("", 'h', no_argument, 'h'),
	COPT_KEY("", 'V', no_argument, 'V'),
	COPT_END,
};

static const struct copt_spec insp_spec = {
	.own = insp_own,
};

int main(int argc, char **argv)
{
	struct insp_opts o = { 0 };
	const struct insp_cmd *c;
	struct copt_parser p;
	struct copt_common co;
	struct stat st;
	char **args, err[256];
	int nargs, opt;

	copt_begin(&p, &insp_spec, argc, argv, &co, &o, err, sizeof(err));
	while ((opt = copt_next(&p)) > 0)
		*(opt == 'h' ? &co.help : &co.version) = 1;
	if (opt < 0) {
		insp_err("%s", err);
		fprintf(stderr, "Try 'dmtcp_inspect --help'.\n");
		return INSP_EXIT_USAGE;
	}
	if (co.version) {
		copt_print_version("dmtcp_inspect");
		return INSP_EXIT_OK;
	}
	args = argv + optind;
	nargs = argc - optind;
	if (nargs == 0) {
		if (co.help) {
			insp_usage(stdout);
			return INSP_EXIT_OK;
		}
		insp_err("no image given");
		insp_usage(stderr);
		return INSP_EXIT_USAGE;
	}
	c = insp_find_cmd(args[0]);
	if (c) {
		args++;
		nargs--;
	} else if (stat(args[0], &st) == 0 || strchr(args[0], '/') ||
		   strstr(args[0], ".dmtcp")) {
		c = insp_find_cmd("info");	/* dmtcp_inspect IMG */
	} else {
		insp_err("unknown command '%s' (and no such image file)",
			 args[0]);
		fprintf(stderr, "Try 'dmtcp_inspect --help'.\n");
		return INSP_EXIT_USAGE;
	}
	if (co.help) {
		insp_cmd_usage(stdout, c);
		return INSP_EXIT_OK;
	}
	if (nargs < c->min_args || nargs > c->max_args) {
		insp_err("%s: expected %s", c->name, c->usage);
		insp_cmd_usage(stderr, c);
		return INSP_EXIT_USAGE;
	}
	return insp_session_run(c, args, nargs, &o);
}
