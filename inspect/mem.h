/*
 * mem.h - the process memory an image holds, readable at any address:
 * stored pages (raw payloads read in place, gzip chunks inflated on
 * demand through a small cache), unstored pages of file mappings from
 * the backing file when it is still the same file, unstored anonymous
 * pages as zeros.  Used by symbol/backtrace (libdwfl memory_read), core
 * and diff.
 */
#ifndef DMTCP_INSPECT_MEM_H
#define DMTCP_INSPECT_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

/* Where the bytes of a page come from */
enum insp_src {
	INSP_SRC_NONE = 0,	/* not available (vvar, changed file, ...) */
	INSP_SRC_STORED,	/* page data in the image */
	INSP_SRC_FILE,		/* unstored, read from the backing file */
	INSP_SRC_ZERO,		/* unstored anonymous page: zeros */
};

/* State of an area's backing file, checked once when first needed */
enum insp_file_state {
	INSP_FILE_NONE = 0,	/* no backing file */
	INSP_FILE_SAME,		/* same inode, size and mtime (or build-id) */
	INSP_FILE_CHANGED,	/* exists but differs from checkpoint time */
	INSP_FILE_MISSING,	/* cannot be opened */
};

struct insp_mem;

/*
 * Indexes the PAGES records of the image m was loaded from (m must
 * outlive the reader); an incremental image's chain is opened
 * (img_chain_open) and each page read from the image of the chain that
 * holds it, that image's PAGES indexed when first needed.  NULL on
 * failure with the message in err.
 */
struct insp_mem *insp_mem_open(const struct img_meta *m, char *err,
			       size_t errcap);
void insp_mem_close(struct insp_mem *mem);

/*
 * Reads [addr, addr + len), which must lie inside one page of area
 * index ai.  Returns the page's enum insp_src (buf zero-filled for
 * INSP_SRC_NONE), or -1 if the image is corrupt there (message in
 * insp_mem_error()).
 */
int insp_mem_read_page(struct insp_mem *mem, size_t ai, uint64_t addr,
		       void *buf, size_t len);

/* Reads len bytes at any address: 0 when every byte is available, -1
 * when some byte is unmapped, unavailable or corrupt. */
int insp_mem_read(struct insp_mem *mem, uint64_t addr, void *buf,
		  size_t len);

/* True if any byte of page [addr, addr + 4096) of area ai is stored in
 * the image (as opposed to file, zero or unavailable). */
int insp_mem_page_stored(struct insp_mem *mem, size_t ai, uint64_t addr);

enum insp_file_state insp_mem_file_state(struct insp_mem *mem, size_t ai);
const char *insp_file_state_name(enum insp_file_state s);

/* The message of the last -1 from insp_mem_read_page(). */
const char *insp_mem_error(const struct insp_mem *mem);

#endif /* DMTCP_INSPECT_MEM_H */
