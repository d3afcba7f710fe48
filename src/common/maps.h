/*
 * maps.h - parser for /proc/PID/maps lines.
 *
 * No allocation: usable from the checkpoint thread while other threads
 * are frozen (possibly holding malloc locks).
 */
#ifndef DMTCP_MAPS_H
#define DMTCP_MAPS_H

#include <stddef.h>
#include <stdint.h>

#define MAPS_PATH_MAX 4096

struct maps_entry {
	uint64_t start, end;
	uint64_t offset;
	int prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	int shared;		/* 's' in the flags column */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	int deleted;		/* path ended with " (deleted)" (stripped) */
	char path[MAPS_PATH_MAX]; /* "" for anonymous; "[heap]" etc. */
};

/*
 * Parse one line (without or with its '\n'; len bytes).  Returns 0, or
 * -1 if the line is malformed.
 */
int maps_parse_line(const char *line, size_t len, struct maps_entry *e);

/*
 * Iterate over a buffer holding a whole maps file: *pos is the cursor
 * (start with 0).  Returns 1 with *e filled, 0 at the end, -1 on a
 * malformed line.
 */
int maps_next(const char *buf, size_t len, size_t *pos,
	      struct maps_entry *e);

/* Read a whole file (e.g. /proc/self/maps) into a buffer grown with
 * mmap (mremap when it fills up: the buffer may move, so a caller that
 * reads its own maps reads again until the capacity stays the same);
 * returns bytes or -1.  Free with maps_free_buf(). */
long maps_read_file(const char *path, char **buf, size_t *cap);
void maps_free_buf(char *buf, size_t cap);

/*
 * Streaming reader: a maps file read piece by piece through the
 * caller's buffer (at least MAPS_LINE_MAX bytes), so reading the maps
 * maps nothing.  maps_stream_next returns 1 with *e filled, 0 at the
 * end, -1 on a read error or a malformed line (errno set).
 */
#define MAPS_LINE_MAX (MAPS_PATH_MAX + 256)

struct maps_stream {
	int fd;
	char *buf;
	size_t cap, len, pos;
	int eof;
};

int maps_stream_open(struct maps_stream *s, const char *path, char *buf,
		     size_t cap);
int maps_stream_next(struct maps_stream *s, struct maps_entry *e);
void maps_stream_close(struct maps_stream *s);

#endif /* DMTCP_MAPS_H */
