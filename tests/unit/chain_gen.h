/*
 * chain_gen.h - synthetic chains of incremental images for the tests
 * (tests/unit/test_image_chain.c, tests/progs/chain_gen_main.c): a full
 * image and two deltas written with the image writer, and the memory a
 * restart of the newest must give (the model the merged image is
 * checked against, page by page).
 */
#ifndef CHAIN_GEN_H
#define CHAIN_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

#define CG_MAXAREAS	8
#define CG_MAXPAGES	16
#define CG_NGENS	3

/* One area as a generation writes it.  op[p] for page p: 'd' new data
 * stored, 'z' a zero page (delta areas), '.' not stored (full area:
 * fresh mapping; delta area: the parent's). */
struct cg_area {
	uint64_t start;
	unsigned npages;
	uint32_t kind;		/* IMG_AREA_* */
	int delta;		/* IMG_AF_DELTA */
	const char *path;
	const char *op;		/* npages characters */
	uint32_t flags;		/* more IMG_AF_* */
};

struct cg_gen {
	unsigned nareas;
	struct cg_area a[CG_MAXAREAS];
};

/* What a page of the newest image restores to */
struct cg_page {
	int stored;		/* 0: the fresh mapping's */
	unsigned char data[IMG_PAGE_SIZE];
};

struct cg_view {
	unsigned nareas;
	struct {
		uint64_t start;
		unsigned npages;
		struct cg_page *pages;
	} a[CG_MAXAREAS];
};

/* The scenario: gen 1 full; gen 2 changes pages, zeroes one, grows an
 * area, drops one, adds one; gen 3 changes again and maps a new delta
 * area where gen 1 (not gen 2) had one. */
extern const struct cg_gen cg_scenario[CG_NGENS];

/* Overrides for crafted chains (0 / NULL: the right value) */
struct cg_opts {
	uint32_t flags;		/* IMG_F_GZIP or 0 */
	uint32_t depth;		/* PARENT depth of the image written */
	const char *parent_name;	/* PARENT name */
	const uint8_t *parent_id;	/* PARENT parent_id */
};

/*
 * Writes generation g (0-based) of gens to path; for g > 0 a delta image
 * whose parent is parent_path (its id and name read from it).  view (may
 * be NULL) is updated from the previous generation's to this one's.
 * 0, or -1 with a message on stderr.
 */
int cg_write_gen(const struct cg_gen *gens, unsigned g, const char *path,
		 const char *parent_path, const struct cg_opts *o,
		 struct cg_view *view);
/* The whole scenario into dir as PREFIX_1.dmtcp .. PREFIX_3.dmtcp; the
 * paths (malloc'd) in paths[], the final view in view.  0 or -1. */
int cg_write_chain(const char *dir, const char *prefix, uint32_t flags,
		   char *paths[CG_NGENS], struct cg_view *view);
/* The full image a merge of the chain must equal (records as the merge
 * writes them: one PAGES record per run of stored pages) */
int cg_write_expected(const struct cg_gen *gens, unsigned g,
		      const struct cg_view *view, const char *path,
		      uint32_t flags);
void cg_view_free(struct cg_view *view);

#endif /* CHAIN_GEN_H */
