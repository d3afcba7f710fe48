/*
 * wrap/exec.c - exec keeps the new program under checkpoint control.
 *
 * The preload library follows exec through the environment
 * (LD_PRELOAD, DMTCP_COORD_*).  A program given an environment of its
 * own (execve with envp, "env -i") gets ours added back; one that sets
 * its own LD_PRELOAD gets our libraries first and its own after them
 * (a sandbox or test harness injecting a library stays checkpointable);
 * a target that cannot be followed (statically linked, or setuid/setgid
 * to another user, where the loader ignores LD_PRELOAD) is reported
 * once, naming the process and the program, instead of silently leaving
 * the computation.  A failed exec changes nothing.  Execs we do not see
 * (raw system calls) are caught by the sentinel (sentinel.c).
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "log.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

extern char **environ;

static const char *const keep_vars[] = {
	"LD_PRELOAD", "DMTCP_COORD_HOST", "DMTCP_COORD_PORT",
	"DMTCP_COORD_SECRET", "DMTCP_CHECKPOINT_DIR", "DMTCP_GZIP",
	"DMTCP_SIGCKPT", "DMTCP_TMPDIR", "DMTCP_CKPTDIR_EXPLICIT",
	"DMTCP_CKPT_ON_CRASH", "DMTCP_DEBUG", "DMTCP_COMP_ID",
	"DMTCP_PLUGINS", "DMTCP_SKIP_FILE_PAGES",
	"DMTCP_GHOST_LIMIT", "DMTCP_GHOST_OVER_LIMIT", "DMTCP_CKPT_OPEN_FILES",
};

/* LD_PRELOAD as it was when we were loaded: our plugins and us. */
static char our_preload[4096];

__attribute__((constructor)) static void save_our_preload(void)
{
	const char *v = getenv("LD_PRELOAD");

	if (v && strlen(v) < sizeof(our_preload))
		strcpy(our_preload, v);
}

/* 1 if the loader will not preload us into path (static or setuid). */
static int not_followable(const char *path, const char **why)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	struct stat st;
	int fd, interp = 0;

	if (stat(path, &st) < 0)
		return 0;
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
		*why = "setuid/setgid";
		return 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return 0;	/* a script: its interpreter is followed */
	}
	for (int i = 0; i < eh.e_phnum && i < 64; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP)
			interp = 1;
	}
	close(fd);
	if (!interp) {
		*why = "statically linked";
		return 1;
	}
	return 0;
}

/* 1 if the new program will be under our control (warns once if not). */
static int check_target(const char *path)
{
	static int warned;
	const char *why;

	if (!dmtcp_enabled)
		return 0;
	if (!not_followable(path, &why))
		return 1;
	if (!warned) {
		warned = 1;
		pr_warn("process %d execs %s, which is %s: it leaves checkpoint "
			"control (it cannot be checkpointed or restarted)",
			(int)getpid(), path, why);
	}
	return 0;
}

/*
 * The new program's coordinator connection, made now (prejoin.c) and
 * passed on through the exec in DMTCP_COORD_FD (var: room for
 * "DMTCP_COORD_FD=<n>"), or -1 and var "".
 */
static int exec_prejoin(int followable, char *var, size_t cap)
{
	int fd = followable ? dmtcp_prejoin() : -1;

	var[0] = 0;
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFD, 0) < 0) {	/* it must survive the exec */
		dmtcp_prejoin_end(fd);
		return -1;
	}
	snprintf(var, cap, "%s=%d", DMTCP_COORD_FD_ENV, fd);
	return fd;
}

/* After an exec or spawn of ours: the creator's copy goes. */
static void exec_prejoin_end(int fd)
{
	int saved = errno;

	dmtcp_prejoin_end(fd);
	errno = saved;
}

/* 1 if the ':'/' '-separated list has the entry (len bytes at e). */
static int list_has(const char *list, const char *e, size_t len)
{
	while (*list) {
		size_t l = strcspn(list, ": ");

		if (l == len && strncmp(list, e, len) == 0)
			return 1;
		list += l;
		while (*list == ':' || *list == ' ')
			list++;
	}
	return 0;
}

/*
 * "LD_PRELOAD=" our libraries, then the entries of theirs (the value the
 * new program's environment sets, or NULL) that are not ours; malloc'd.
 */
static char *merged_preload(const char *theirs)
{
	size_t cap = strlen("LD_PRELOAD=") + strlen(our_preload) + 2 +
		     (theirs ? strlen(theirs) : 0) + 1;
	char *out = malloc(cap), *p;

	if (!out)
		return NULL;
	p = out + sprintf(out, "LD_PRELOAD=%s", our_preload);
	while (theirs && *theirs) {
		size_t l = strcspn(theirs, ": ");

		if (l && !list_has(our_preload, theirs, l)) {
			if (p > out + strlen("LD_PRELOAD="))
				*p++ = ':';
			memcpy(p, theirs, l);
			p += l;
		}
		theirs += l;
		while (*theirs == ':' || *theirs == ' ')
			theirs++;
	}
	*p = 0;
	return out;
}

/* Our value of a variable the new program lacks: the current
   environment's, else what this process runs with; malloc'd or NULL. */
static char *our_value(const char *name)
{
	size_t l = strlen(name);
	char *out = NULL;

	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, name, l) == 0 && (*e)[l] == '=')
			return strdup(*e);
	/* the program unset it: what we know */
	if (strcmp(name, "DMTCP_COORD_HOST") == 0) {
		if (asprintf(&out, "%s=%s", name, dmtcp_cfg.coord_host) < 0)
			out = NULL;
	} else if (strcmp(name, "DMTCP_COORD_PORT") == 0) {
		/* five digits: see update_environ() in ckpt-thread.c */
		if (asprintf(&out, "%s=%05d", name, dmtcp_cfg.coord_port) < 0)
			out = NULL;
	} else if (strcmp(name, "DMTCP_COORD_SECRET") == 0 &&
		   dmtcp_cfg.secret[0]) {
		if (asprintf(&out, "%s=%s", name, dmtcp_cfg.secret) < 0)
			out = NULL;
	} else if (strcmp(name, "DMTCP_COMP_ID") == 0 &&
		   dmtcp_cfg.comp_id[0]) {
		if (asprintf(&out, "%s=%s", name, dmtcp_cfg.comp_id) < 0)
			out = NULL;
	}
	return out;
}

#define NKEEP (sizeof(keep_vars) / sizeof(keep_vars[0]))

/* What with_our_env allocated: the array and the strings it made. */
struct our_env {
	char **env;
	char *made[NKEEP];
};

static void our_env_free(struct our_env *oe)
{
	for (size_t k = 0; k < NKEEP; k++)
		free(oe->made[k]);
	free(oe->env);
}

/*
 * envp with our variables added where missing (LD_PRELOAD: ours first,
 * then the program's own entries), the mark that makes the new program's
 * plugins see POST_EXEC, and conn_var ("NAME=value" of the connection
 * made for the new program, or ""); oe->env NULL: use envp as is.  The
 * caller's environment is never changed.
 */
static void with_our_env(char *const envp[], char *conn_var,
			 struct our_env *oe)
{
	static char mark[] = DMTCP_EXEC_MARK "=1";
	int want_mark = dmtcp_n_user_plugins > 0;
	size_t n = 0, m = 0, extra = 0;
	size_t conn_len = strlen(DMTCP_COORD_FD_ENV);
	const char *their_preload = NULL;
	char **out;

	memset(oe, 0, sizeof(*oe));
	if (!dmtcp_enabled || !envp)
		return;
	for (; envp[n]; n++)
		;
	out = malloc((n + NKEEP + 3) * sizeof(*out));
	if (!out)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(envp[i], DMTCP_COORD_FD_ENV, conn_len) == 0 &&
		    envp[i][conn_len] == '=')
			continue;	/* a stale connection: not ours */
		if (our_preload[0] &&
		    strncmp(envp[i], "LD_PRELOAD=", 11) == 0) {
			their_preload = envp[i] + 11;	/* merged below */
			continue;
		}
		out[m++] = envp[i];
	}
	n = m;
	for (size_t k = 0; k < NKEEP; k++) {
		size_t l = strlen(keep_vars[k]);
		int present = 0;

		if (strcmp(keep_vars[k], "LD_PRELOAD") == 0 && our_preload[0]) {
			oe->made[k] = merged_preload(their_preload);
			if (oe->made[k])
				out[n + extra++] = oe->made[k];
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (strncmp(out[i], keep_vars[k], l) == 0 &&
			    out[i][l] == '=')
				present = 1;
		if (!present) {
			oe->made[k] = our_value(keep_vars[k]);
			if (oe->made[k])
				out[n + extra++] = oe->made[k];
		}
	}
	if (want_mark)
		out[n + extra++] = mark;
	if (conn_var[0])
		out[n + extra++] = conn_var;
	out[n + extra] = NULL;
	oe->env = out;
}

static void pre_exec(const char *path, char *const argv[], char *const envp[])
{
	DmtcpEventData_t d;

	if (!dmtcp_enabled || !dmtcp_n_user_plugins)
		return;
	memset(&d, 0, sizeof(d));
	d.preExec.serializationFd = -1;
	d.preExec.filename = (char *)path;
	d.preExec.argv = (const char **)argv;
	d.preExec.envp = (const char **)envp;
	dmtcp_plugins_event(DMTCP_EVENT_PRE_EXEC, &d, PLUG_USER);
}

typedef int exec_fn(const char *, char *const[], char *const[]);

/*
 * What every exec wrapper does around libc's: report a target we cannot
 * follow, PRE_EXEC, the new program's connection and environment.  name
 * goes to libc (a path, or a file to search for); target is the program
 * it resolves to.
 */
static int exec_through(exec_fn *real, const char *name, const char *target,
			char *const argv[], char *const envp[])
{
	struct our_env oe;
	char conn_var[64];
	int rc, saved, followable, conn;

	followable = check_target(target);
	dmtcp_bg_wait_idle();	/* a forked checkpoint's verdict first */
	pre_exec(name, argv, envp);
	conn = exec_prejoin(followable, conn_var, sizeof(conn_var));
	with_our_env(envp, conn_var, &oe);
	dmtcp_sentinel_cloexec(1);	/* the new program has conn instead */
	rc = real(name, argv, oe.env ? oe.env : envp);
	saved = errno;
	dmtcp_sentinel_cloexec(0);	/* still us: nothing changed */
	our_env_free(&oe);
	exec_prejoin_end(conn);
	errno = saved;
	return rc;
}

API int execve(const char *path, char *const argv[], char *const envp[])
{
	exec_fn * real = REAL(execve);

	return exec_through(real, path, path, argv, envp);
}

API int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

static const char *search_path(const char *file, char *buf, size_t cap)
{
	const char *p = getenv("PATH");

	if (strchr(file, '/'))
		return file;
	if (!p)
		p = "/bin:/usr/bin";
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);

		snprintf(buf, cap, "%.*s%s%s", (int)len, p, len ? "/" : "",
			 file);
		if (access(buf, X_OK) == 0)
			return buf;
		if (!colon)
			break;
		p = colon + 1;
	}
	return file;
}

API int execvpe(const char *file, char *const argv[], char *const envp[])
{
	exec_fn * real = REAL(execvpe);
	char buf[4096];

	return exec_through(real, file, search_path(file, buf, sizeof(buf)),
			    argv, envp);
}

API int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/*
 * The list forms: glibc builds the argv and calls its internal execve,
 * which our wrapper would not see.  Collect the arguments here (on the
 * stack: these may run in a vfork child) and go through ours.
 */
#define EXECL_MAX_ARGS 4096

/* execl, execlp, execle: the list (and execle's environment) into an
   argv, then execve or execvpe, our wrappers above */
enum { LIST_PATH, LIST_SEARCH, LIST_ENV };

static int exec_list(int how, const char *path, const char *arg, va_list ap)
{
	char *argv[EXECL_MAX_ARGS];
	char *const *envp = environ;
	int n;

	argv[0] = (char *)arg;
	for (n = 1; argv[n - 1] && n < EXECL_MAX_ARGS; n++)
		argv[n] = va_arg(ap, char *);
	if (argv[n - 1]) {
		errno = E2BIG;
		return -1;
	}
	if (how == LIST_ENV)
		envp = va_arg(ap, char *const *);
	return how == LIST_SEARCH ? execvpe(path, argv, envp) :
				    execve(path, argv, envp);
}

#define EXEC_LIST(how, path, arg)					\
	do {								\
		va_list ap;						\
		int rc;							\
									\
		va_start(ap, arg);					\
		rc = exec_list(how, path, arg, ap);			\
		va_end(ap);						\
		return rc;						\
	} while (0)

API int execl(const char *path, const char *arg, ...)
{
	EXEC_LIST(LIST_PATH, path, arg);
}

API int execlp(const char *file, const char *arg, ...)
{
	EXEC_LIST(LIST_SEARCH, file, arg);
}

API int execle(const char *path, const char *arg, ...)
{
	EXEC_LIST(LIST_ENV, path, arg);
}

/*
 * posix_spawn: libc execs in the child through its internal execve, so
 * check the target, make the child's connection and keep our variables
 * in a custom environment here.
 */
typedef int spawn_fn(pid_t *, const char *,
		     const posix_spawn_file_actions_t *,
		     const posix_spawnattr_t *, char *const[], char *const[]);

static int spawn_through(spawn_fn *real, const char *target, pid_t *pid,
			 const char *name, const posix_spawn_file_actions_t *fa,
			 const posix_spawnattr_t *attr, char *const argv[],
			 char *const envp[])
{
	struct our_env oe;
	char conn_var[64];
	int rc, conn;

	if (!real)
		return ENOSYS;
	conn = exec_prejoin(check_target(target), conn_var, sizeof(conn_var));
	with_our_env(envp, conn_var, &oe);
	dmtcp_sentinel_cloexec(1);	/* not for the child */
	rc = real(pid, name, fa, attr, argv, oe.env ? oe.env : envp);
	dmtcp_sentinel_cloexec(0);
	our_env_free(&oe);
	exec_prejoin_end(conn);
	return rc;
}

API int posix_spawn(pid_t *pid, const char *path,
		    const posix_spawn_file_actions_t *fa,
		    const posix_spawnattr_t *attr, char *const argv[],
		    char *const envp[])
{
	spawn_fn * real = REAL(posix_spawn);

	return spawn_through(real, path, pid, path, fa, attr, argv, envp);
}

API int posix_spawnp(pid_t *pid, const char *file,
		     const posix_spawn_file_actions_t *fa,
		     const posix_spawnattr_t *attr, char *const argv[],
		     char *const envp[])
{
	spawn_fn * real = REAL(posix_spawnp);
	char buf[4096];

	return spawn_through(real, search_path(file, buf, sizeof(buf)), pid,
			     file, fa, attr, argv, envp);
}
