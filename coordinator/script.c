/*
 * script.c - writes dmtcp_restart_script_<comp>.sh in the checkpoint
 * directory once every image of a checkpoint is written, and points the
 * relative symlink dmtcp_restart_script.sh at it.  Both are replaced
 * atomically (write a temporary file, rename over), so a crash leaves
 * either the old script or the new one.
 */
#include "config.h"
#include "coord.h"
#include "log.h"
#include "util.h"
#include "safefile.h"

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

static void co_script_text(struct co_buf *b)
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
		      when, ESC(co.comp_id), co.generation, co.nimages,
		      co.nimages == 1 ? "" : "es");
	/* the id came from a client (a restarted process): a quoted word */
	co_buf_printf(b, "comp_id=");
	co_shell_quote(b, ESC(co.comp_id));
	co_buf_printf(b, "\ncoord_host=");
	co_shell_quote(b, co.host);
	co_buf_printf(b, "\ncoord_port=%d\ndmtcp_restart=", co.port);
	co_shell_quote(b, co.restart_bin);
	co_buf_printf(b, "\nimages=(\n");
	for (size_t i = 0; i < co.nimages; i++) {
		co_buf_printf(b, "\t");
		co_shell_quote(b, co.images[i].path);
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

/* Write text to dir/name atomically with the given mode.  0 or -1. */
static int co_write_atomic(const char *dir, const char *name,
			   const char *text, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd;

	if (co_path(path, sizeof(path), "%s/%s", dir, name) < 0) {
		co_event(1, "restart script path in %s is too long", dir);
		return -1;
	}
	/* exclusively, under a name nobody can guess (doc/security.md) */
	fd = safe_create_tmp(path, tmp, sizeof(tmp), mode);
	if (fd < 0) {
		co_event(1, "cannot create a new restart script in %s: %s",
			 dir, strerror(errno));
		return -1;
	}
	if (util_write_all(fd, text, len) < 0 || fchmod(fd, mode) < 0 ||
	    fsync(fd) < 0) {
		co_event(1, "cannot write restart script %s: %s", tmp,
			 strerror(errno));
		goto fail_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		co_event(1, "cannot write restart script %s: %s", tmp,
			 strerror(errno));
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		co_event(1, "cannot rename %s to %s: %s", tmp, path,
			 strerror(errno));
		goto fail_unlink;
	}
	return 0;
fail_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int co_write_restart_script(char *path_out, size_t cap)
{
	struct co_buf b = { 0 };
	char comp[64], name[128], link[PATH_MAX], tmp[PATH_MAX];
	int rc = -1;

	co_sanitize_name(comp, sizeof(comp), co.comp_id[0] ? co.comp_id :
			 "unknown");
	snprintf(name, sizeof(name), "dmtcp_restart_script_%s.sh", comp);
	co_script_text(&b);
	if (!b.s || co_write_atomic(co.ckpt_dir, name, b.s, b.len, 0700) < 0)
		goto out;

	/* relative symlink, replaced atomically; symlink() never follows
	 * or reuses an existing name */
	if (co_path(link, sizeof(link), "%s/dmtcp_restart_script.sh",
		    co.ckpt_dir) < 0) {
		co_event(1, "restart script path in %s is too long",
			 co.ckpt_dir);
		goto out;
	}
	if (safe_tmp_name(link, tmp, sizeof(tmp)) < 0 ||
	    symlink(name, tmp) < 0 || rename(tmp, link) < 0) {
		co_event(1, "cannot update symlink %s: %s", link,
			 strerror(errno));
		unlink(tmp);
		goto out;
	}
	snprintf(path_out, cap, "%s/%s", co.ckpt_dir, name);
	rc = 0;
out:
	co_buf_free(&b);
	return rc;
}
