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

#include <fcntl.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *rst_gdb_done_path(pid_t pid)
{
	static char path[1024];

	if (!path[0]) {
		char dir[512];

		if (util_state_dir(dir, sizeof(dir)) < 0)
			snprintf(dir, sizeof(dir), "%s", util_tmpdir());
		snprintf(path, sizeof(path), "%s/gdb-done.%d.%d", dir,
			 (int)getpid(), (int)pid);
		unlink(path);
	}
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

int rst_run_gdb(pid_t init, pid_t pid, const char *exe, char **args,
		int nargs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pid_t gdb;
	char pidstr[16];
	char **argv;
	int status, n = 0;
	char ready[1100];

	snprintf(ready, sizeof(ready), "%s.ready", rst_gdb_done_path(pid));

	for (int i = 0; i < 1500; i++) {	/* 30 s */
		if (access(ready, F_OK) == 0 && proc_state(pid))
			break;
		if (waitpid(init, &status, WNOHANG) == init) {
			fprintf(stderr, "dmtcp_restart: the restart failed "
				"before gdb could attach\n");
			exit(status && WIFEXITED(status) ? WEXITSTATUS(status)
							 : 1);
		}
		nanosleep(&ts, NULL);
	}
	if (access(ready, F_OK) != 0) {
		fprintf(stderr, "dmtcp_restart: the restarted process did not "
			"stop for gdb\n");
		return -1;
	}
	fprintf(stderr, "dmtcp_restart: process %d is restored; every thread "
		"is parked where the checkpoint interrupted it (one signal "
		"frame above that point: use 'frame 2' or 'finish'); "
		"attaching gdb\n", (int)pid);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	argv = calloc(nargs + 8, sizeof(*argv));
	if (!argv)
		return -1;
	argv[n++] = "gdb";
	argv[n++] = "-q";
	argv[n++] = (char *)exe;
	argv[n++] = "-p";
	argv[n++] = pidstr;
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
	unlink(ready);
	close(open(rst_gdb_done_path(pid), O_WRONLY | O_CREAT | O_CLOEXEC,
		   0600));
	return 0;
}
