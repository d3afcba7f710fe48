/*
 * restart-peers.c - a whole computation restored for a debugger
 * (dmtcp_restart --gdb / --stop-for-debugger with several images).
 *
 * Every process parks where its checkpoint interrupted it (the library's
 * wait_for_debugger).  The debugger gets one of them, the target; the
 * others wait, so the user can attach to a child first (`dmtcp attach`
 * in gdb).  A small helper process watches them from the host's /proc:
 * when the target's threads first run again (its library leaves
 * "<gdb-done>.released") every other process not held by a debugger is
 * released (its gdb-done file); and a process a debugger attached to and
 * then detached from without continuing it (its library, stopped all
 * along, never saw the tracer) is released when the tracer is gone.
 */
#include "config.h"
#include "restart.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int rst_write_pids_file(pid_t init, const pid_t *vpids, char *const *progs,
			int n, int hostproc, const char *path, long *hostpids)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (path && !f) {
		fprintf(stderr, "dmtcp_restart: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		long hp;

		if (rst_wait_ready(init, vpids[i]) < 0)
			break;
		hp = rst_host_pid_of(hostproc, init, vpids[i]);
		hostpids[i] = hp;
		if (n > 1)
			fprintf(stderr, "dmtcp_restart: process %d (%s) "
				"parked: host pid %ld\n", (int)vpids[i],
				progs[i], hp);
		if (f)
			fprintf(f, "%d %ld %s\n", (int)vpids[i], hp, progs[i]);
	}
	if (f && fclose(f) != 0) {
		fprintf(stderr, "dmtcp_restart: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0)
		close(fd);
}

/* Once the computation is gone: what is left of ours in the state
   directory (the helper cannot know when that is). */
void rst_peers_cleanup(const pid_t *vpids, int n, int target)
{
	char released[1100];

	snprintf(released, sizeof(released), "%s.released",
		 rst_gdb_done_path(vpids[target]));
	unlink(released);
	for (int i = 0; i < n; i++)
		unlink(rst_gdb_done_path(vpids[i]));
}

/* The TracerPid of a host pid: > 0 traced, 0 not, -1 gone. */
static int tracer_of(int hostproc, long hostpid)
{
	struct util_proc_status st;
	char path[64];

	/* the host's /proc: ours shows the computation's pid namespace */
	snprintf(path, sizeof(path), "%ld/status", hostpid);
	if (util_proc_status(hostproc, path, &st) < 0)
		return -1;
	return st.tracer;
}

#define PEERS_MAX	256

void rst_release_peers_later(const pid_t *vpids,
			     const long *hostpids, int n, int target,
			     int hostproc)
{
	char released[1100];
	char seen[PEERS_MAX] = { 0 }, done[PEERS_MAX] = { 0 };
	int target_ran = 0;
	pid_t helper;

	if (n < 1 || n > PEERS_MAX)
		return;
	snprintf(released, sizeof(released), "%s.released",
		 rst_gdb_done_path(vpids[target]));
	unlink(released);
	/* forked after the namespace was made: the helper is in the
	   computation's pid namespace and dies with its init */
	helper = fork();
	if (helper != 0)
		return;		/* reaped when dmtcp_restart exits */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	for (;;) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		int left = 0;

		if (!target_ran &&
		    (access(released, F_OK) == 0 ||
		     access(rst_gdb_done_path(vpids[target]), F_OK) == 0))
			target_ran = 1;
		for (int i = 0; i < n; i++) {
			int tr = hostpids[i] > 0 ? tracer_of(hostproc, hostpids[i]) : -1;

			if (done[i] || tr < 0) {
				done[i] = 1;
				continue;
			}
			if (tr > 0)
				seen[i] = 1;
			/* detached without running it, or not held at all
			   once the target runs: let it go */
			if ((seen[i] && tr == 0) ||
			    (target_ran && i != target && !seen[i])) {
				touch(rst_gdb_done_path(vpids[i]));
				done[i] = 1;
				target_ran |= i == target;
				continue;
			}
			if (i == target && target_ran)
				done[i] = 1;
			left += !done[i];
		}
		if (!left)
			break;
		nanosleep(&ts, NULL);
	}
	_exit(0);	/* rst_peers_cleanup removes the files */
}
