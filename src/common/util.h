/*
 * util.h - small helpers shared by the libc-world components: full
 * reads/writes, paths, environment-driven settings.
 */
#ifndef DMTCP_UTIL_H
#define DMTCP_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Write/read all bytes, retrying EINTR and short transfers.  0 or -1. */
int util_write_all(int fd, const void *buf, size_t len);
/* Returns bytes read (< len only at EOF) or -1. */
ssize_t util_read_all(int fd, void *buf, size_t len);
/*
 * The start of a small file (path relative to dirfd, or AT_FDCWD) into
 * buf, at most cap - 1 bytes and a NUL ("" when it cannot be read).
 * Returns the bytes read or -1 (also when cap is 0: buf is untouched).
 */
ssize_t util_read_small(int dirfd, const char *path, char *buf, size_t cap);

/* What the toolkit reads of a /proc/PID[/task/TID]/status file. */
struct util_proc_status {
	char state;		/* the State letter: R, S, t, T, Z, ... */
	int tracer;		/* TracerPid: 0 = not traced */
	unsigned long vcs;	/* voluntary_ctxt_switches */
};
/*
 * Read and parse that file (path relative to dirfd, or AT_FDCWD).  0, or
 * -1 when it cannot be read (the process or thread is gone).  No
 * allocation: usable while the process's threads are frozen.
 */
int util_proc_status(int dirfd, const char *path, struct util_proc_status *st);

/* $DMTCP_TMPDIR, else $TMPDIR, else /tmp. */
const char *util_tmpdir(void);
/*
 * $tmpdir/dmtcp-$USER@$HOST, created 0700 if missing.  0 or -1.  An
 * existing one that is a symlink, another user's, or writable by group
 * or others is refused (errno EPERM, a message on stderr once).
 */
int util_state_dir(char *buf, size_t cap);

/* Directory holding the running executable (/proc/self/exe). 0 or -1 */
int util_exe_dir(char *buf, size_t cap);
/*
 * Find a helper installed next to us: tries <exedir>/<rel1>, then
 * <exedir>/<rel2> (either may be NULL), then <fallback>.  0 or -1.
 */
int util_find_file(char *buf, size_t cap, const char *rel1,
		   const char *rel2, const char *fallback);

/* Coordinator address from options/environment/defaults. */
const char *util_coord_host(const char *opt);	/* opt, env, "localhost" */
/* opt (>= 0), env DMTCP_COORD_PORT, else 7779; -1 on a bad value */
int util_coord_port(int opt);
/* Parse a port number "0".."65535"; -1 if invalid. */
int util_parse_port(const char *s);
/* Parse a non-negative integer; -1 if invalid. */
long util_parse_ulong(const char *s);

/* Make path absolute (relative to cwd) into buf.  0 or -1. */
int util_abspath(const char *path, char *buf, size_t cap);
/* Like snprintf into a fixed buffer, always terminated; 0 or -1 if cut */
int util_strlcpy(char *dst, const char *src, size_t cap);

#endif /* DMTCP_UTIL_H */
