/*
 * script.c - writes dmtcp_restart_script_<comp>.sh in the checkpoint
 * directory once every image of a checkpoint is written and synced, and
 * points the relative symlink dmtcp_restart_script.sh at it.  Both are
 * replaced atomically (write a temporary file, rename over), so a crash
 * leaves either the old script or the new one; the rename of the script
 * is the commit point of the checkpoint (doc/design.md, "Checkpoint as
 * a transaction").
 *
 * The new script is written and synced ahead by a helper thread, as
 * soon as every process has announced the image it writes
 * (co_script_prepare, while the images are being written), so the
 * commit itself is a rename and a sync of the directory; a set of images that differs from the one announced
 * (a process joined or left meanwhile) is written anew at the commit.
 */
#include "config.h"
#include "coord.h"
#include "log.h"
#include "util.h"
#include "safefile.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void co_sanitize_name(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < cap; i++) {
		char ch = src[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		      ch == '.'))
			ch = '_';
		dst[i] = ch;
	}
	dst[i] = 0;
}

/* snprintf into a path buffer; -1 if it did not fit. */
static int __attribute__((format(printf, 3, 4)))
co_path(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/*
 * Append s to b as one shell word, on one line: single-quoted, or, when
 * s holds a byte outside printable ASCII (a newline in an image name),
 * as bash's $'...' with the bytes escaped (escape.h's \n, \xNN, \\ are
 * also $'...' escapes), so the script stays one line per word and
 * ASCII, and still names the same bytes.
 */
static void co_shell_quote(struct co_buf *b, const char *s)
{
	if (!esc_needed(s)) {
		co_buf_printf(b, "'");
		for (; *s; s++) {
			if (*s == '\'')
				co_buf_printf(b, "'\\''");
			else
				co_buf_printf(b, "%c", *s);
		}
		co_buf_printf(b, "'");
		return;
	}
	co_buf_printf(b, "$'");
	for (const char *p = s; *p; p++) {
		char one[2] = { *p, 0 };

		if (*p == '\'')
			co_buf_printf(b, "\\'");
		else
			co_buf_esc(b, one);
	}
	co_buf_printf(b, "'");
}

/* dmtcp_restart next to this coordinator, else whatever PATH finds. */
static void co_find_restart(char *buf, size_t cap)
{
	char exe[PATH_MAX];

	if (util_exe_dir(exe, sizeof(exe)) == 0 &&
	    co_path(buf, cap, "%s/dmtcp_restart", exe) == 0 &&
	    access(buf, X_OK) == 0)
		return;
	util_strlcpy(buf, "dmtcp_restart", cap);
}

static void co_script_text(struct co_buf *b, char *const *paths, size_t n)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	co_find_restart(co.restart_bin, sizeof(co.restart_bin));
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	co_buf_printf(b,
"#!/bin/bash\n"
"# Restart script written by dmtcp_coordinator at %s.\n"
"# Computation %s, checkpoint generation %u, %zu process%s.\n"
"# Options: -h/--coord-host HOST, -p/--coord-port PORT (default: the\n"
"# coordinator that took the checkpoint); any other option is passed\n"
"# to dmtcp_restart.\n\n",
		      when, ESC(co.comp_id), co.generation, n,
		      n == 1 ? "" : "es");
	/* the id came from a client (a restarted process): a quoted word */
	co_buf_printf(b, "comp_id=");
	co_shell_quote(b, ESC(co.comp_id));
	/* read back by gens.c: a later generation never reuses names */
	co_buf_printf(b, "\ngeneration=%u", co.generation);
	co_buf_printf(b, "\ncoord_host=");
	co_shell_quote(b, co.host);
	co_buf_printf(b, "\ncoord_port=%d\ndmtcp_restart=", co.port);
	co_shell_quote(b, co.restart_bin);
	co_buf_printf(b, "\nimages=(\n");
	for (size_t i = 0; i < n; i++) {
		co_buf_printf(b, "\t");
		co_shell_quote(b, paths[i]);
		co_buf_printf(b, "\n");
	}
	co_buf_printf(b, ")\n\n");
	co_buf_printf(b,
"usage() {\n"
"\techo \"Usage: $0 [-h|--coord-host HOST] [-p|--coord-port PORT] \\\n"
"[dmtcp_restart options]\"\n"
"\techo \"Restarts computation $comp_id from ${#images[@]} image(s).\"\n"
"\techo \"Default coordinator: $coord_host:$coord_port\"\n"
"}\n\n"
"need_arg() {\n"
"\tif [ $# -lt 2 ]; then\n"
"\t\techo \"$0: option $1 needs an argument\" >&2\n"
"\t\tusage >&2\n"
"\t\texit 1\n"
"\tfi\n"
"}\n\n"
"passthru=()\n"
"while [ $# -gt 0 ]; do\n"
"\tcase \"$1\" in\n"
"\t-h|--coord-host) need_arg \"$@\"; coord_host=$2; shift 2 ;;\n"
"\t--coord-host=*) coord_host=${1#*=}; shift ;;\n"
"\t-p|--coord-port) need_arg \"$@\"; coord_port=$2; shift 2 ;;\n"
"\t--coord-port=*) coord_port=${1#*=}; shift ;;\n"
"\t--help) usage; exit 0 ;;\n"
"\t*) passthru+=(\"$1\"); shift ;;\n"
"\tesac\n"
"done\n\n"
"exec \"$dmtcp_restart\" --coord-host \"$coord_host\" "
"--coord-port \"$coord_port\" \\\n"
"\t\"${passthru[@]}\" \"${images[@]}\"\n");
}

/*
 * Write text to a new file beside dir/name (a temporary name, into
 * tmp), synced, with the given mode.  0, or -1 with the reason in why
 * (nothing left behind).
 */
static int co_write_tmp(const char *dir, const char *name, const char *text,
			size_t len, mode_t mode, char *tmp, size_t tmpcap,
			char *why, size_t whycap)
{
	char path[PATH_MAX];
	int fd;

	if (co_path(path, sizeof(path), "%s/%s", dir, name) < 0) {
		snprintf(why, whycap, "path in %s is too long", ESC(dir));
		return -1;
	}
	/* exclusively, under a name nobody can guess (doc/security.md) */
	fd = safe_create_tmp(path, tmp, tmpcap, mode);
	if (fd < 0) {
		snprintf(why, whycap, "cannot create a new file beside %s: %s",
			 ESC(path), strerror(errno));
		return -1;
	}
	if (util_write_all(fd, text, len) < 0 || fchmod(fd, mode) < 0 ||
	    fsync(fd) < 0 || close(fd) < 0) {
		snprintf(why, whycap, "cannot write %s: %s", ESC(tmp),
			 strerror(errno));
		close(fd);	/* EBADF after a failed close: harmless */
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * Rename the synced temporary tmp over dir/name and sync the directory.
 * 0, or -1 with the reason in why (tmp is removed, the old file is
 * untouched).
 */
static int co_commit_tmp(const char *dir, const char *name, const char *tmp,
			 char *why, size_t whycap)
{
	char path[PATH_MAX];
	int dfd;

	if (co_path(path, sizeof(path), "%s/%s", dir, name) < 0 ||
	    rename(tmp, path) < 0) {
		snprintf(why, whycap, "cannot rename %s to %s/%s: %s",
			 ESC(tmp), ESC(dir), name, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* renamed: the new file is the one from now on, whatever follows */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		co_event(1, "warning: cannot sync directory %s: %s",
			 ESC(dir), strerror(errno));
	if (dfd >= 0)
		close(dfd);
	return 0;
}

/*
 * Temporaries of this computation's script that a coordinator killed
 * while writing it left behind (one coordinator per computation: none
 * of them is being written now).
 */
static void co_remove_stale(const char *dir, const char *name)
{
	char pre[160];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(pre, sizeof(pre), ".%s.tmp.", name);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, pre, strlen(pre)) &&
		    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			pr_debug("removed stale %s/%s", dir, de->d_name);
	closedir(d);
}

/*
 * The script written ahead (co_script_prepare), not renamed yet.  Its
 * write and fsync run in a helper thread: in the event loop, that fsync
 * competed with the images being written (4-105 ms with 32 writers) and
 * held the barriers of the frozen processes meanwhile.  The helper only
 * touches prep.text and prep.fd; the commit joins it.
 */
static struct {
	char tmp[PATH_MAX];	/* "" = none */
	char name[128];
	char **paths;		/* the images it names */
	size_t n;
	struct co_buf text;
	int fd;
	int ok;			/* the helper wrote and synced it */
	pthread_t th;
	int running;
} prep;

static void co_script_name(char *name, size_t cap)
{
	char comp[64];

	co_sanitize_name(comp, sizeof(comp), co.comp_id[0] ? co.comp_id :
			 "unknown");
	snprintf(name, cap, "dmtcp_restart_script_%s.sh", comp);
}

static void *co_prep_main(void *arg)
{
	(void)arg;
	prep.ok = util_write_all(prep.fd, prep.text.s, prep.text.len) == 0 &&
		  fchmod(prep.fd, 0700) == 0 && fsync(prep.fd) == 0;
	if (close(prep.fd) < 0)
		prep.ok = 0;
	return NULL;
}

/* The helper is done; 1 if it wrote and synced the script. */
static int co_prep_join(void)
{
	if (prep.running) {
		pthread_join(prep.th, NULL);
		prep.running = 0;
	}
	return prep.ok;
}

void co_script_unprepare(void)
{
	co_prep_join();
	if (prep.tmp[0])
		unlink(prep.tmp);
	prep.tmp[0] = 0;
	prep.ok = 0;
	co_buf_free(&prep.text);
	for (size_t i = 0; i < prep.n; i++)
		free(prep.paths[i]);
	free(prep.paths);
	prep.paths = NULL;
	prep.n = 0;
}

void co_script_prepare(char *const *paths, size_t n)
{
	char path[PATH_MAX];
	sigset_t all, old;

	co_script_unprepare();
	if (!n || !(prep.paths = calloc(n, sizeof(char *))))
		return;
	for (; prep.n < n; prep.n++)
		if (!(prep.paths[prep.n] = strdup(paths[prep.n]))) {
			co_script_unprepare();
			return;
		}
	co_script_name(prep.name, sizeof(prep.name));
	co_script_text(&prep.text, paths, n);
	/* any failure: the commit writes it, and says why if it fails */
	if (!prep.text.s ||
	    co_path(path, sizeof(path), "%s/%s", co.ckpt_dir, prep.name) < 0 ||
	    (prep.fd = safe_create_tmp(path, prep.tmp, sizeof(prep.tmp),
				       0700)) < 0) {
		prep.tmp[0] = 0;
		co_script_unprepare();
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	prep.running = pthread_create(&prep.th, NULL, co_prep_main,
				      NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!prep.running)
		co_prep_main(NULL);
}

static int co_in(char *const *list, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], path))
			return 1;
	return 0;
}

/* The prepared script names exactly the images of this checkpoint. */
static int co_prepared_fits(const char *name)
{
	if (!prep.tmp[0] || !co_prep_join() || prep.n != co.txn.nimages ||
	    strcmp(prep.name, name) != 0)
		return 0;
	for (size_t i = 0; i < co.txn.nimages; i++)
		if (!co_in(prep.paths, prep.n, co.txn.images[i].path))
			return 0;
	for (size_t i = 0; i < prep.n; i++) {
		int found = 0;

		for (size_t j = 0; j < co.txn.nimages && !found; j++)
			found = !strcmp(prep.paths[i], co.txn.images[j].path);
		if (!found)
			return 0;
	}
	return 1;
}

/*
 * The commit point of a checkpoint is the rename of the computation's
 * script; the symlink dmtcp_restart_script.sh (the last computation
 * checkpointed here) follows, and is only replaced when it names
 * another script (nothing to allocate on a full disk then).
 */
int co_write_restart_script(char *path_out, size_t cap, char *why,
			    size_t whycap)
{
	struct co_buf b = { 0 };
	char name[128], link[PATH_MAX], tmp[PATH_MAX] = "";
	char cur[sizeof(name)];
	char **paths = NULL;
	ssize_t n;
	int rc = -1;

	co_script_name(name, sizeof(name));
	if (co_prepared_fits(name)) {
		/* written and synced while the images were written */
		util_strlcpy(tmp, prep.tmp, sizeof(tmp));
		prep.tmp[0] = 0;
	} else {
		paths = calloc(co.txn.nimages ? co.txn.nimages : 1,
			       sizeof(char *));
		for (size_t i = 0; paths && i < co.txn.nimages; i++)
			paths[i] = co.txn.images[i].path;
		if (paths)
			co_script_text(&b, paths, co.txn.nimages);
		if (!b.s) {
			snprintf(why, whycap,
				 "out of memory for the restart script");
			goto out;
		}
		if (co_write_tmp(co.ckpt_dir, name, b.s, b.len, 0700, tmp,
				 sizeof(tmp), why, whycap) < 0)
			goto out;
	}
	co_script_unprepare();
	if (co_commit_tmp(co.ckpt_dir, name, tmp, why, whycap) < 0)
		goto out;
	tmp[0] = 0;
	snprintf(path_out, cap, "%s/%s", co.ckpt_dir, name);
	rc = 0;		/* committed */
	co_remove_stale(co.ckpt_dir, name);

	/* relative symlink, replaced atomically; symlink() never follows
	 * or reuses an existing name */
	if (co_path(link, sizeof(link), "%s/dmtcp_restart_script.sh",
		    co.ckpt_dir) < 0) {
		co_event(1, "restart script path in %s is too long",
			 ESC(co.ckpt_dir));
		goto out;
	}
	n = readlink(link, cur, sizeof(cur) - 1);
	if (n > 0 && (size_t)n == strlen(name) && !memcmp(cur, name, n))
		goto out;
	if (safe_tmp_name(link, tmp, sizeof(tmp)) < 0 ||
	    symlink(name, tmp) < 0 || rename(tmp, link) < 0) {
		co_event(1, "cannot update symlink %s (the script %s is "
			 "written): %s", ESC(link), name, strerror(errno));
		unlink(tmp);
	}
out:
	co_script_unprepare();
	free(paths);
	co_buf_free(&b);
	return rc;
}
