/*
 * img-range.h - the rule that places PAGES and FILEDATA records, as
 * static inline functions.  Freestanding (no header but stdint.h): the
 * writer (img-write.c), the reader's walker (img-walk.c) and the restore
 * checks that mtcp_restart runs too (restore-check.c) apply the same
 * rule; the first two also count the records of an AREA or FILE
 * through it (struct img_run).
 */
#ifndef DMTCP_IMG_RANGE_H
#define DMTCP_IMG_RANGE_H

#include <stdint.h>

/*
 * The data records after an AREA (or a FILE) come in order and stay
 * inside it: [at, at + len) starts at or after next (where the previous
 * one ended) and ends at or before end (the area's end, the file's
 * size).  1 if so, 0 if not; never overflows.
 */
static inline int img_data_inside(uint64_t at, uint64_t len, uint64_t next,
				  uint64_t end)
{
	return at >= next && at <= end && len <= end - at;
}

/* The data records of the current AREA or FILE so far (libc world: the
   writer and the walker keep one for each). */
struct img_run {
	uint64_t end;	/* the area's end, the file's size */
	uint64_t want;	/* the bytes they must hold (stored, data bytes) */
	uint64_t next;	/* where the last one ended */
	uint64_t got;	/* the bytes they held */
};

static inline void img_run_begin(struct img_run *r, uint64_t start,
				 uint64_t end, uint64_t want)
{
	r->end = end;
	r->want = want;
	r->next = start;
	r->got = 0;
}

enum { IMG_RUN_OK, IMG_RUN_OUTSIDE, IMG_RUN_TOO_MUCH };

/* [at, at + len) as the next data record: IMG_RUN_OK, IMG_RUN_OUTSIDE
   (out of order or past the end) or IMG_RUN_TOO_MUCH (more bytes than
   are left of want) */
static inline int img_run_check(const struct img_run *r, uint64_t at,
				uint64_t len)
{
	if (!img_data_inside(at, len, r->next, r->end))
		return IMG_RUN_OUTSIDE;
	if (len > r->want - r->got)
		return IMG_RUN_TOO_MUCH;
	return IMG_RUN_OK;
}

static inline void img_run_add(struct img_run *r, uint64_t at, uint64_t len)
{
	r->next = at + len;
	r->got += len;
}

#endif /* DMTCP_IMG_RANGE_H */
