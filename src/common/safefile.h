/*
 * safefile.h - files in directories other users may write.
 *
 * Rule (doc/security.md): a file the tool creates is created exclusively
 * (O_CREAT|O_EXCL|O_NOFOLLOW) under an unpredictable temporary name,
 * written, synced, then renamed over its final name; a file or directory
 * it reuses must be ours (owner = our uid), not writable by group or
 * others, and not reached through a symlink.
 */
#ifndef DMTCP_SAFEFILE_H
#define DMTCP_SAFEFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* "<dir>/.<base>.tmp.<16 random hex>" for final; 0 or -1 (too long). */
int safe_tmp_name(const char *final, char *tmp, size_t cap);

/*
 * Create a new file beside `final` named "<dir>/.<base>.tmp.<16 random
 * hex>" with O_CREAT|O_EXCL|O_NOFOLLOW and `mode`; its name goes to tmp.
 * Returns the fd (write-only, close-on-exec) or -1 with errno.
 */
int safe_create_tmp(const char *final, char *tmp, size_t cap, mode_t mode);

/*
 * 0 if st is a directory (want_dir) or regular file owned by our
 * effective uid and not writable by group or others; else -1 with the
 * reason in why.
 */
int safe_check_owned(const struct stat *st, int want_dir, char *why,
		     size_t cap);

/*
 * Make sure path is a private directory: create it 0700 if missing;
 * refuse (-1, errno EPERM, reason in why) a symlink, a directory of
 * another user, or one writable by group or others.
 */
int safe_private_dir(const char *path, char *why, size_t cap);

/*
 * open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode) of a regular file that
 * must be ours (see safe_check_owned): -1 with the reason in why.
 */
int safe_open_own(const char *path, int flags, mode_t mode, char *why,
		  size_t cap);

/* 1 if path is a directory every user may write and not sticky. */
int safe_shared_dir(const char *path);

#endif
