/*
 * common-opts.h - the command-line options the commands share, parsed
 * in one place: the coordinator's address (-h/--coord-host,
 * -p/--coord-port/--port), --new-coordinator/--join-coordinator,
 * -i/--interval, --ckptdir, --tmpdir, --help and --version; where their
 * values come from when not given (option, then environment, then
 * default); and the one way a command reports a usage error.
 *
 * A command describes its command line with a struct copt_spec: which
 * common options it takes, and a table of its own (a row each: a flag
 * or a string stored in the command's struct, an environment variable
 * set, or a key for an option that needs code).  copt_next() handles
 * the common options and the rows without code itself, and returns the
 * keys:
 *
 *	copt_begin(&p, &spec, argc, argv, &o->c, o, err, errcap);
 *	while ((c = copt_next(&p)) > 0)
 *		switch (c) { case OPT_MINE: ... }
 *	if (c < 0)
 *		return -1;			(message in err)
 *	operands start at optind
 *
 * and its main() ends the run with copt_report().  A new option shared
 * by several commands is a row of copt_table (common-opts.c) and a
 * COPT_* bit.
 */
#ifndef DMTCP_COMMON_OPTS_H
#define DMTCP_COMMON_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* The common options a command takes (struct copt_spec.common). */
enum {
	COPT_HOST = 1 << 0,	/* -h, --coord-host HOST */
	COPT_PORT = 1 << 1,	/* -p, --coord-port, --port PORT */
	COPT_MODE = 1 << 2,	/* --new-coordinator, --join-coordinator,
				   --join */
	COPT_JOIN_J = 1 << 3,	/* with COPT_MODE: -j is --join-coordinator */
	COPT_INTERVAL = 1 << 4,	/* -i, --interval N */
	COPT_CKPTDIR = 1 << 5,	/* --ckptdir DIR */
	COPT_TMPDIR = 1 << 6,	/* --tmpdir DIR */
};

/* Keys of a command's own long-only options: from here to 0xfff. */
#define COPT_OWN_KEY 256
/* Largest checkpoint interval, in seconds (-i, DMTCP_CHECKPOINT_INTERVAL) */
#define COPT_MAX_INTERVAL 100000000L

/* The values of the common options; -1 / NULL when not given. */
struct copt_common {
	const char *host;	/* NULL: copt_coord_host() decides */
	int port;		/* -1: copt_coord_port() decides */
	int mode;		/* enum coord_mode; COORD_AUTO if not given */
	long interval;		/* -1: not given */
	const char *ckptdir;	/* NULL: copt_ckptdir() decides */
	const char *tmpdir;	/* NULL: the environment's */
	int help, version;	/* --help, --version */
};

/*
 * One of a command's own options.  One that only sets a flag or keeps
 * its argument names its field, one that only sets an environment
 * variable names it (copt_next() does it); one that needs code has a
 * key, which copt_next() returns.
 */
struct copt_own {
	const char *name;	/* long name ("" for a letter alone) */
	int letter;		/* short option, or 0 */
	int has_arg;		/* no_argument or required_argument */
	int key;		/* 0: stored at offset */
	size_t offset;		/* int set to 1 (a flag), or const char *
				   set to the argument */
	const char *env;	/* or: this environment variable set to 1 */
};
#define COPT_FLAG(n, l, type, field) { .name = (n), .letter = (l), \
	.has_arg = no_argument, .offset = offsetof(type, field) }
#define COPT_STR(n, l, type, field) { .name = (n), .letter = (l), \
	.has_arg = required_argument, .offset = offsetof(type, field) }
#define COPT_KEY(n, l, arg, k) { .name = (n), .letter = (l), \
	.has_arg = (arg), .key = (k) }
#define COPT_ENV(n, var) { .name = (n), .has_arg = no_argument, .env = (var) }
#define COPT_END { .name = NULL }

/* One command's command line: the common options it takes and its own. */
struct copt_spec {
	unsigned common;		/* COPT_* */
	const struct copt_own *own;	/* ended by COPT_END */
	int stop_at_operand;		/* options end at the first operand
					   (PROGRAM's options are its own) */
};

#define COPT_MAX_LONG 40

struct copt_parser {
	const struct copt_spec *spec;
	int argc;
	char **argv;
	struct copt_common *c;
	void *store;			/* the command's struct (offsets) */
	char *err;
	size_t errcap;
	unsigned modes;			/* 1 << COORD_NEW | 1 << COORD_JOIN */
	char shortopts[64];
	struct option longopts[COPT_MAX_LONG];
};

/*
 * Start parsing argv (argv[0] is the program); resets c and err.  store:
 * the command's struct, where the options without a key go.
 */
void copt_begin(struct copt_parser *p, const struct copt_spec *spec,
		int argc, char **argv, struct copt_common *c, void *store,
		char *err, size_t errcap);
/*
 * The next of the command's own options (its key, optarg set), or 0 at
 * the end of the options (optind: the first operand), or -1 with a
 * message in err: unknown option, missing argument, bad value of a
 * common option, both --new-coordinator and --join-coordinator, port 0
 * with --join-coordinator.
 */
int copt_next(struct copt_parser *p);
/* The one error helper: the message into err (cap bytes), -1. */
int copt_errf(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A usage error found while parsing: the message into p's err, -1. */
#define copt_error(p, ...) copt_errf((p)->err, (p)->errcap, __VA_ARGS__)
/*
 * A count given as the argument of option what ("--ckpt-timeout"):
 * 0..max, or -1 with a message in err (the parser's, or err/errcap).
 */
long copt_count_arg(struct copt_parser *p, const char *what, long max);
long copt_count(const char *what, const char *s, long max, char *err,
		size_t errcap);
/*
 * opt when given (>= 0), else environment variable env when set, else
 * def; -1 with a message in err when env holds no count in 0..max.
 */
long copt_count_env(long opt, const char *env, long max, long def,
		    char *err, size_t errcap);

/*
 * The coordinator's address: the option, else DMTCP_COORD_HOST /
 * DMTCP_COORD_PORT, else the fallback (an image's: NULL / 0 for none),
 * else the older DMTCP_HOST / DMTCP_PORT, else localhost / 7779.  The
 * port: 0..65535, or -1 with a message in err naming the variable.
 */
const char *copt_coord_host(const struct copt_common *c,
			    const char *fallback);
int copt_coord_port(const struct copt_common *c, int fallback, char *err,
		    size_t errcap);
/*
 * The checkpoint directory: --ckptdir, else DMTCP_CHECKPOINT_DIR, else
 * the current directory; created if missing, its real path into buf.
 * 0, or -1 with a message in err.
 */
int copt_ckptdir(const struct copt_common *c, char *buf, size_t cap,
		 char *err, size_t errcap);
/* --tmpdir given: into DMTCP_TMPDIR, which everything reads.  0 or -1. */
int copt_apply_tmpdir(const struct copt_common *c, char *err,
		      size_t errcap);

/* "PROG (PACKAGE) VERSION" on stdout. */
void copt_print_version(const char *prog);
/*
 * End of a command's parsing, in main(): rc < 0 is a usage error,
 * "PROG: ERR" then the usage on stderr (only the usage, on stdout, when
 * err is "": nothing to do); --help prints the usage, --version the
 * version.  Returns the exit status to end with (0, or usage_status),
 * or -1 when the command goes on.
 */
int copt_report(const char *prog, void (*usage)(FILE *), int rc,
		const char *err, const struct copt_common *c,
		int usage_status);

#endif /* DMTCP_COMMON_OPTS_H */
