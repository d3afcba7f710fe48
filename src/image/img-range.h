/*
 * img-range.h - the rule that places PAGES and FILEDATA records, as a
 * static inline function.  Freestanding (no header but stdint.h): the
 * writer (img-write.c), the reader's walker (img-walk.c) and the restore
 * checks that mtcp_restart runs too (restore-check.c) apply the same
 * rule.
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

#endif /* DMTCP_IMG_RANGE_H */
