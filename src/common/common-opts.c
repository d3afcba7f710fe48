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

/* Keys of the common options that need code (the commands' are lower) */
enum {
	COPT_KEY_NEW = 0x1000,
	COPT_KEY_JOIN,
	COPT_VAL_COMMON = 0x2000,	/* + i: stored common option i */
	COPT_VAL_OWN = 0x3000,		/* + i: stored own option i */
};

#define COPT_ALL (~0u)

/* The common options: which COPT_* bit brings each in. */
static const struct copt_def {
	unsigned set;
	struct copt_own o;
} copt_table[] = {
	{ COPT_HOST, COPT_STR("coord-host", 'h', struct copt_common, host) },
	{ COPT_PORT, COPT_KEY("coord-port", 'p', required_argument, 'p') },
	{ COPT_PORT, COPT_KEY("port", 0, required_argument, 'p') },
	{ COPT_MODE, COPT_KEY("new-coordinator", 0, no_argument,
			      COPT_KEY_NEW) },
	{ COPT_MODE, COPT_KEY("join-coordinator", 0, no_argument,
			      COPT_KEY_JOIN) },
	{ COPT_MODE, COPT_KEY("join", 0, no_argument, COPT_KEY_JOIN) },
	{ COPT_JOIN_J, COPT_KEY("", 'j', no_argument, COPT_KEY_JOIN) },
	{ COPT_INTERVAL, COPT_KEY("interval", 'i', required_argument, 'i') },
	{ COPT_CKPTDIR, COPT_STR("ckptdir", 0, struct copt_common, ckptdir) },
	{ COPT_TMPDIR, COPT_STR("tmpdir", 0, struct copt_common, tmpdir) },
	{ COPT_ALL, COPT_FLAG("help", 0, struct copt_common, help) },
	{ COPT_ALL, COPT_FLAG("version", 0, struct copt_common, version) },
};

#define COPT_NDEFS (sizeof(copt_table) / sizeof(copt_table[0]))

static int copt_takes(const struct copt_spec *spec, size_t i)
{
	return copt_table[i].set == COPT_ALL ||
		(copt_table[i].set & spec->common);
}

int copt_errf(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cap)
		vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* getopt's value for option i of a table: its key, its letter, or base+i */
static int copt_val(const struct copt_own *o, int base, size_t i)
{
	return o->key ? o->key : o->letter ? o->letter : base + (int)i;
}

static void copt_add(struct copt_parser *p, size_t *nl,
		     const struct copt_own *o, int val)
{
	size_t len = strlen(p->shortopts);

	if (o->letter && len + 3 < sizeof(p->shortopts)) {
		p->shortopts[len] = (char)o->letter;
		strcpy(p->shortopts + len + 1, o->has_arg ? ":" : "");
	}
	if (*o->name && *nl < COPT_MAX_LONG - 1)
		p->longopts[(*nl)++] = (struct option){ o->name, o->has_arg,
							NULL, val };
}

void copt_begin(struct copt_parser *p, const struct copt_spec *spec,
		int argc, char **argv, struct copt_common *c, void *store,
		char *err, size_t errcap)
{
	size_t nl = 0;

	*p = (struct copt_parser){ .spec = spec, .argc = argc, .argv = argv,
				   .c = c, .store = store, .err = err,
				   .errcap = errcap };
	*c = (struct copt_common){ .port = -1, .interval = -1,
				   .mode = COORD_AUTO };
	if (errcap)
		err[0] = 0;
	/* '+': stop at the first operand; ':': report a missing argument */
	strcpy(p->shortopts, spec->stop_at_operand ? "+:" : ":");
	for (size_t i = 0; i < COPT_NDEFS; i++)
		if (copt_takes(spec, i))
			copt_add(p, &nl, &copt_table[i].o,
				 copt_val(&copt_table[i].o, COPT_VAL_COMMON,
					  i));
	for (size_t i = 0; spec->own && spec->own[i].name; i++)
		copt_add(p, &nl, &spec->own[i],
			 copt_val(&spec->own[i], COPT_VAL_OWN, i));
	optind = 0;
	opterr = 0;
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

/* A common option that needs code. */
static int copt_set(struct copt_parser *p, int key)
{
	struct copt_common *c = p->c;

	switch (key) {
	case 'p':
		c->port = util_parse_port(optarg);
		if (c->port < 0)
			return copt_error(p, "invalid port '%s' (expected "
					  "0..65535)", optarg);
		break;
	case 'i':
		c->interval = copt_count_arg(p, "interval",
					     COPT_MAX_INTERVAL);
		return c->interval < 0 ? -1 : 0;
	case COPT_KEY_JOIN:
		p->modes |= 1u << COORD_JOIN;
		break;
	case COPT_KEY_NEW:
		p->modes |= 1u << COORD_NEW;
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

/* Is option i of a table the one getopt returned as c? */
static int copt_is(const struct copt_own *o, int base, size_t i, int c)
{
	return copt_val(o, base, i) == c || (o->letter && o->letter == c);
}

/* The command's own option c, or else the common one, or NULL. */
static const struct copt_own *copt_lookup(const struct copt_parser *p,
					  int c, int *common)
{
	const struct copt_own *own = p->spec->own;

	*common = 0;
	for (size_t i = 0; own && own[i].name; i++)
		if (copt_is(&own[i], COPT_VAL_OWN, i, c))
			return &own[i];
	*common = 1;
	for (size_t i = 0; i < COPT_NDEFS; i++)
		if (copt_takes(p->spec, i) &&
		    copt_is(&copt_table[i].o, COPT_VAL_COMMON, i, c))
			return &copt_table[i].o;
	return NULL;
}

/* An option without code: a flag or variable set to 1, its argument kept */
static void copt_store(const struct copt_own *o, void *store)
{
	char *field = (char *)store + o->offset;

	if (o->env)
		setenv(o->env, "1", 1);
	else if (o->has_arg)
		*(const char **)field = optarg;
	else
		*(int *)field = 1;
}

int copt_next(struct copt_parser *p)
{
	const struct copt_own *o;
	char name[8];
	int c, common;

	while ((c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts,
				NULL)) != -1) {
		if (c == ':')
			return copt_error(p, "option %s needs an argument",
					  copt_culprit(p, name, sizeof(name)));
		if (c == '?')
			return copt_error(p, "unknown option '%s'",
					  copt_culprit(p, name, sizeof(name)));
		o = copt_lookup(p, c, &common);
		if (!o)
			continue;	/* not in our tables: cannot be */
		if (!o->key)
			copt_store(o, common ? (void *)p->c : p->store);
		else if (!common)
			return c;	/* the command's own, with code */
		else if (copt_set(p, o->key) < 0)
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
