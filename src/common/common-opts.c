/*
 * common-opts.c - the options the commands share, their environment
 * variables and defaults, and the one usage-error report; see
 * common-opts.h.
 */
#include "config.h"
#include "common-opts.h"
#include "coord-start.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Keys of the common long-only options (the commands' own are lower). */
enum {
	COPT_KEY_NEW = 0x1000,
	COPT_KEY_JOIN,
	COPT_KEY_CKPTDIR,
	COPT_KEY_TMPDIR,
	COPT_KEY_HELP,
	COPT_KEY_VERSION,
};

#define COPT_ALL (~0u)

/* The common options: which COPT_* bit brings each in. */
static const struct copt_def {
	unsigned set;
	struct option opt;
} copt_table[] = {
	{ COPT_HOST, { "coord-host", required_argument, NULL, 'h' } },
	{ COPT_PORT, { "coord-port", required_argument, NULL, 'p' } },
	{ COPT_PORT, { "port", required_argument, NULL, 'p' } },
	{ COPT_MODE, { "new-coordinator", no_argument, NULL, COPT_KEY_NEW } },
	{ COPT_MODE, { "join-coordinator", no_argument, NULL, COPT_KEY_JOIN } },
	{ COPT_MODE, { "join", no_argument, NULL, COPT_KEY_JOIN } },
	{ COPT_JOIN_J, { "", no_argument, NULL, 'j' } },	/* short only */
	{ COPT_INTERVAL, { "interval", required_argument, NULL, 'i' } },
	{ COPT_CKPTDIR, { "ckptdir", required_argument, NULL,
			  COPT_KEY_CKPTDIR } },
	{ COPT_TMPDIR, { "tmpdir", required_argument, NULL, COPT_KEY_TMPDIR } },
	{ COPT_ALL, { "help", no_argument, NULL, COPT_KEY_HELP } },
	{ COPT_ALL, { "version", no_argument, NULL, COPT_KEY_VERSION } },
};

#define COPT_NDEFS (sizeof(copt_table) / sizeof(copt_table[0]))

static int copt_takes(const struct copt_spec *spec, const struct copt_def *d)
{
	return d->set == COPT_ALL || (d->set & spec->common);
}

static void copt_vformat(char *err, size_t cap, const char *fmt, va_list ap)
{
	if (cap)
		vsnprintf(err, cap, fmt, ap);
}

int copt_error(struct copt_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	copt_vformat(p->err, p->errcap, fmt, ap);
	va_end(ap);
	return -1;
}

static int copt_errf(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int copt_errf(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	copt_vformat(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

void copt_begin(struct copt_parser *p, const struct copt_spec *spec,
		int argc, char **argv, struct copt_common *c, char *err,
		size_t errcap)
{
	size_t nl = 0;

	memset(p, 0, sizeof(*p));
	p->spec = spec;
	p->argc = argc;
	p->argv = argv;
	p->c = c;
	p->err = err;
	p->errcap = errcap;
	memset(c, 0, sizeof(*c));
	c->port = -1;
	c->interval = -1;
	c->mode = COORD_AUTO;
	if (errcap)
		err[0] = 0;
	/* '+': stop at the first operand; ':': report a missing argument */
	snprintf(p->shortopts, sizeof(p->shortopts), "%s:%s",
		 spec->stop_at_operand ? "+" : "",
		 spec->own_short ? spec->own_short : "");
	for (size_t i = 0; i < COPT_NDEFS; i++) {
		const struct option *o = &copt_table[i].opt;
		size_t len = strlen(p->shortopts);

		if (!copt_takes(spec, &copt_table[i]))
			continue;
		if (o->val < COPT_OWN_KEY && !strchr(p->shortopts, o->val) &&
		    len + 3 < sizeof(p->shortopts)) {
			p->shortopts[len] = (char)o->val;
			strcpy(p->shortopts + len + 1,
			       o->has_arg ? ":" : "");
		}
		if (*o->name && nl < COPT_MAX_LONG - 1)
			p->longopts[nl++] = *o;
	}
	for (const struct option *o = spec->own_long; o && o->name; o++)
		if (nl < COPT_MAX_LONG - 1)
			p->longopts[nl++] = *o;
	optind = 0;
	opterr = 0;
}

/* The common option of key c this command takes, or NULL. */
static const struct copt_def *copt_find(const struct copt_parser *p, int c)
{
	for (size_t i = 0; i < COPT_NDEFS; i++)
		if (copt_table[i].opt.val == c &&
		    copt_takes(p->spec, &copt_table[i]))
			return &copt_table[i];
	return NULL;
}

long copt_count(const char *what, const char *s, long max, char *err,
		size_t errcap)
{
	long v = util_parse_ulong(s);

	if (v < 0 || v > max)
		return copt_errf(err, errcap, "invalid %s '%s' (expected "
				 "0..%ld)", what, s, max);
	return v;
}

long copt_count_arg(struct copt_parser *p, const char *what, long max)
{
	return copt_count(what, optarg, max, p->err, p->errcap);
}

long copt_count_env(long opt, const char *env, long max, long def,
		    char *err, size_t errcap)
{
	const char *s = getenv(env);

	if (opt >= 0)
		return opt;
	return s && *s ? copt_count(env, s, max, err, errcap) : def;
}

static int copt_set(struct copt_parser *p, int key)
{
	struct copt_common *c = p->c;

	switch (key) {
	case 'h':
		c->host = optarg;
		break;
	case 'p':
		c->port = util_parse_port(optarg);
		if (c->port < 0)
			return copt_error(p, "invalid port '%s' (expected "
					  "0..65535)", optarg);
		break;
	case 'i':
		c->interval = copt_count_arg(p, "interval",
					     COPT_MAX_INTERVAL);
		if (c->interval < 0)
			return -1;
		break;
	case 'j':
	case COPT_KEY_JOIN:
		p->modes |= 1u << COORD_JOIN;
		break;
	case COPT_KEY_NEW:
		p->modes |= 1u << COORD_NEW;
		break;
	case COPT_KEY_CKPTDIR:
		c->ckptdir = optarg;
		break;
	case COPT_KEY_TMPDIR:
		c->tmpdir = optarg;
		break;
	case COPT_KEY_HELP:
		c->help = 1;
		break;
	case COPT_KEY_VERSION:
		c->version = 1;
		break;
	}
	return 0;
}

/* After the last option: the coordinator mode, checked. */
static int copt_end(struct copt_parser *p)
{
	struct copt_common *c = p->c;

	if (p->modes == (1u << COORD_NEW | 1u << COORD_JOIN))
		return copt_error(p, "--new-coordinator and "
				  "--join-coordinator exclude each other");
	c->mode = p->modes == 1u << COORD_NEW ? COORD_NEW :
		p->modes == 1u << COORD_JOIN ? COORD_JOIN : COORD_AUTO;
	if (c->port == 0 && c->mode == COORD_JOIN)
		return copt_error(p, "port 0 means \"any free port\": it "
				  "needs --new-coordinator, not "
				  "--join-coordinator");
	return 0;
}

/* The option getopt stopped at, as it was written. */
static const char *copt_culprit(const struct copt_parser *p, char *buf,
				size_t cap)
{
	const char *arg = optind > 0 && optind <= p->argc ?
		p->argv[optind - 1] : "";

	if (!strncmp(arg, "--", 2) || !optopt)
		return arg;
	snprintf(buf, cap, "-%c", optopt);
	return buf;
}

int copt_next(struct copt_parser *p)
{
	char name[8];
	int c;

	while ((c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts,
				NULL)) != -1) {
		if (c == ':')
			return copt_error(p, "option %s needs an argument",
					  copt_culprit(p, name, sizeof(name)));
		if (c == '?')
			return copt_error(p, "unknown option '%s'",
					  copt_culprit(p, name, sizeof(name)));
		if (!copt_find(p, c))
			return c;	/* the command's own */
		if (copt_set(p, c) < 0)
			return -1;
	}
	return copt_end(p);
}

const char *copt_coord_host(const struct copt_common *c,
			    const char *fallback)
{
	const char *env = getenv("DMTCP_COORD_HOST");

	if (c->host && *c->host)
		return c->host;
	if (env && *env)
		return env;
	if (fallback && *fallback)
		return fallback;
	return util_coord_host(NULL);	/* DMTCP_HOST, localhost */
}

int copt_coord_port(const struct copt_common *c, int fallback, char *err,
		    size_t errcap)
{
	const char *env = getenv("DMTCP_COORD_PORT");
	int port;

	if (c->port >= 0)
		return c->port;
	if (env && *env) {
		port = util_parse_port(env);
		if (port < 0)
			return copt_errf(err, errcap, "invalid DMTCP_COORD_PORT "
					 "'%s' (expected 0..65535)", env);
		return port;
	}
	if (fallback > 0)
		return fallback;
	port = util_coord_port(-1);	/* DMTCP_PORT, 7779 */
	if (port < 0)
		return copt_errf(err, errcap, "invalid DMTCP_PORT '%s' "
				 "(expected 0..65535)", getenv("DMTCP_PORT"));
	return port;
}

int copt_ckptdir(const struct copt_common *c, char *buf, size_t cap,
		 char *err, size_t errcap)
{
	const char *dir = c->ckptdir;
	char abs[PATH_MAX], real[PATH_MAX];

	if (!dir || !*dir)
		dir = getenv("DMTCP_CHECKPOINT_DIR");
	if (!dir || !*dir)
		dir = ".";
	if (util_abspath(dir, abs, sizeof(abs)) < 0)
		return copt_errf(err, errcap, "checkpoint directory %s: %s",
				 dir, strerror(errno));
	if (mkdir(abs, 0755) < 0 && errno != EEXIST)
		return copt_errf(err, errcap, "cannot create checkpoint "
				 "directory %s: %s", abs, strerror(errno));
	if (!realpath(abs, real))
		return copt_errf(err, errcap, "checkpoint directory %s: %s",
				 abs, strerror(errno));
	if (util_strlcpy(buf, real, cap) < 0)
		return copt_errf(err, errcap, "checkpoint directory %s: %s",
				 real, strerror(ENAMETOOLONG));
	return 0;
}

int copt_apply_tmpdir(const struct copt_common *c, char *err,
		      size_t errcap)
{
	if (c->tmpdir && setenv("DMTCP_TMPDIR", c->tmpdir, 1) < 0)
		return copt_errf(err, errcap, "cannot set DMTCP_TMPDIR: %s",
				 strerror(errno));
	return 0;
}

void copt_print_version(const char *prog)
{
	printf("%s (%s) %s\n", prog, PACKAGE_NAME, PACKAGE_VERSION);
}

int copt_report(const char *prog, void (*usage)(FILE *), int rc,
		const char *err, const struct copt_common *c,
		int usage_status)
{
	if (rc < 0) {
		if (err[0]) {
			fprintf(stderr, "%s: %s\n", prog, err);
			usage(stderr);
		} else {
			usage(stdout);
		}
		return usage_status;
	}
	if (c->help) {
		usage(stdout);
		return 0;
	}
	if (c->version) {
		copt_print_version(prog);
		return 0;
	}
	return -1;
}
