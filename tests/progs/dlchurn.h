/*
 * dlchurn.h - what libdlchurn.so computes, shared by the library and by
 * dlopen_churn, which checks every result the library gives against its
 * own computation.  The table is 8 KiB of .rodata, so the library spans
 * several pages of the file.
 */
#ifndef DLCHURN_H
#define DLCHURN_H

#include <stdint.h>

#define DLC_S16   "dlchurn-0123456/"
#define DLC_S64   DLC_S16 DLC_S16 DLC_S16 DLC_S16
#define DLC_S256  DLC_S64 DLC_S64 DLC_S64 DLC_S64
#define DLC_S1K   DLC_S256 DLC_S256 DLC_S256 DLC_S256
#define DLC_TABLE DLC_S1K DLC_S1K DLC_S1K DLC_S1K DLC_S1K DLC_S1K DLC_S1K DLC_S1K

#define DLC_DATA0	1000	/* initial value of the library's .data counter */
#define DLC_BSS_WORDS	(64 * 1024)	/* 512 KiB of .bss: a zero-fill tail */

/* FNV-1a of the table, seeded: the library's dlc_sum(seed) */
static inline uint64_t dlc_expected_sum(const char *table, uint64_t seed)
{
	uint64_t h = 1469598103934665603ULL ^ seed;

	for (const char *t = table; *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ULL;
	return h;
}

#endif /* DLCHURN_H */
