/*
 * img-ipool.h - an ordered output stream whose zlib chunks are inflated
 * on worker threads (img-ipool.c), for the decoder that feeds
 * mtcp_restart.  Not installed, not used outside src/image.
 */
#ifndef DMTCP_IMG_IPOOL_H
#define DMTCP_IMG_IPOOL_H

#include <stddef.h>

#include "img.h"

struct img_ipool;

/* Where the output goes, in order: 0 or -1 (the callee has put its
 * message in the reader and set errno). */
typedef int img_ipool_out(void *ctx, const void *buf, size_t len);

/* Called before the output buffer of a batch that was passed to out
 * up to stream offset end is written into again: returns once the
 * consumer has taken those bytes (0) or -1, as out.  For an out that
 * keeps a reference to the bytes (vmsplice); NULL when out copies. */
typedef int img_ipool_reuse(void *ctx, uint64_t end);

/* nworkers threads (0: one per CPU the process may run on, at most 8);
 * a window of 2 * nworkers + 2 batches in flight, each at most 2 MiB
 * of output and 2 chunks' worth of input, all allocated here, once.
 * NULL with errno on failure. */
struct img_ipool *img_ipool_new(int nworkers, img_ipool_out *out,
				img_ipool_reuse *reuse, void *ctx);
/* Waits for the jobs still running (their output is dropped). */
void img_ipool_free(struct img_ipool *p);
int img_ipool_workers(const struct img_ipool *p);

/*
 * Append len bytes to the stream (copied).  0, or -1 when writing out
 * earlier output failed or an earlier chunk was bad (the message is in
 * r: image, record, chunk offset, as the serial reader words it).
 */
int img_ipool_bytes(struct img_ipool *p, struct img_reader *r,
		    const void *buf, size_t len);
/*
 * Read the next zlib chunk of r's current record (img_reader_zchunk)
 * and append its inflated bytes to the stream: 1 (*raw_len set), 0
 * after the last chunk of the record, -1 on error (as above).
 */
int img_ipool_chunk(struct img_ipool *p, struct img_reader *r,
		    uint32_t *raw_len);
/* Everything appended so far inflated, checked and written out: 0 or
 * -1 (the first error in the order of the stream is reported). */
int img_ipool_flush(struct img_ipool *p, struct img_reader *r);

#endif /* DMTCP_IMG_IPOOL_H */
