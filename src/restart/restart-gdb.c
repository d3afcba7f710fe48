/*
 * restart-gdb.c - dmtcp_restart --gdb: once the restored process has
 * stopped itself (every thread parked in the checkpoint signal handler,
 * one frame above where it was interrupted), run gdb attached to it.
 * gdb finds the executable through /proc/PID/exe and every library
 * through the restored dynamic linker's link map, so symbols load at
 * the right addresses with no add-symbol-file.  The threads run on when
 * gdb continues the process, or when gdb exits.
 */
#include "config.h"
#include "restart.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* NULL when the state directory is refused (util_state_dir says why);
   one path per restored process (a static buffer: use it at once) */
const char *rst_gdb_done_path(pid_t pid)
{
	static char dir[512], path[1024];
	static pid_t self;

	/* not $TMPDIR: other users could plant the file there */
	if (!dir[0] && util_state_dir(dir, sizeof(dir)) < 0) {
		dir[0] = 0;
		return NULL;
	}
	if (!self)
		self = getpid();	/* dmtcp_restart's, also in children */
	snprintf(path, sizeof(path), "%s/gdb-done.%d.%d", dir, (int)self,
		 (int)pid);
	return path;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

/* Wait until the restored process parks for a debugger.  0 or -1. */
int rst_wait_ready(pid_t init, pid_t pid)
{
	static pid_t seen[256];	/* ready already (the file is gone) */
	static int nseen;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char ready[1100];
	int status;

	for (int i = 0; i < nseen; i++)
		if (seen[i] == pid)
			return 0;
	snprintf(ready, sizeof(ready), "%s.ready", rst_gdb_done_path(pid));
	for (int i = 0; i < 1500; i++) {	/* 30 s */
		if (access(ready, F_OK) == 0 && proc_state(pid)) {
			unlink(ready);
			if (nseen < (int)(sizeof(seen) / sizeof(seen[0])))
				seen[nseen++] = pid;
			return 0;
		}
		if (waitpid(init, &status, WNOHANG) == init) {
			fprintf(stderr, "dmtcp_restart: the restart failed "
				"before a debugger could attach\n");
			exit(WIFEXITED(status) && WEXITSTATUS(status) ?
			     WEXITSTATUS(status) : 1);
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "dmtcp_restart: the restarted process did not get "
		"ready for a debugger within 30 s\n");
	return -1;
}

/*
 * The host pid of the process that is `pid` in init's namespace: scan the
 * host's /proc for a process in that pid namespace whose NSpid ends with
 * pid.
 */
long rst_host_pid_of(int hostproc, pid_t init, pid_t pid)
{
	char path[300], ns[64], want_ns[64], buf[2048];
	long found = 0;
	ssize_t n;
	DIR *d;
	struct dirent *e;
	int dfd;

	snprintf(path, sizeof(path), "%d/ns/pid", (int)init);
	n = readlinkat(hostproc, path, want_ns, sizeof(want_ns) - 1);
	if (n <= 0)
		return 0;
	want_ns[n] = 0;
	dfd = dup(hostproc);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d)
		return 0;
	rewinddir(d);
	while (!found && (e = readdir(d))) {
		char *p, *last;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/ns/pid", e->d_name);
		n = readlinkat(hostproc, path, ns, sizeof(ns) - 1);
		if (n <= 0)
			continue;
		ns[n] = 0;
		if (strcmp(ns, want_ns) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/status", e->d_name);
		if (util_read_small(hostproc, path, buf, sizeof(buf)) <= 0)
			continue;
		p = strstr(buf, "NSpid:");
		if (!p)
			continue;
		p += 6;
		last = p;
		while (*p && *p != '\n') {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != '\n')
				last = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
		}
		if (atol(last) == pid)
			found = atol(e->d_name);
	}
	closedir(d);
	return found;
}

int rst_wait_for_debugger(pid_t init, pid_t pid, long hostpid, int hostproc,
			  const char *pidfile)
{
	if (rst_wait_ready(init, pid) < 0)
		return -1;
	if (hostpid <= 0)	/* not known yet (rst_write_pids_file) */
		hostpid = rst_host_pid_of(hostproc, init, pid);
	if (hostpid <= 0) {
		fprintf(stderr, "dmtcp_restart: cannot find the host pid of "
			"process %d\n", (int)pid);
		return -1;
	}
	fprintf(stderr, "dmtcp_restart: process %d (host pid %ld) is "
		"restored and parked where the checkpoint interrupted it; "
		"attach a debugger to pid %ld and continue (as a normal "
		"user, give gdb -iex 'set sysroot /': it cannot enter the "
		"restart's mount namespace)\n", (int)pid, hostpid, hostpid);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%ld\n", hostpid) < 0 || fclose(f) != 0) {
			fprintf(stderr, "dmtcp_restart: cannot write %s: %s\n",
				pidfile, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* gdb/dmtcp-gdb.py: installed, or in the source tree of this build. */
static int find_helpers(char *buf, size_t cap)
{
	if (util_find_file(buf, cap, "../share/dmtcp/gdb/dmtcp-gdb.py", NULL,
			   DMTCP_DATADIR "/dmtcp/gdb/dmtcp-gdb.py") == 0)
		return 0;
	snprintf(buf, cap, "%s/gdb/dmtcp-gdb.py", DMTCP_ABS_SRCDIR);
	return access(buf, R_OK);
}

/* true when gdb init file PATH (under $HOME when home) mentions dir */
static int gdbinit_mentions(const char *home, const char *path,
			    const char *dir)
{
	char file[PATH_MAX], buf[65536];

	snprintf(file, sizeof(file), "%s%s", home ? home : "", path);
	if (util_read_small(AT_FDCWD, file, buf, sizeof(buf)) <= 0)
		return 0;
	return strstr(buf, dir) != NULL;
}

/* our directory, read at startup: /proc is the restart's own by --gdb */
static char exe_dir[PATH_MAX];

__attribute__((constructor)) static void remember_exe_dir(void)
{
	if (util_exe_dir(exe_dir, sizeof(exe_dir)) < 0)
		exe_dir[0] = 0;
}

/*
 * In a build tree, lib/libdmtcp.so-gdb.py loads the dmtcp commands in any
 * gdb that sees this build's libdmtcp.so, once gdb trusts the directory:
 * say how when no gdb init file names it (this run sources them itself).
 */
static void hint_auto_load(void)
{
	char lib[PATH_MAX + 32], real[PATH_MAX];
	const char *home = getenv("HOME");

	if (!exe_dir[0])
		return;
	snprintf(lib, sizeof(lib), "%s/../lib/libdmtcp.so-gdb.py", exe_dir);
	if (access(lib, R_OK) != 0 || !realpath(lib, real))
		return;
	*strrchr(real, '/') = 0;
	if ((home && (gdbinit_mentions(home, "/.gdbinit", real) ||
		      gdbinit_mentions(home, "/.config/gdb/gdbinit", real))) ||
	    gdbinit_mentions(NULL, "/etc/gdb/gdbinit", real))
		return;
	fprintf(stderr, "dmtcp_restart: to have the dmtcp gdb commands in "
		"every gdb that attaches to a process of this build, add "
		"this line to ~/.gdbinit:\n    add-auto-load-safe-path %s\n",
		real);
}

int rst_run_gdb(pid_t init, pid_t pid, const char *exe, char **args,
		int nargs)
{
	char helpers[4096], source[4200] = "";
	pid_t gdb;
	char pidstr[16];
	char **argv;
	int status, n = 0;

	if (rst_wait_ready(init, pid) < 0)
		return -1;
	fprintf(stderr, "dmtcp_restart: process %d is restored; every thread "
		"is parked where the checkpoint interrupted it (the gdb "
		"helpers select that frame and hide the handler's: "
		"'bt -no-filters' shows them); attaching gdb\n", (int)pid);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	argv = calloc(nargs + 12, sizeof(*argv));
	if (!argv)
		return -1;
	argv[n++] = "gdb";
	argv[n++] = "-q";
	hint_auto_load();
	if (find_helpers(helpers, sizeof(helpers)) == 0) {
		/* the dmtcp gdb commands (info, threads, rewind, ...) */
		snprintf(source, sizeof(source), "source %s", helpers);
		argv[n++] = "-iex";
		argv[n++] = source;
	}
	argv[n++] = (char *)exe;
	argv[n++] = "-p";
	argv[n++] = pidstr;
	if (source[0]) {
		/* the image, a crash's signal; the program's frame selected */
		argv[n++] = "-ex";
		argv[n++] = "dmtcp restored";
	}
	for (int i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	gdb = fork();
	if (gdb == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execvp("gdb", argv);
		fprintf(stderr, "dmtcp_restart: cannot run gdb: %s\n",
			strerror(errno));
		_exit(127);
	}
	free(argv);
	if (gdb > 0)
		while (waitpid(gdb, &status, 0) < 0 && errno == EINTR)
			;
	/* release the threads (see wait_for_debugger in the library) */
	close(open(rst_gdb_done_path(pid), O_WRONLY | O_CREAT | O_CLOEXEC,
		   0600));
	return 0;
}
