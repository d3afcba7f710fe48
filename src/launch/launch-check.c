/*
 * launch-check.c - find the program dmtcp_launch is asked to run and
 * check that the checkpoint library can be preloaded into it: the
 * dynamic loader ignores LD_PRELOAD for static programs, and for
 * set-user-ID/set-group-ID programs changing identity (secure mode).
 * "#!" scripts are checked through their interpreter.
 */
#include "config.h"
#include "launch-opts.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAUNCH_MAX_INTERP_DEPTH 4

/* Is path an executable regular file?  0, or -1 with errno. */
static int launch_is_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return access(path, X_OK);
}

int launch_resolve(const char *prog, char *buf, size_t cap, char *err,
		   size_t errcap)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int found_noexec = 0;

	if (!*prog) {
		snprintf(err, errcap, "empty program name");
		return -1;
	}
	if (strchr(prog, '/')) {
		if (launch_is_exec(prog) < 0) {
			snprintf(err, errcap, "%s: %s", prog,
				 errno == ENOENT ? "no such file" :
				 errno == EACCES ? "not executable "
				 "(Permission denied)" : strerror(errno));
			return -1;
		}
		return util_strlcpy(buf, prog, cap) < 0 ? -1 : 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = strdup(path);
	if (!copy) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		int n = snprintf(buf, cap, "%s/%s", *dir ? dir : ".", prog);

		if (n < 0 || (size_t)n >= cap)
			continue;
		if (launch_is_exec(buf) == 0) {
			free(copy);
			return 0;
		}
		if (errno == EACCES)
			found_noexec = 1;
	}
	free(copy);
	if (found_noexec)
		snprintf(err, errcap, "%s: found in PATH but not executable "
			 "(Permission denied)", prog);
	else
		snprintf(err, errcap, "%s: command not found in PATH", prog);
	return -1;
}

/* 1 dynamic, 0 static, -1 not ELF, -2 ELF of another class/machine. */
static int launch_elf_dynamic(int fd)
{
	Elf64_Ehdr eh;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		return -2;
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > 4096)
		return 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    (ssize_t)sizeof(ph))
			return 0;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

static int launch_check_file(const char *prog, const char *path, int depth,
			     char *err, size_t errcap)
{
	char head[256], interp[PATH_MAX], resolved[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, kind;
	char *p, *arg;

	if (depth > LAUNCH_MAX_INTERP_DEPTH) {
		snprintf(err, errcap, "%s: too many levels of \"#!\" "
			 "interpreters", prog);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errcap, "%s: cannot open %s: %s", prog, path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errcap, "%s: %s: %s", prog, path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
		snprintf(err, errcap, "%s is set%s: the checkpoint library "
			 "cannot be preloaded into it", depth ? path : prog,
			 (st.st_mode & S_ISUID) ? "uid" : "gid");
		close(fd);
		return -1;
	}
	kind = launch_elf_dynamic(fd);
	if (kind != -1) {
		close(fd);
		if (kind == 1)
			return 0;
		if (kind == -2) {
			snprintf(err, errcap, "%s is not an x86-64 program "
				 "(32-bit or another architecture): the "
				 "checkpoint library cannot be preloaded "
				 "into it", depth ? path : prog);
			return -1;
		}
		if (depth)
			snprintf(err, errcap, "%s: its interpreter %s is "
				 "statically linked: the checkpoint library "
				 "cannot be preloaded into it", prog, path);
		else
			snprintf(err, errcap, "%s is statically linked: the "
				 "checkpoint library cannot be preloaded "
				 "into it", prog);
		return -1;
	}
	n = pread(fd, head, sizeof(head) - 1, 0);
	close(fd);
	if (n < 2 || head[0] != '#' || head[1] != '!') {
		/* the kernel refuses it (ENOEXEC); like execvp, run it with
		 * /bin/sh, which is what must be checked */
		return launch_check_file(prog, "/bin/sh", depth + 1, err,
					 errcap);
	}
	head[n] = 0;
	p = head + 2;
	p[strcspn(p, "\n")] = 0;
	p += strspn(p, " \t");
	arg = p + strcspn(p, " \t");
	if (*arg) {
		*arg++ = 0;
		arg += strspn(arg, " \t");
		arg[strcspn(arg, " \t")] = 0;
	}
	if (!*p) {
		snprintf(err, errcap, "%s: empty \"#!\" line", prog);
		return -1;
	}
	util_strlcpy(interp, p, sizeof(interp));
	if (launch_is_exec(interp) < 0) {
		snprintf(err, errcap, "%s: interpreter %s: %s", prog, interp,
			 strerror(errno));
		return -1;
	}
	/* "#!/usr/bin/env prog": what runs is prog from PATH */
	if (*arg && *arg != '-' && !strcmp(strrchr(interp, '/') ?
					   strrchr(interp, '/') + 1 : interp,
					   "env")) {
		if (launch_resolve(arg, resolved, sizeof(resolved), err,
				   errcap) < 0)
			return -1;
		return launch_check_file(prog, resolved, depth + 1, err,
					 errcap);
	}
	return launch_check_file(prog, interp, depth + 1, err, errcap);
}

int launch_check_preloadable(const char *prog, const char *path, char *err,
			     size_t errcap)
{
	return launch_check_file(prog, path, 0, err, errcap);
}

int launch_check_plugin(const char *name, char *buf, size_t cap, char *err,
			size_t errcap)
{
	Elf64_Ehdr eh;
	char abs[PATH_MAX];
	int fd;
	ssize_t n;

	if (!realpath(name, abs)) {
		snprintf(err, errcap, "plugin %s: %s", name, strerror(errno));
		return -1;
	}
	if (strlen(abs) >= cap || strchr(abs, ':') || strchr(abs, ' ')) {
		snprintf(err, errcap, "plugin %s: its path may not contain ':' "
			 "or spaces (LD_PRELOAD separators)", abs);
		return -1;
	}
	fd = open(abs, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errcap, "plugin %s: %s", abs, strerror(errno));
		return -1;
	}
	n = pread(fd, &eh, sizeof(eh), 0);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		close(fd);
		snprintf(err, errcap, "plugin %s is not an ELF shared object",
			 abs);
		return -1;
	}
	/* a PIE program is ET_DYN too, but has an interpreter */
	for (int i = 0; eh.e_ident[EI_CLASS] == ELFCLASS64 && i < eh.e_phnum &&
	     i < 128; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP) {
			close(fd);
			snprintf(err, errcap, "plugin %s is a program, not a "
				 "shared object (build it with -shared "
				 "-fPIC)", abs);
			return -1;
		}
	}
	close(fd);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		snprintf(err, errcap, "plugin %s is not built for x86-64 "
			 "(64-bit)", abs);
		return -1;
	}
	if (eh.e_type != ET_DYN) {
		snprintf(err, errcap, "plugin %s is not a shared object (build "
			 "it with -shared -fPIC)", abs);
		return -1;
	}
	memcpy(buf, abs, strlen(abs) + 1);
	return 0;
}
