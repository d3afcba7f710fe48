/*
 * img-zpool.h - worker threads that compress the zlib chunks of a gzip
 * image for the writer (img-write.c).  The caller copies chunks into
 * jobs; workers compress them; finished jobs come back to the caller's
 * retire function strictly in the order the chunks were added.
 */
#ifndef DMTCP_IMG_ZPOOL_H
#define DMTCP_IMG_ZPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

#define ZP_JOB_IN	IMG_ZCHUNK_MAX	/* input bytes of one job */
#define ZP_JOB_CHUNKS	256		/* chunks of one job at most */

/* marks of a chunk (the caller's: where records begin and end) */
#define ZP_REC_BEGIN	1u
#define ZP_REC_END	2u

struct zp_chunk {
	uint32_t in_off, raw_len;	/* caller: its bytes in job->in */
	uint32_t out_off, out_len;	/* worker: struct img_zchunk + the
					   zlib stream, in job->out */
	uint32_t mark;			/* caller: ZP_REC_* */
	struct img_rec rec;		/* caller: its record's header */
};

struct zp_job {
	uint32_t done;			/* futex: sequence number + 1 once
					   compressed */
	int err;			/* worker: 0 or an errno value */
	uint32_t nchunks, in_used;	/* caller */
	size_t out_bound;		/* caller: out bytes reserved */
	size_t out_len;			/* worker: out bytes used, chunks
					   back to back */
	unsigned char *in, *out;
	struct zp_chunk chunk[ZP_JOB_CHUNKS];
};

struct img_zpool;

/* Hands a compressed job (or one whose err is set) back to the writer,
 * in order: 0 or -1 (the writer is dead). */
typedef int zp_retire_fn(void *ctx, const struct zp_job *job);

/* CPUs this thread may run on (sched_getaffinity), at least 1. */
int zpool_ncpus(void);
/* A pool of nworkers (2..IMG_ZTHREADS_MAX) threads compressing at
 * level, all in one mmap'd region of *map_len bytes starting at the
 * returned pointer; NULL with errno if it could not be set up (nothing
 * left behind).  Fewer workers than asked if clone fails part way. */
struct img_zpool *zpool_open(int nworkers, int level, size_t *map_len);
/* Worker threads running. */
int zpool_nworkers(const struct img_zpool *p);
/* Copies data[0, n) (n <= ZP_JOB_IN) into a job as one chunk marked
 * mark, of the record rec; retires finished jobs through fn (waiting
 * for one if every job is taken).  0, or fn's -1. */
int zpool_add(struct img_zpool *p, const void *data, size_t n, uint32_t mark,
	      const struct img_rec *rec, zp_retire_fn *fn, void *ctx);
/* Chunks added and not yet retired. */
int zpool_busy(const struct img_zpool *p);
/* Retires every chunk added, waiting for them.  0, or fn's -1. */
int zpool_drain(struct img_zpool *p, zp_retire_fn *fn, void *ctx);
/* Stops the workers (each finishes its job and exits), waits until
 * they are gone, unmaps the pool.  Jobs not retired are dropped. */
void zpool_close(struct img_zpool *p);

#endif /* DMTCP_IMG_ZPOOL_H */
