/*
 * img-validate.c - structural check of a whole image without restoring
 * it: every record header, the record order, metadata CRCs, the
 * AREA/PAGES/END and FILE/FILEDATA consistency, and with check_pages the
 * zlib chunks (inflated, CRC checked) and the CRCs of raw PAGES and
 * FILEDATA that carry one.
 */
#include "config.h"
#include "img-int.h"

#include <errno.h>
#include <stdlib.h>

#define SCRATCH		(1u << 20)

/* read a PAGES or FILEDATA payload to its end: every CRC gets checked */
static int check_pages_payload(struct img_walk *w, char *scratch)
{
	ssize_t k;

	while ((k = img_reader_read(&w->r, scratch, SCRATCH)) > 0)
		;
	return k < 0 ? -1 : 0;
}

/* one record of the walk: with check_pages, a PAGES or FILEDATA payload
   that has a CRC (a zlib chunk's or its own) is read to its end */
static int validate_rec(struct img_walk *w, const struct img_rec *rec,
			char *scratch, void *ctx)
{
	(void)ctx;
	if (!scratch ||
	    (rec->type != IMG_REC_PAGES && rec->type != IMG_REC_FILEDATA))
		return 0;
	if (!(rec->flags & (IMG_RF_ZCHUNKS | IMG_RF_CRC)))
		return 0;	/* raw pages without CRC: nothing */
	return check_pages_payload(w, scratch);
}

int img_validate(const char *path, int check_pages, char *err,
		 size_t errcap)
{
	/* without check_pages, zlib chunk headers are still walked */
	return img_walk_each(path, 1, check_pages ? SCRATCH : 0, validate_rec,
			     NULL, err, errcap);
}
