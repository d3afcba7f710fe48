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

int dmtcp_write_image(const char *dir, const char *suffix, char *path_out,
		      uint64_t *bytes, char *err, size_t errcap) HIDDEN;
/* The image name of this process in the current generation: 0, or -1
 * (too long).  suffix "" for a checkpoint, "_crash" for a crash image. */
int dmtcp_image_path(const char *dir, const char *suffix, char *path,
		     size_t cap) HIDDEN;
/* Delete an image and its side file (a checkpoint that did not commit). */
void dmtcp_image_discard(const char *path) HIDDEN;

#endif /* DMTCP_PRELOAD_IMAGE_H */
