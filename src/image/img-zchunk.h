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

/* Bytes of zlib stream a chunk of n bytes may take (deflateBound() for
 * windowBits 15, memLevel 8, at any level, plus slack). */
static inline size_t zchunk_bound(size_t n)
{
	return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 64;
}

/* The level for the chunk p[0, n): level, or 0 (stored) when a sample
 * of its bytes looks random.  Depends on the bytes only. */
int zchunk_level(int level, const unsigned char *p, size_t n);

/*
 * One complete zlib stream of in[0, n) at level into out (cap bytes)
 * through zs, whose level is *cur_level (updated); *comp_len and *crc
 * (crc32 of the input) set.  0, or an errno value (EOVERFLOW, EIO):
 * errno itself is not touched (the workers have no TLS of their own).
 */
int zchunk_compress(z_stream *zs, int *cur_level, int level,
		    const unsigned char *in, size_t n, unsigned char *out,
		    size_t cap, uint32_t *comp_len, uint32_t *crc);

#endif /* DMTCP_IMG_ZCHUNK_H */
