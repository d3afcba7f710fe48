/*
 * img-zpool.h - an ordered output stream whose zlib chunks are inflated
 * on worker threads (img-zpool.c), for the decoder that feeds
 * mtcp_restart.  Not installed, not used outside src/image.
 */
#ifndef DMTCP_IMG_ZPOOL_H
#define DMTCP_IMG_ZPOOL_H

#include <stddef.h>

#include "img.h"

struct img_zpool;

/* Where the output goes, in order: 0 or -1 (the callee has put its
 * message in the reader and set errno). */
typedef int img_zpool_out(void *ctx, const void *buf, size_t len);

/* Called before the output buffer of a batch that was passed to out
 * up to stream offset end is written into again: returns once the
 * consumer has taken those bytes (0) or -1, as out.  For an out that
 * keeps a reference to the bytes (vmsplice); NULL when out copies. */
typedef int img_zpool_reuse(void *ctx, uint64_t end);

/* nworkers threads (0: one per CPU the process may run on, at most 8);
 * a window of 2 * nworkers + 2 batches in flight, each at most 2 MiB
 * of output and 2 chunks' worth of input, all allocated here, once.
 * NULL with errno on failure. */
struct img_zpool *img_zpool_new(int nworkers, img_zpool_out *out,
				img_zpool_reuse *reuse, void *ctx);
/* Waits for the jobs still running (their output is dropped). */
void img_zpool_free(struct img_zpool *p);
int img_zpool_workers(const struct img_zpool *p);

/*
 * Append len bytes to the stream (copied).  0, or -1 when writing out
 * earlier output failed or an earlier chunk was bad (the message is in
 * r: image, record, chunk offset, as the serial reader words it).
 */
int img_zpool_bytes(struct img_zpool *p, struct img_reader *r,
		    const void *buf, size_t len);
/*
 * Read the next zlib chunk of r's current record (img_reader_zchunk)
 * and append its inflated bytes to the stream: 1 (*raw_len set), 0
 * after the last chunk of the record, -1 on error (as above).
 */
int img_zpool_chunk(struct img_zpool *p, struct img_reader *r,
		    uint32_t *raw_len);
/* Everything appended so far inflated, checked and written out: 0 or
 * -1 (the first error in the order of the stream is reported). */
int img_zpool_flush(struct img_zpool *p, struct img_reader *r);

#endif /* DMTCP_IMG_ZPOOL_H */
