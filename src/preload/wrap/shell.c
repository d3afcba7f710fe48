/*
 * wrap/shell.c - system() and popen()/pclose() through our
 * posix_spawn.
 *
 * libc starts their shell with its internal spawn, which our wrappers do
 * not see, so the shell joined the coordinator by itself once it ran:
 * a checkpoint starting in between left it out (its parent then waited
 * for a child no image holds).  Spawned here, the shell's connection is
 * made before it exists (prejoin.c), like every other child's.
 *
 * Behaviour follows POSIX and glibc: system() runs "/bin/sh -c cmd" with
 * SIGINT and SIGQUIT ignored and SIGCHLD blocked in the caller while it
 * waits, the child getting the caller's mask and default dispositions
 * for the signals the caller did not ignore; it returns the wait status,
 * or that of "exit 127" when the shell could not be started; system(NULL)
 * says whether /bin/sh is there.  popen() modes "r" and "w" with an
 * optional "e" (close-on-exec); a child of popen() does not inherit the
 * pipes of earlier popen() calls.  pclose() waits for the shell and
 * returns its status; streams we did not open go to libc's pclose.
 * Unlike glibc's, this system() does not count concurrent callers in
 * several threads (the last one to return restores SIGINT/SIGQUIT).
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "log.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))
#define SHELL_PATH "/bin/sh"

extern char **environ;

API int system(const char *cmd)
{
	__typeof__(&system) real = REAL(system);
	struct sigaction ign, intr, quit;
	posix_spawnattr_t attr;
	sigset_t chld, omask, dflt;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	int status = -1, rc, saved;
	pid_t pid;

	if (!dmtcp_enabled && real)
		return real(cmd);
	if (!cmd)
		return access(SHELL_PATH, X_OK) == 0;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &intr);
	sigaction(SIGQUIT, &ign, &quit);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &omask);

	sigemptyset(&dflt);
	if (intr.sa_handler != SIG_IGN)
		sigaddset(&dflt, SIGINT);
	if (quit.sa_handler != SIG_IGN)
		sigaddset(&dflt, SIGQUIT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &omask);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, SHELL_PATH, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc == 0) {
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				status = -1;
				break;
			}
	} else {
		status = W_EXITCODE(127, 0);
	}
	saved = errno;
	sigaction(SIGINT, &intr, NULL);
	sigaction(SIGQUIT, &quit, NULL);
	sigprocmask(SIG_SETMASK, &omask, NULL);
	errno = saved;
	return status;
}

/* Streams opened by our popen, with their shells. */
struct popen_ent {
	FILE *fp;
	pid_t pid;
	int fd;
	struct popen_ent *next;
};

static struct popen_ent *popen_list;
static pthread_mutex_t popen_lock = PTHREAD_MUTEX_INITIALIZER;

API FILE *popen(const char *cmd, const char *mode)
{
	__typeof__(&popen) real = REAL(popen);
	posix_spawn_file_actions_t fa;
	struct popen_ent *e;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	int p[2], mine, theirs, child_fd, cloexec, rc;

	if (!dmtcp_enabled && real)
		return real(cmd, mode);
	if (!cmd || !mode || (mode[0] != 'r' && mode[0] != 'w') ||
	    (mode[1] && (mode[1] != 'e' || mode[2]))) {
		errno = EINVAL;
		return NULL;
	}
	cloexec = mode[1] == 'e';
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(e);
		return NULL;
	}
	mine = mode[0] == 'r' ? p[0] : p[1];
	theirs = mode[0] == 'r' ? p[1] : p[0];
	child_fd = mode[0] == 'r' ? STDOUT_FILENO : STDIN_FILENO;
	posix_spawn_file_actions_init(&fa);
	if (theirs == child_fd) {	/* dup2 onto itself keeps CLOEXEC */
		int d = fcntl(theirs, F_DUPFD_CLOEXEC, 3);

		if (d >= 0) {
			close(theirs);
			theirs = d;
		}
	}
	posix_spawn_file_actions_adddup2(&fa, theirs, child_fd);
	pthread_mutex_lock(&popen_lock);
	for (struct popen_ent *o = popen_list; o; o = o->next)
		if (o->fd != child_fd)
			posix_spawn_file_actions_addclose(&fa, o->fd);
	rc = posix_spawn(&e->pid, SHELL_PATH, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(theirs);
	if (rc != 0 || (!cloexec && fcntl(mine, F_SETFD, 0) < 0) ||
	    !(e->fp = fdopen(mine, mode[0] == 'r' ? "r" : "w"))) {
		int err = rc ? rc : errno;

		pthread_mutex_unlock(&popen_lock);
		close(mine);
		if (rc == 0)
			waitpid(e->pid, NULL, 0);
		free(e);
		errno = err;
		return NULL;
	}
	e->fd = mine;
	e->next = popen_list;
	popen_list = e;
	pthread_mutex_unlock(&popen_lock);
	return e->fp;
}

API int pclose(FILE *fp)
{
	__typeof__(&pclose) real = REAL(pclose);
	struct popen_ent **pp, *e = NULL;
	int status;
	pid_t pid;

	pthread_mutex_lock(&popen_lock);
	for (pp = &popen_list; *pp; pp = &(*pp)->next)
		if ((*pp)->fp == fp) {
			e = *pp;
			*pp = e->next;
			break;
		}
	pthread_mutex_unlock(&popen_lock);
	if (!e) {	/* opened by libc (before we were enabled) */
		if (!real) {
			errno = ECHILD;
			return -1;
		}
		return real(fp);
	}
	pid = e->pid;
	free(e);
	fclose(fp);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}
