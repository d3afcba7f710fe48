/*
 * snapdir.h - the snapshots of a timeline directory (timeline, bisect):
 * every ckpt_*.dmtcp image's metadata loaded, grouped by computation
 * (img_proc.comp_id) and generation, ordered, numbered from 1, with
 * the SNAP record of each (an image without one is an untagged COMMAND
 * snapshot continuing generation - 1, timed by its header's ctime).
 */
#ifndef DMTCP_INSPECT_SNAPDIR_H
#define DMTCP_INSPECT_SNAPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

struct snap_img {
	char *path;		/* DIR/ckpt_....dmtcp */
	struct img_meta *m;
	uint64_t size;		/* file size */
};

struct snapshot {
	int number;		/* 1-based, in listing order */
	int comp;		/* index of its computation */
	uint32_t generation;
	struct snap_img *imgs;	/* sorted by pid */
	size_t nimgs;
	int has_snap;		/* some image had a SNAP record: snap */
	struct img_snap snap;
	uint32_t prev_generation;	/* snap's, or generation - 1 */
	int prev;		/* index of the snapshot it continues, -1 */
	int branch;		/* prev is not the snapshot just before it
				   in its computation: a restart from an
				   older snapshot started a branch */
	int crash;		/* a crash image (--ckpt-on-crash): one
				   process's own snapshot, apart from the
				   generation of the same number, after it;
				   no snapshot continues it */
	double time_s;		/* since the computation's start; < 0: ? */
};

struct snapdir {
	char *dir;
	struct snapshot *s;	/* computations in order of their first
				   snapshot, each by generation */
	size_t n;
	char (*comps)[64];	/* comp_id of each computation */
	size_t ncomps;
};

/* Loads dir: 0, or -1 with the message printed (no such directory, no
 * image in it).  Unreadable images are skipped with a warning. */
int snapdir_load(struct snapdir *sd, const char *dir);
void snapdir_free(struct snapdir *sd);

/* "command", "interval", "api", "gdb", "signal", "crash" */
const char *snap_trigger_name(uint32_t trigger);

#endif /* DMTCP_INSPECT_SNAPDIR_H */
