/*
 * img-chain.h - incremental images read as one: the chain from the
 * newest image down to its full image (doc/image-format.md,
 * "Incremental images"), where every page of every area of the newest
 * image is resolved to the image and PAGES record holding its bytes (or
 * zeros, or the fresh mapping), and the equivalent full image written
 * out (dmtcp_inspect merge, and the stream dmtcp_restart feeds
 * mtcp_restart).  Libc world (malloc, stdio for messages).
 */
#ifndef DMTCP_IMG_CHAIN_H
#define DMTCP_IMG_CHAIN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "img.h"

/* What a resolved run of pages is */
enum img_chain_kind {
	IMG_CHAIN_DATA = 1,	/* bytes of a PAGES record of image `image` */
	IMG_CHAIN_ZERO = 2,	/* an IMG_PF_ZERO record: zeros */
};

/* [start, end) of an area of the newest image and where its bytes are.
 * Pages of the area no run covers come from the fresh mapping (not
 * stored anywhere in the chain). */
struct img_chain_run {
	uint64_t start, end;
	uint32_t kind;		/* enum img_chain_kind */
	uint32_t image;		/* index in the chain, 0 = the newest */
	uint64_t rec_off;	/* DATA: file offset of the PAGES record */
	uint64_t rec_addr;	/* DATA: that record's first address */
	uint64_t recno;		/* DATA: its index (for messages) */
	uint32_t pflags;	/* DATA: the record's IMG_PF_* */
	uint32_t reserved;
};

struct img_chain_area {
	struct img_chain_run *runs;	/* in increasing address order */
	size_t nruns;
	uint64_t bytes;		/* bytes the runs cover (merged stored_bytes) */
	uint32_t flags;		/* IMG_AF_* of the merged area */
};

struct img_chain {
	int n;			/* images in the chain, newest first */
	char *path[IMG_MAX_CHAIN + 1];
	struct img_meta *m[IMG_MAX_CHAIN + 1];	/* m[0] NULL once taken */
	struct img_chain_area *areas;	/* one per area of the newest */
	size_t nareas;
	uint64_t bytes;		/* sum of areas[].bytes */
};

/*
 * Opens the chain ending in path (a full image is a chain of one):
 * every image's metadata loaded and checked, each parent found by name
 * in path's directory, its image_id equal to the child's parent_id, its
 * generation the one named, depth going down by one to a full image, no
 * image twice; then every page resolved.  NULL with a message naming
 * both files on failure ("A: its parent B is missing", "A: B is not its
 * parent (image id differs: overwritten?)", ...).
 */
struct img_chain *img_chain_open(const char *path, char *err, size_t errcap);
void img_chain_close(struct img_chain *c);

/*
 * Writes the equivalent full image to fd: the newest image's records
 * (PROC, THREAD, FDS, ENV, AUXV, CMDLINE, FILE, FILEDATA, AREA) with
 * every area's resolved pages, without PARENT, IMG_AF_DELTA and zero
 * records.  flags: 0 (raw: fd may be a pipe) or IMG_F_GZIP (fd
 * seekable, at offset 0).  Page data CRCs (zlib chunks) are checked as
 * they are read; on an error nothing more is written.  0, or -1 with
 * the message in err.
 */
int img_chain_write(const struct img_chain *c, int fd, uint32_t flags,
		    char *err, size_t errcap);

/*
 * The newest image's metadata as the merged image has it (header
 * without IMG_F_DELTA and IMG_F_GZIP: what img_chain_write(.., 0, ..)
 * streams; areas without IMG_AF_DELTA, stored_bytes resolved), for the
 * restart's checks.  The caller owns it (img_free_meta); c keeps
 * everything img_chain_write needs.
 */
struct img_meta *img_chain_take_meta(struct img_chain *c);

/* "0123...ef": the 32 hex digits of an image_id into buf (33 bytes) */
const char *img_id_hex(const uint8_t id[16], char buf[33]);

#endif /* DMTCP_IMG_CHAIN_H */
