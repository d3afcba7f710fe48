/*
 * img-zchunk.c - one zlib chunk of a gzip image: its level, chosen from
 * its own bytes, and its compression.  Runs in the writer's calling
 * thread and in its worker threads (no TLS there: nothing here touches
 * errno or calls libc beyond memset; zlib's deflate and crc32 do not
 * either).
 */
#include "config.h"
#include "img-zchunk.h"

#include <errno.h>
#include <string.h>

#define SAMPLE_PIECES	16
#define SAMPLE_PIECE	1024u	/* 16 KiB of sample per chunk at most */
#define SAMPLE_MIN	1024u	/* smaller chunks are just compressed */

/*
 * Random or already compressed bytes cost deflate its full time (about
 * 30 MB/s at level 1) for nothing; stored (level 0) they cost a memcpy.
 * The test is the sample's collision probability sum(p_i^2) over byte
 * values, estimated without bias as sum c_i (c_i - 1) / (m (m - 1)):
 * 1/256 for random bytes, several times that for text, pointers, code
 * or zeros.  At or below 2^-7.75 (Renyi entropy >= 7.75 bits per byte,
 * so Shannon entropy too) Huffman coding cannot shrink the data by 1/32
 * and the chunk is stored.  Repetitions of random data within deflate's
 * 32 KiB window would be missed: rare in memory, and only costs space.
 */
int zchunk_level(int level, const unsigned char *p, size_t n)
{
	uint32_t cnt[256];
	uint64_t m = 0, sum = 0;

	if (level == 0 || n < SAMPLE_MIN)
		return level;
	memset(cnt, 0, sizeof(cnt));
	if (n <= SAMPLE_PIECES * SAMPLE_PIECE) {
		for (size_t i = 0; i < n; i++)
			cnt[p[i]]++;
		m = n;
	} else {
		size_t step = (n - SAMPLE_PIECE) / (SAMPLE_PIECES - 1);

		for (int k = 0; k < SAMPLE_PIECES; k++) {
			const unsigned char *q = p + k * step;

			for (size_t i = 0; i < SAMPLE_PIECE; i++)
				cnt[q[i]]++;
		}
		m = SAMPLE_PIECES * SAMPLE_PIECE;
	}
	for (int i = 0; i < 256; i++)
		sum += (uint64_t)cnt[i] * (cnt[i] ? cnt[i] - 1 : 0);
	/* sum / (m (m - 1)) <= 2^-7.75 = 1.1892 / 256 */
	return sum * 256 * 10000 <= 11892 * m * (m - 1) ? 0 : level;
}

int zchunk_compress(z_stream *zs, int *cur_level, int level,
		    const unsigned char *in, size_t n, unsigned char *out,
		    size_t cap, uint32_t *comp_len, uint32_t *crc)
{
	int rc;

	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (deflateReset(zs) != Z_OK)
		return EIO;
	/* on a reset stream this changes parameters only: the output is
	   that of a fresh stream at this level */
	if (level != *cur_level) {
		if (deflateParams(zs, level, Z_DEFAULT_STRATEGY) != Z_OK)
			return EIO;
		*cur_level = level;
	}
	zs->next_in = (Bytef *)in;
	zs->avail_in = n;
	zs->next_out = out;
	zs->avail_out = cap;
	rc = deflate(zs, Z_FINISH);
	if (rc != Z_STREAM_END)
		return rc == Z_BUF_ERROR || rc == Z_OK ? EOVERFLOW : EIO;
	*comp_len = zs->total_out;
	*crc = crc32_z(0, in, n);
	return 0;
}
