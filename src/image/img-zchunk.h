/*
 * img-zchunk.h - one zlib chunk of a gzip image (doc/image-format.md
 * "zlib chunks"): the level it is compressed at and its compression.
 * Shared by the writer's calling thread (img-write.c) and its worker
 * threads (img-zpool.c), so that both write the same bytes.
 */
#ifndef DMTCP_IMG_ZCHUNK_H
#define DMTCP_IMG_ZCHUNK_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

struct img_zarena;

/* A deflate stream at level whose state (the z_stream too) is on the
 * arena a (img.h), or NULL (ENOMEM): the writer's calling thread and
 * each worker thread have one. */
z_stream *zchunk_deflate_new(struct img_zarena *a, int level);

/* Bytes of zlib stream a chunk of n bytes may take: stored, plus a
 * block boundary (at most 8 bytes) at every 4 KiB segment where the
 * level changes, the zlib header and trailer, and slack. */
static inline size_t zchunk_bound(size_t n)
{
	return n + (n >> 12) * 8 + 8 + 64;
}

/*
 * One complete zlib stream of in[0, n) into out (cap bytes, at least
 * zchunk_bound(n)) through zs, whose level is *cur_level (updated):
 * 4 KiB segments that look random are stored (level 0), the others
 * compressed at level.  The bytes depend only on the input and level.
 * *comp_len and *crc (crc32 of the input) set.  0, or an errno value
 * (EOVERFLOW, EIO): errno itself is not touched (the workers have no TLS
 * of their own).
 */
int zchunk_compress(z_stream *zs, int *cur_level, int level,
		    const unsigned char *in, size_t n, unsigned char *out,
		    size_t cap, uint32_t *comp_len, uint32_t *crc);

#endif /* DMTCP_IMG_ZCHUNK_H */
