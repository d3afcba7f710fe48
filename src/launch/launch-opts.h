/*
 * launch-opts.h - dmtcp_launch's command line (unit-tested) and the
 * checks that the program can run with the checkpoint library preloaded.
 */
#ifndef DMTCP_LAUNCH_OPTS_H
#define DMTCP_LAUNCH_OPTS_H

#include "common-opts.h"

#include <stddef.h>
#include <stdio.h>

struct launch_opts {
	struct copt_common c;	/* -h, -p, -j, --new-coordinator, -i,
				   --ckptdir, --tmpdir, --help, --version */
	int gzip;		/* -1 = env/default */
	int ckpt_signal;	/* -1 = env/default */
	int ckpt_on_crash;	/* --ckpt-on-crash */
	int skip_file_pages;	/* --skip-file-pages */
	const char *ghost_limit; /* --ghost-limit SIZE (checked) */
	const char *ghost_over;	/* --ghost-over-limit fail|drop */
	int ckpt_open_files;	/* --ckpt-open-files */
	int forked;		/* --forked / --no-forked: -1 = env/default */
	int incremental;	/* --incremental / --no-hbict: -1 = env */
	int full_every;		/* --full-every N: 0 = env/default */
	const char *timeline;	/* --timeline DIR (also c.ckptdir) */
	long interval_ms;	/* --interval-ms N: 0 = none */
	long keep;		/* --keep K (timeline): 0 = all */
#define LAUNCH_MAX_PLUGIN_OPTS 16
	const char *plugins[LAUNCH_MAX_PLUGIN_OPTS]; /* --with-plugin lists */
	int nplugins;
	int prog_index;		/* argv index of PROGRAM */
};

/*
 * 0 (PROGRAM at argv[prog_index], or --help/--version given: o->c), or
 * -1 with a message in err (err "" = no program: print usage).
 */
int launch_opts_parse(int argc, char **argv, struct launch_opts *o,
		      char *err, size_t errcap);
void launch_usage(FILE *f);

/*
 * Find prog like execvp does (PATH search when it has no '/') and check
 * that it is an executable regular file.  0 with the path in buf, or -1
 * with a message in err.
 */
int launch_resolve(const char *prog, char *buf, size_t cap, char *err,
		   size_t errcap);
/*
 * Check that the library can be preloaded into path: dynamically linked
 * 64-bit ELF (following "#!" interpreters), not setuid/setgid to another
 * user.  0, or -1 with a message in err naming prog.
 */
int launch_check_preloadable(const char *prog, const char *path, char *err,
			     size_t errcap);

/*
 * Check one plugin given to --with-plugin and make its path absolute:
 * an existing, readable 64-bit x86-64 ELF shared object.  0 with the
 * path in buf, or -1 with a message in err naming it.
 */
int launch_check_plugin(const char *name, char *buf, size_t cap, char *err,
			size_t errcap);

#endif /* DMTCP_LAUNCH_OPTS_H */
