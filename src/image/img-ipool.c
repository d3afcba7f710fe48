/*
 * img-ipool.c - the restart decoder's inflate pool: an ordered output stream whose zlib chunks are
 * inflated on worker threads.  The calling thread appends plain bytes
 * (copied) and chunks (read with img_reader_zchunk) to a batch; a batch
 * holding 1 MiB of output goes to the workers, which inflate its chunks
 * and check their CRCs; the calling thread writes finished batches out
 * in order.  Batches group the many small chunks of small PAGES records
 * (one wake-up per MiB, not per page) and carry the record headers
 * between them; the first batches are smaller (64 KiB, doubling), so
 * the consumer starts early.  CRCs are computed by img-crc.c.  The window is fixed (2 * workers + 2 batches) and its
 * buffers are made once: memory is bounded whatever the image size.
 *
 * Each chunk is one zlib stream; the workers check its header by hand
 * and inflate the deflate data raw, so zlib does not compute the
 * Adler-32 of the trailer: the chunk's CRC-32 covers the same bytes,
 * and Adler-32 took 40% of the time of a decode (stored chunks then
 * cost a memcpy and a CRC).  The stream must still end exactly 4 bytes
 * (the trailer) before comp_len.
 */
#include "config.h"
#include "img-ipool.h"
#include "img-crc.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define OUT_CAP		(2u * IMG_ZCHUNK_MAX)
#define IN_CAP		(2u * IMG_ZCHUNK_COMP_MAX)
#define BATCH_FIRST	(64u << 10)	/* the first batch handed out */
#define BATCH_OUT	IMG_ZCHUNK_MAX	/* and the later ones, at most */
#define MAX_OPS		1024

enum { S_FREE, S_READY, S_BUSY, S_DONE };

struct op {			/* one chunk of a batch */
	struct img_zchunk c;
	uint64_t coff;		/* file offset of its header */
	uint64_t recno, rec_off;	/* its record, for the message */
	size_t in_off, out_off;
};

struct batch {
	int state;
	unsigned char *in, *out;
	size_t in_len, out_len;
	struct op *ops;
	int nops;
	uint64_t end;		/* stream offset after it, once written */
	const char *why;	/* NULL: every chunk inflated, CRC right */
	int bad;		/* else: the op that failed */
};

struct worker {
	struct img_ipool *p;
	pthread_t th;
	z_stream zs;
	int started;
};

struct img_ipool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int nworkers, nslots, quit;
	int failed;		/* errno of the first error, 0 if none */
	struct worker *w;
	struct batch *b;
	unsigned long head;	/* batches handed out; b[head] is built */
	unsigned long take;	/* next batch a worker looks at */
	unsigned long tail;	/* next batch to write out */
	size_t batch_out;	/* a batch this full is handed out */
	uint64_t written;	/* bytes passed to out */
	img_ipool_out *out;
	img_ipool_reuse *reuse;
	void *ctx;
};

/* one zlib stream of c.comp_len bytes into exactly c.raw_len bytes */
static const char *inflate_chunk(z_stream *zs, const struct op *op,
				 const unsigned char *in, unsigned char *out)
{
	unsigned cmf, flg;
	int rc;

	if (op->c.comp_len < 2 + 4)
		return "bad zlib data";
	cmf = in[0];
	flg = in[1];
	if ((cmf & 0x0f) != Z_DEFLATED || (cmf >> 4) > 7 ||
	    (cmf * 256 + flg) % 31 || (flg & 0x20))
		return "incorrect header check";
	if (inflateReset(zs) != Z_OK)
		return "inflateReset failed";
	zs->next_in = (unsigned char *)in + 2;
	zs->avail_in = op->c.comp_len - 2;
	zs->next_out = out;
	zs->avail_out = op->c.raw_len;
	rc = inflate(zs, Z_FINISH);
	/* what is left is the zlib trailer (Adler-32, not checked) */
	if (rc != Z_STREAM_END || zs->avail_out || zs->avail_in != 4)
		return rc == Z_STREAM_END ? "wrong length" :
			zs->msg ? zs->msg : "bad zlib data";
	if (img_crc32(0, out, op->c.raw_len) != op->c.crc)
		return "CRC mismatch";
	return NULL;
}

static void run_batch(z_stream *zs, struct batch *b)
{
	b->why = NULL;
	for (int i = 0; i < b->nops; i++) {
		const struct op *op = &b->ops[i];

		b->why = inflate_chunk(zs, op, b->in + op->in_off,
				       b->out + op->out_off);
		if (b->why) {
			b->bad = i;
			return;
		}
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct img_ipool *p = w->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct batch *b = NULL;

		while (!p->quit) {
			while (p->take != p->head &&
			       p->b[p->take % p->nslots].state != S_READY)
				p->take++;
			if (p->take != p->head)
				break;
			pthread_cond_wait(&p->work, &p->mu);
		}
		if (p->quit)
			break;
		b = &p->b[p->take++ % p->nslots];
		b->state = S_BUSY;
		pthread_mutex_unlock(&p->mu);
		run_batch(&w->zs, b);
		pthread_mutex_lock(&p->mu);
		b->state = S_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int ncpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

struct img_ipool *img_ipool_new(int nworkers, img_ipool_out *out,
				img_ipool_reuse *reuse, void *ctx)
{
	struct img_ipool *p = calloc(1, sizeof(*p));
	int e;

	if (!p)
		return NULL;
	if (nworkers <= 0)
		nworkers = ncpus();
	if (nworkers > 8)
		nworkers = 8;
	p->out = out;
	p->reuse = reuse;
	p->ctx = ctx;
	p->batch_out = BATCH_FIRST;
	p->nworkers = nworkers;
	p->nslots = 2 * nworkers + 2;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->w = calloc(nworkers, sizeof(*p->w));
	p->b = calloc(p->nslots, sizeof(*p->b));
	if (!p->w || !p->b)
		goto fail_nomem;
	for (int i = 0; i < p->nslots; i++) {
		p->b[i].in = malloc(IN_CAP);
		p->b[i].out = malloc(OUT_CAP);
		p->b[i].ops = malloc(MAX_OPS * sizeof(struct op));
		if (!p->b[i].in || !p->b[i].out || !p->b[i].ops)
			goto fail_nomem;
	}
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &p->w[i];

		w->p = p;
		if (inflateInit2(&w->zs, -MAX_WBITS) != Z_OK)
			goto fail_nomem;
		e = pthread_create(&w->th, NULL, work, w);
		if (e) {
			inflateEnd(&w->zs);
			errno = e;
			goto fail;
		}
		w->started = 1;
	}
	return p;

fail_nomem:
	errno = ENOMEM;
fail:
	e = errno;
	img_ipool_free(p);
	errno = e;
	return NULL;
}

void img_ipool_free(struct img_ipool *p)
{
	int e = errno;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; p->w && i < p->nworkers; i++) {
		if (!p->w[i].started)
			continue;
		pthread_join(p->w[i].th, NULL);
		inflateEnd(&p->w[i].zs);
	}
	for (int i = 0; p->b && i < p->nslots; i++) {
		free(p->b[i].in);
		free(p->b[i].out);
		free(p->b[i].ops);
	}
	free(p->b);
	free(p->w);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
	errno = e;
}

int img_ipool_workers(const struct img_ipool *p)
{
	return p->nworkers;
}

/* write out the oldest batch: 1 done, 0 not finished yet (!block), -1 */
static int write_oldest(struct img_ipool *p, struct img_reader *r, int block)
{
	struct batch *b = &p->b[p->tail % p->nslots];
	size_t len;

	int state;

	pthread_mutex_lock(&p->mu);
	while (b->state != S_DONE && block)
		pthread_cond_wait(&p->done, &p->mu);
	state = b->state;
	pthread_mutex_unlock(&p->mu);
	if (state != S_DONE)
		return 0;
	/* what came before a bad chunk goes out: the consumer sees a
	   prefix of the stream */
	len = b->why ? b->ops[b->bad].out_off : b->out_len;
	if (len && p->out(p->ctx, b->out, len) < 0) {
		p->failed = errno ? errno : EIO;
		return -1;
	}
	p->written += len;
	b->end = p->written;
	if (b->why) {
		const struct op *op = &b->ops[b->bad];

		r->recno = op->recno;
		r->rec_off = op->rec_off;
		img_reader_error(r, "zlib chunk at offset %llu: %s (corrupt "
				 "image)", (unsigned long long)op->coff,
				 b->why);
		errno = p->failed = EINVAL;
		return -1;
	}
	b->state = S_FREE;
	b->in_len = b->out_len = 0;
	b->nops = 0;
	p->tail++;
	return 1;
}

/* the batch being built goes to the workers (or, with no chunk in it,
   straight to the output queue); finished ones are written out */
static int submit(struct img_ipool *p, struct img_reader *r)
{
	struct batch *b = &p->b[p->head % p->nslots];
	int k;

	if (!b->out_len)
		return 0;
	if (p->batch_out < BATCH_OUT)
		p->batch_out *= 2;
	pthread_mutex_lock(&p->mu);
	b->why = NULL;
	b->state = b->nops ? S_READY : S_DONE;
	p->head++;
	if (b->nops)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	while (p->tail != p->head && (k = write_oldest(p, r, 0)) != 0)
		if (k < 0)
			return -1;
	return 0;
}

/* the batch at head is free to build (its old output taken) */
static int room(struct img_ipool *p, struct img_reader *r)
{
	struct batch *b = &p->b[p->head % p->nslots];

	if (p->failed) {
		errno = p->failed;
		return -1;
	}
	while (p->head - p->tail >= (unsigned long)p->nslots)
		if (write_oldest(p, r, 1) < 0)
			return -1;
	if (b->end && p->reuse) {
		if (p->reuse(p->ctx, b->end) < 0) {
			p->failed = errno ? errno : EIO;
			return -1;
		}
		b->end = 0;
	}
	return 0;
}

int img_ipool_bytes(struct img_ipool *p, struct img_reader *r,
		    const void *buf, size_t len)
{
	const char *c = buf;

	while (len) {
		struct batch *b;
		size_t n;

		if (room(p, r) < 0)
			return -1;
		b = &p->b[p->head % p->nslots];
		n = OUT_CAP - b->out_len;
		if (n > len)
			n = len;
		memcpy(b->out + b->out_len, c, n);
		b->out_len += n;
		c += n;
		len -= n;
		if (b->out_len >= p->batch_out && submit(p, r) < 0)
			return -1;
	}
	return 0;
}

int img_ipool_chunk(struct img_ipool *p, struct img_reader *r,
		    uint32_t *raw_len)
{
	struct batch *b;
	struct op *op;
	int k;

	if (room(p, r) < 0)
		return -1;
	b = &p->b[p->head % p->nslots];
	if (OUT_CAP - b->out_len < IMG_ZCHUNK_MAX ||
	    IN_CAP - b->in_len < IMG_ZCHUNK_COMP_MAX || b->nops == MAX_OPS) {
		if (submit(p, r) < 0 || room(p, r) < 0)
			return -1;
		b = &p->b[p->head % p->nslots];
	}
	op = &b->ops[b->nops];
	k = img_reader_zchunk(r, &op->c, b->in + b->in_len, &op->coff);
	if (k <= 0)
		return k;
	op->recno = r->recno;
	op->rec_off = r->rec_off;
	op->in_off = b->in_len;
	op->out_off = b->out_len;
	b->in_len += op->c.comp_len;
	b->out_len += op->c.raw_len;
	b->nops++;
	*raw_len = op->c.raw_len;
	if (b->out_len >= p->batch_out && submit(p, r) < 0)
		return -1;
	return 1;
}

int img_ipool_flush(struct img_ipool *p, struct img_reader *r)
{
	if (p->failed) {
		errno = p->failed;
		return -1;
	}
	if (submit(p, r) < 0)
		return -1;
	while (p->tail != p->head)
		if (write_oldest(p, r, 1) < 0)
			return -1;
	return 0;
}
