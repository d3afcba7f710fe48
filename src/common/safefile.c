/*
 * safefile.c - creating and reusing files in directories other users may
 * write (a shared checkpoint directory, $TMPDIR); see safefile.h and
 * doc/security.md.  Every new file is created exclusively under an
 * unpredictable name and never through a symlink; every file or
 * directory that is reused is checked for owner and mode first.
 */
#include "config.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 16 hex digits that another user cannot predict. */
static void random_hex(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[8];
	ssize_t n = getrandom(raw, sizeof(raw), GRND_NONBLOCK);

	if (n != (ssize_t)sizeof(raw)) {
		/* no entropy yet (early boot): mix what differs per call */
		struct timespec ts;
		unsigned long long v;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (unsigned long long)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
		    (unsigned long long)ts.tv_sec << 32 ^
		    (unsigned long long)getpid() * 0xbf58476d1ce4e5b9ull ^
		    (unsigned long long)(uintptr_t)raw;
		memcpy(raw, &v, sizeof(raw));
	}
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[16] = 0;
}

int safe_tmp_name(const char *final, char *tmp, size_t cap)
{
	const char *slash = strrchr(final, '/');
	int dirlen = slash ? (int)(slash - final + 1) : 0;
	const char *base = slash ? slash + 1 : final;
	char rnd[17];
	int n;

	random_hex(rnd);
	n = snprintf(tmp, cap, "%.*s.%s.tmp.%s", dirlen, final, base, rnd);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int safe_create_tmp(const char *final, char *tmp, size_t cap, mode_t mode)
{
	for (int tries = 0; tries < 16; tries++) {
		int fd;

		if (safe_tmp_name(final, tmp, cap) < 0)
			return -1;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -1;
		/* somebody holds that name: another one */
	}
	errno = EEXIST;
	return -1;
}

int safe_check_owned(const struct stat *st, int want_dir, char *why,
		     size_t cap)
{
	if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
		snprintf(why, cap, "not a %s", want_dir ? "directory" :
			 "regular file");
		return -1;
	}
	if (st->st_uid != geteuid()) {
		snprintf(why, cap, "owned by uid %u, not by uid %u",
			 (unsigned)st->st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, cap, "writable by %s (mode %04o)",
			 st->st_mode & S_IWOTH ? "other users" : "its group",
			 (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

int safe_private_dir(const char *path, char *why, size_t cap)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		snprintf(why, cap, "cannot create it: %s", strerror(errno));
		return -1;
	}
	if (lstat(path, &st) < 0) {
		snprintf(why, cap, "%s", strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(why, cap, "it is a symbolic link");
		errno = EPERM;
		return -1;
	}
	if (safe_check_owned(&st, 1, why, cap) < 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int safe_open_own(const char *path, int flags, mode_t mode, char *why,
		  size_t cap)
{
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0) {
		snprintf(why, cap, "%s%s", strerror(errno),
			 errno == ELOOP ? " (a symbolic link)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0 || safe_check_owned(&st, 0, why, cap) < 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int safe_shared_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX);
}
