/*
 * image/dirty.h - which pages changed since the last committed
 * checkpoint, for incremental images (doc/design.md, "Dirty-page
 * tracking").  One mechanism per process image: soft-dirty bits,
 * userfaultfd write-protection in asynchronous mode read with the
 * PAGEMAP_SCAN ioctl, or page hashes.  Rule: image/ layer, uses base/
 * and src/common only; after dirty_init it allocates nothing (its
 * tables live in one mapping made at dirty_init, which the writer
 * leaves out of the image: dirty_private_ranges), and never maps or
 * unmaps memory between dirty_begin and dirty_end, so /proc/self/maps
 * reads the same before and after the collects.
 */
#ifndef DMTCP_PRELOAD_IMAGE_DIRTY_H
#define DMTCP_PRELOAD_IMAGE_DIRTY_H

#include <stddef.h>
#include <stdint.h>

#ifndef HIDDEN
#define HIDDEN __attribute__((visibility("hidden")))
#endif

enum dirty_mech { DIRTY_NONE, DIRTY_SOFTDIRTY, DIRTY_UFFD, DIRTY_HASH };

/*
 * Pick the mechanism (once per process image: at library start, in the
 * child after fork, after a restart): DMTCP_DIRTY=auto|soft-dirty|uffd|
 * hash|none (unset: auto).  auto: soft-dirty if the kernel has it (probe:
 * clear_refs 4, write a page, pagemap bit 55), else userfaultfd
 * write-protect in async mode with PAGEMAP_SCAN (UFFD_USER_MODE_ONLY,
 * UFFD_FEATURE_WP_ASYNC, WP_UNPOPULATED if present), else page hashes.
 * A forced mechanism the kernel lacks: a warning naming it and why, then
 * the best available one.  Returns the mechanism chosen.  No malloc
 * after this call.  Calling it again without dirty_reset returns the
 * mechanism already chosen.
 */
enum dirty_mech dirty_init(void) HIDDEN;
enum dirty_mech dirty_mech(void) HIDDEN;
const char *dirty_mech_name(enum dirty_mech m) HIDDEN;

/* Called in the frozen window of a checkpoint, before any dirty_collect
   (reads /proc/self/maps once: which areas are anonymous, shared,
   readable). */
void dirty_begin(void) HIDDEN;

/*
 * For one memory area [start, end) (page aligned; one line of
 * /proc/self/maps) about to be saved: set bit i of bitmap (uint64_t
 * words, (end-start)/4096 bits; the function clears it first) when page
 * start+i*4096 may have changed since the last successful generation's
 * dirty_end(1): written, or dropped (madvise, munmap+mmap).  Returns 1
 * when the answer is reliable (the whole area was tracked since then),
 * 0 when it was not (new area, grown, remapped, first checkpoint, an
 * area kind the mechanism cannot track, mechanism NONE): the caller
 * stores the area whole.  Either way the area is tracked from now on
 * where the mechanism can.  Hash mode may miss a page rewritten with
 * the same bytes (it did not change) and, with odds of 2^-64 a page, a
 * change that keeps the 64-bit hash.
 */
int dirty_collect(uint64_t start, uint64_t end, uint64_t *bitmap) HIDDEN;

/* After all areas: ok=1 if the image was written and committed; ok=0
   (any failure) forgets everything so the next dirty_collect answers 0
   everywhere.  An area this checkpoint did not collect is forgotten too
   (the image has no copy of it to be the parent of a delta).
   Soft-dirty clears the bits of the whole process here. */
void dirty_end(int ok) HIDDEN;

/* The memory the module owns (its one mapping: tables, buffers): the
   writer leaves it out of the image.  Calls fn for each range. */
void dirty_private_ranges(void (*fn)(void *arg, const void *p, size_t len),
			  void *arg) HIDDEN;

/* The child of the application's fork(), and after a restart: start
   over (close the descriptors, forget the tables), then dirty_init
   again, which takes the tables' mapping back when /proc/self/maps
   still shows it (never unmapping what may have been mapped there
   since).  A child that skips it answers 0 everywhere. */
void dirty_reset(void) HIDDEN;

/* What the probe found (tests, dmtcp_inspect-like reports): 1 if the
   kernel offers the mechanism, else 0 with why[] saying why. */
int dirty_available(enum dirty_mech m, char *why, size_t cap) HIDDEN;

/* Soft-dirty's reading of n /proc/self/pagemap entries (pure; the
   unit test feeds it entries, the kernel here has no soft-dirty): page
   first+k's bit in bm is set when reliable and entry k has bit 55, or
   pop[k] says it was present or swapped and it is neither now; pop[k]
   becomes what it is now. */
void dirty_softdirty_pages(const uint64_t *pm, size_t n, unsigned char *pop,
			   int reliable, uint64_t *bm, uint64_t first) HIDDEN;

#endif /* DMTCP_PRELOAD_IMAGE_DIRTY_H */
