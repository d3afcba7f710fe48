/*
 * image/image.h - the checkpoint image of this process: memory areas
 * read from /proc/self/maps and written with the threads, fds and the
 * process state (image/write.c, doc/image-format.md).  Rule: image/ uses
 * fd/ (FILE records), ipc/ (the side file), threads/ and base/; it runs
 * on the checkpoint thread while the others are frozen, and allocates
 * nothing.
 */
#ifndef DMTCP_PRELOAD_IMAGE_H
#define DMTCP_PRELOAD_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/state.h"

/* DMTCP_FULL_EVERY: a chain of incremental images starts again with a
   full image every this many generations (doc/design.md) */
#define DMTCP_FULL_EVERY_DEFAULT 8

int dmtcp_write_image(const char *dir, const char *suffix, char *path_out,
		      uint64_t *bytes, char *err, size_t errcap) HIDDEN;
/*
 * The same in two steps (a forked checkpoint, ckpt/bgwrite.c): begin, in
 * the frozen window, writes all but the memory; finish writes the
 * memory, syncs and renames (in place, or in a forked child).  After a
 * fork the process calls dmtcp_image_forked (its copies go, the files
 * stay); dmtcp_image_abort drops the files of an image not finished.
 * dmtcp_image_forkable: 1 if a child may write the memory, else 0 and
 * why; dmtcp_image_resident(0): before the fork, counts what
 * dmtcp_image_check_map compares in the child: 0 if its memory map is
 * the one the image describes and no area was wiped by the fork.
 */
int dmtcp_image_begin(const char *dir, const char *suffix, char *path_out,
		      char *err, size_t errcap) HIDDEN;
int dmtcp_image_finish(uint64_t *bytes, char *err, size_t errcap) HIDDEN;
int dmtcp_image_forkable(char *why, size_t cap) HIDDEN;
int dmtcp_image_check_map(char *why, size_t cap) HIDDEN;
int dmtcp_image_resident(int child, char *why, size_t cap) HIDDEN;
void dmtcp_image_forked(void) HIDDEN;
void dmtcp_image_abort(void) HIDDEN;
int dmtcp_image_fd(void) HIDDEN;	/* the image being written, or -1 */
/* Incremental images: the coordinator's verdict on the image written
 * last (1 committed: the next may be its delta); a new process image
 * (restart, fork) starts with a full image. */
void dmtcp_image_committed(int ok) HIDDEN;
void dmtcp_image_chain_reset(void) HIDDEN;
/* The image name of this process in the current generation: 0, or -1
 * (too long).  suffix "" for a checkpoint, "_crash" for a crash image. */
int dmtcp_image_path(const char *dir, const char *suffix, char *path,
		     size_t cap) HIDDEN;
/* Delete an image and its side file (a checkpoint that did not commit). */
void dmtcp_image_discard(const char *path) HIDDEN;

#endif /* DMTCP_PRELOAD_IMAGE_H */
