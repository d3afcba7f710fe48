/*
 * launch.c - dmtcp_launch: check the program, make sure a coordinator
 * is there, set up the environment the checkpoint library reads
 * (LD_PRELOAD, DMTCP_COORD_*, DMTCP_CHECKPOINT_DIR, ...) and exec the
 * program.
 */
#include "config.h"
#include "coord-client.h"
#include "coord-start.h"
#include "dmtcp/protocol.h"
#include "common-opts.h"
#include "launch-opts.h"
#include "sizearg.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LAUNCH_EXIT_FAIL 1

static int launch_setenv(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0) {
		fprintf(stderr, "dmtcp_launch: cannot set %s: %s\n", name,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int launch_setenv_int(const char *name, long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", value);
	return launch_setenv(name, buf);
}

/*
 * Five digits, zero padded: a restarted process rewrites the value in
 * place when it joins another coordinator, so the children it starts
 * later find that one (atoi("07779") == 7779).
 */
static int launch_setenv_port(int port)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%05d", port);
	return launch_setenv("DMTCP_COORD_PORT", buf);
}

/* Absolute path of libdmtcp.so (build tree or installed).  0 or -1. */
static int launch_find_library(char *buf, size_t cap)
{
	char found[PATH_MAX], exe[PATH_MAX] = "?";

	if (util_find_file(found, sizeof(found), "../lib/libdmtcp.so",
			   "../lib/dmtcp/libdmtcp.so",
			   DMTCP_LIBDIR "/libdmtcp.so") < 0 ||
	    !realpath(found, buf)) {
		util_exe_dir(exe, sizeof(exe));
		fprintf(stderr, "dmtcp_launch: cannot find the checkpoint "
			"library libdmtcp.so (looked in %s/../lib, "
			"%s/../lib/dmtcp and %s); build it with make or "
			"install the toolkit\n", exe, exe, DMTCP_LIBDIR);
		return -1;
	}
	(void)cap;
	return 0;
}

/*
 * LD_PRELOAD = plugins (in --with-plugin order, so their wrappers come
 * first and call each other in that order), lib, then whatever was
 * preloaded already.  plugins: ":"-separated absolute paths or "".
 */
static int launch_set_preload(const char *plugins, const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	int rc;

	if (old && *old && strstr(old, lib))
		return 0;	/* nested launch: already there */
	if (asprintf(&val, "%s%s%s%s%s", plugins, *plugins ? ":" : "", lib,
		     old && *old ? ":" : "", old && *old ? old : "") < 0)
		return -1;
	rc = launch_setenv("LD_PRELOAD", val);
	free(val);
	if (rc == 0 && *plugins)
		rc = launch_setenv("DMTCP_PLUGINS", plugins);
	return rc;
}

/* The --with-plugin lists, checked, as one ":"-separated string. */
static int launch_plugins(const struct launch_opts *o, char *out, size_t cap)
{
	char err[PATH_MAX + 200], path[PATH_MAX];

	out[0] = 0;
	for (int i = 0; i < o->nplugins; i++) {
		char *list = strdup(o->plugins[i]), *save = NULL;

		if (!list)
			return -1;
		for (char *t = strtok_r(list, ":", &save); t;
		     t = strtok_r(NULL, ":", &save)) {
			if (launch_check_plugin(t, path, sizeof(path), err,
						sizeof(err)) < 0) {
				fprintf(stderr, "dmtcp_launch: %s\n", err);
				free(list);
				return -1;
			}
			if (strlen(out) + strlen(path) + 2 > cap) {
				fprintf(stderr, "dmtcp_launch: too many "
					"plugins\n");
				free(list);
				return -1;
			}
			if (out[0])
				strcat(out, ":");
			strcat(out, path);
		}
		free(list);
	}
	return 0;
}

/* The secret of the coordinator at port: its file first (it may be a
 * new coordinator), else an inherited DMTCP_COORD_SECRET. */
static int launch_secret(int port, char *buf, size_t cap)
{
	char *inherited = getenv("DMTCP_COORD_SECRET");
	char *saved = inherited ? strdup(inherited) : NULL;

	unsetenv("DMTCP_COORD_SECRET");
	coord_get_secret(port, buf, cap);
	if (!buf[0] && saved)
		util_strlcpy(buf, saved, cap);
	free(saved);
	return buf[0] ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct launch_opts o;
	char err[1024], prog[PATH_MAX], lib[PATH_MAX], ckptdir[PATH_MAX];
	char secret[DMTCP_SECRET_LEN * 2 + 2], abs_opt_ckptdir[PATH_MAX];
	char plugins[8192];
	const char *host, *env;
	int port, gzip, sig, rc;
	uint64_t ghost;

	rc = launch_opts_parse(argc, argv, &o, err, sizeof(err));
	rc = copt_report("dmtcp_launch", launch_usage, rc, err, &o.c,
			 LAUNCH_EXIT_FAIL);
	if (rc >= 0)
		return rc;
	env = getenv("DMTCP_GHOST_LIMIT");
	if (!o.ghost_limit && env && *env && sizearg_parse(env, &ghost) < 0) {
		fprintf(stderr, "dmtcp_launch: DMTCP_GHOST_LIMIT='%s' is not a "
			"size (such as 65536, 64M, 2G, or unlimited)\n", env);
		return LAUNCH_EXIT_FAIL;
	}
	env = getenv("DMTCP_GHOST_OVER_LIMIT");
	if (!o.ghost_over && env && *env && strcmp(env, "fail") != 0 &&
	    strcmp(env, "drop") != 0) {
		fprintf(stderr, "dmtcp_launch: DMTCP_GHOST_OVER_LIMIT='%s': "
			"expected fail or drop\n", env);
		return LAUNCH_EXIT_FAIL;
	}
	if (launch_resolve(argv[o.prog_index], prog, sizeof(prog), err,
			   sizeof(err)) < 0 ||
	    launch_check_preloadable(argv[o.prog_index], prog, err,
				     sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_launch: %s\n", err);
		return LAUNCH_EXIT_FAIL;
	}
	if (launch_find_library(lib, sizeof(lib)) < 0)
		return LAUNCH_EXIT_FAIL;
	if (launch_plugins(&o, plugins, sizeof(plugins)) < 0)
		return LAUNCH_EXIT_FAIL;

	env = getenv("DMTCP_GZIP");
	/* a timeline's snapshots are raw by default: going back to one
	   (dmtcp goto) maps it instead of inflating it (bench/goto-bench) */
	gzip = o.gzip >= 0 ? o.gzip : (env && *env) ? atoi(env) != 0 :
	       !o.timeline;
	env = getenv("DMTCP_SIGCKPT");
	sig = o.ckpt_signal > 0 ? o.ckpt_signal :
		(env && atoi(env) > 0) ? atoi(env) : 12;
	host = copt_coord_host(&o.c, NULL);
	port = copt_coord_port(&o.c, 0, err, sizeof(err));
	if (port < 0 || copt_apply_tmpdir(&o.c, err, sizeof(err)) < 0 ||
	    copt_ckptdir(&o.c, ckptdir, sizeof(ckptdir), err,
			 sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_launch: %s\n", err);
		return LAUNCH_EXIT_FAIL;
	}
	/* a directory the user chose wins over the coordinator's */
	if ((o.c.ckptdir && *o.c.ckptdir) ||
	    (getenv("DMTCP_CHECKPOINT_DIR") && *getenv("DMTCP_CHECKPOINT_DIR")))
		if (launch_setenv("DMTCP_CKPTDIR_EXPLICIT", "1") < 0)
			return LAUNCH_EXIT_FAIL;
	if (o.c.ckptdir)
		util_strlcpy(abs_opt_ckptdir, ckptdir, sizeof(abs_opt_ckptdir));

	if (coord_ensure(host, &port, o.c.mode, (int)o.c.interval,
			 o.c.ckptdir ? abs_opt_ckptdir : NULL, err,
			 sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_launch: %s\n", err);
		return LAUNCH_EXIT_FAIL;
	}
	if (launch_secret(port, secret, sizeof(secret)) < 0) {
		char path[600] = "";

		coord_secret_path(port, path, sizeof(path));
		fprintf(stderr, "dmtcp_launch: no secret for the coordinator at "
			"%s:%d: copy the contents of %s from the coordinator's "
			"host into DMTCP_COORD_SECRET\n", host, port, path);
		return LAUNCH_EXIT_FAIL;
	}

	if (launch_set_preload(plugins, lib) < 0 ||
	    launch_setenv("DMTCP_COORD_HOST", host) < 0 ||
	    launch_setenv_port(port) < 0 ||
	    launch_setenv("DMTCP_COORD_SECRET", secret) < 0 ||
	    launch_setenv("DMTCP_CHECKPOINT_DIR", ckptdir) < 0 ||
	    launch_setenv_int("DMTCP_GZIP", gzip) < 0 ||
	    launch_setenv_int("DMTCP_SIGCKPT", sig) < 0)
		return LAUNCH_EXIT_FAIL;
	if (o.ckpt_on_crash &&
	    launch_setenv("DMTCP_CKPT_ON_CRASH", "1") < 0)
		return LAUNCH_EXIT_FAIL;
	if (o.skip_file_pages &&
	    launch_setenv("DMTCP_SKIP_FILE_PAGES", "1") < 0)
		return LAUNCH_EXIT_FAIL;
	if ((o.forked >= 0 &&
	     launch_setenv("DMTCP_FORKED_CHECKPOINT", o.forked ? "1" : "0") < 0) ||
	    (o.incremental >= 0 &&
	     launch_setenv("DMTCP_INCREMENTAL", o.incremental ? "1" : "0") < 0) ||
	    (o.full_every > 0 &&
	     launch_setenv_int("DMTCP_FULL_EVERY", o.full_every) < 0))
		return LAUNCH_EXIT_FAIL;
	/* --timeline, --interval-ms: the library asks the coordinator */
	if ((o.timeline && (launch_setenv("DMTCP_TIMELINE", "1") < 0 ||
			    launch_setenv_int("DMTCP_TIMELINE_KEEP",
					      o.keep) < 0)) ||
	    (o.interval_ms &&
	     launch_setenv_int("DMTCP_INTERVAL_MS", o.interval_ms) < 0))
		return LAUNCH_EXIT_FAIL;
	if (!getenv("DMTCP_START_USEC") || !*getenv("DMTCP_START_USEC")) {
		struct timespec ts;
		char us[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(us, sizeof(us), "%llu",
			 (unsigned long long)ts.tv_sec * 1000000ull +
			 (unsigned long long)ts.tv_nsec / 1000);
		if (launch_setenv("DMTCP_START_USEC", us) < 0)
			return LAUNCH_EXIT_FAIL;
	}
	/* deleted and open files (doc/files.md) */
	if ((o.ghost_limit &&
	     launch_setenv("DMTCP_GHOST_LIMIT", o.ghost_limit) < 0) ||
	    (o.ghost_over &&
	     launch_setenv("DMTCP_GHOST_OVER_LIMIT", o.ghost_over) < 0) ||
	    (o.ckpt_open_files &&
	     launch_setenv("DMTCP_CKPT_OPEN_FILES", "1") < 0))
		return LAUNCH_EXIT_FAIL;

	execv(prog, &argv[o.prog_index]);
	if (errno == ENOEXEC) {
		/* no "#!": run it with /bin/sh, as execvp would */
		char **sh_argv = calloc(argc - o.prog_index + 2,
					sizeof(*sh_argv));

		if (sh_argv) {
			sh_argv[0] = "/bin/sh";
			sh_argv[1] = prog;
			for (int i = o.prog_index + 1; i < argc; i++)
				sh_argv[i - o.prog_index + 1] = argv[i];
			execv("/bin/sh", sh_argv);
		}
	}
	fprintf(stderr, "dmtcp_launch: cannot run %s: %s\n", prog,
		strerror(errno));
	return LAUNCH_EXIT_FAIL;
}
