/*
 * img-zchunk.c - one zlib chunk of a gzip image: its level, chosen from
 * its own bytes, and its compression.  Runs in the writer's calling
 * thread and in its worker threads (no TLS there: nothing here touches
 * errno or calls libc beyond memset; zlib's deflate and crc32 do not
 * either).
 */
#include "config.h"
#include "img-zchunk.h"
#include "img.h"

#include <errno.h>
#include <string.h>

#define SEG		4096u	/* level chosen per segment (a page) */
#define PIECE		256u	/* sampled: 2 pieces of a segment */
#define PIECE_AT	2048u	/* the second piece's offset */

/* 4-byte value at p */
static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Whether the segment p[0, n) looks random (or already compressed):
 * deflate costs its full time there (about 30 MB/s at level 1) for
 * nothing, while stored it costs a memcpy.  Two pieces of 256 bytes are
 * sampled (the segment whole if shorter).  Random means both:
 *  - the byte values collide no more often than 2^-7.75 (collision
 *    probability sum(p_i^2) estimated without bias as sum c_i (c_i - 1)
 *    / (m (m - 1)); 1/256 for random bytes, many times that for text,
 *    pointers, code or zeros): Renyi entropy, hence Shannon entropy, at
 *    least 7.75 bits per byte, which Huffman coding cannot shrink by 1/32;
 *  - no 4-byte string seen twice in the sample (patterns made of all
 *    byte values, which deflate's matches do shrink; a random sample has
 *    none but by a chance of 1 in 30000).  A piece (hence a segment) is
 *    at least 512 bytes: seg_level() leaves shorter ones to their
 *    neighbour.
 */
static int seg_random(const unsigned char *p, size_t n)
{
	unsigned char q[2 * PIECE];
	uint32_t cnt[256];
	uint16_t last[256];
	uint64_t m = sizeof(q), sum = 0;
	size_t at = n < PIECE_AT + PIECE ? n - PIECE : PIECE_AT;
	int repeats = 0;

	memcpy(q, p, PIECE);
	memcpy(q + PIECE, p + at, PIECE);
	memset(cnt, 0, sizeof(cnt));
	memset(last, 0xff, sizeof(last));
	for (size_t i = 0; i < sizeof(q); i++)
		cnt[q[i]]++;
	for (size_t i = 0; i + 4 <= sizeof(q); i++) {
		uint32_t v = rd32(q + i);
		unsigned h = (v * 2654435761u) >> 24;

		if (last[h] != 0xffff && rd32(q + last[h]) == v)
			repeats++;
		last[h] = i;
	}
	if (repeats > 1)
		return 0;
	for (int i = 0; i < 256; i++)
		sum += (uint64_t)cnt[i] * (cnt[i] ? cnt[i] - 1 : 0);
	/* sum / (m (m - 1)) <= 2^-7.75 = 1.1892 / 256 */
	return sum * 256 * 10000 <= 11892 * m * (m - 1);
}

/* the level of the segment at p (SEG bytes or the rest of the chunk),
   or -1 for a piece too short to judge (it goes with its neighbour) */
static int seg_level(int level, const unsigned char *p, size_t n)
{
	if (n < 2 * PIECE)
		return -1;
	return level && seg_random(p, n < SEG ? n : SEG) ? 0 : level;
}

int zchunk_compress(z_stream *zs, int *cur_level, int level,
		    const unsigned char *in, size_t n, unsigned char *out,
		    size_t cap, uint32_t *comp_len, uint32_t *crc)
{
	size_t pos = 0;
	int lv, rc;

	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (deflateReset(zs) != Z_OK)
		return EIO;
	zs->next_in = (Bytef *)in;
	zs->next_out = out;
	zs->avail_out = cap;
	lv = seg_level(level, in, n);
	if (lv < 0)
		lv = level;
	while (pos < n) {
		/* a run of segments of one level, compressed in one go */
		size_t end = pos + (n - pos < SEG ? n - pos : SEG);
		int next = lv, flush;

		while (end < n) {
			next = seg_level(level, in + end, n - end);
			if (next >= 0 && next != lv)
				break;
			next = lv;
			end += n - end < SEG ? n - end : SEG;
		}
		/* on a reset stream this changes parameters only; later it
		   ends the current deflate block first (zlib's Z_BLOCK) */
		if (lv != *cur_level) {
			rc = deflateParams(zs, lv, Z_DEFAULT_STRATEGY);
			if (rc != Z_OK)
				return rc == Z_BUF_ERROR ? EOVERFLOW : EIO;
			*cur_level = lv;
		}
		zs->avail_in = end - pos;
		flush = end == n ? Z_FINISH : Z_NO_FLUSH;
		rc = deflate(zs, flush);
		if (flush == Z_FINISH ? rc != Z_STREAM_END :
		    rc != Z_OK || zs->avail_in)
			return rc == Z_BUF_ERROR || rc == Z_OK ? EOVERFLOW
							       : EIO;
		pos = end;
		lv = next;
	}
	*comp_len = zs->total_out;
	*crc = crc32_z(0, in, n);
	return 0;
}

/* zlib allocator on the arena: bump pointer, never freed one by one */
static voidpf zarena_alloc(voidpf opaque, uInt items, uInt size)
{
	struct img_zarena *a = opaque;
	size_t n = (size_t)items * size;
	size_t at = (a->used + 15) & ~(size_t)15;

	if (size && n / size != items)
		return Z_NULL;
	if (at > a->cap || a->cap - at < n)
		return Z_NULL;
	a->used = at + n;
	return a->base + at;
}

static void zarena_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

z_stream *zchunk_deflate_new(struct img_zarena *a, int level)
{
	z_stream *zs = zarena_alloc(a, 1, sizeof(*zs));

	if (!zs)
		return NULL;
	memset(zs, 0, sizeof(*zs));
	zs->zalloc = zarena_alloc;
	zs->zfree = zarena_free;
	zs->opaque = a;
	if (deflateInit2(zs, level, Z_DEFLATED, 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	return zs;
}
