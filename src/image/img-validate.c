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

int img_validate(const char *path, int check_pages, char *err,
		 size_t errcap)
{
	struct img_walk w;
	struct img_rec rec;
	char *scratch = NULL;
	int rc = -1, k;

	/* without check_pages, zlib chunk headers are still walked */
	if (img_walk_open(&w, path, 1, err, errcap) < 0)
		goto out;
	if (check_pages && !(scratch = malloc(SCRATCH))) {
		img_reader_nomem(&w.r);
		goto out;
	}
	while ((k = img_walk_next(&w, &rec)) > 0) {
		if ((rec.type != IMG_REC_PAGES &&
		     rec.type != IMG_REC_FILEDATA) || !check_pages)
			continue;
		if (!(rec.flags & (IMG_RF_ZCHUNKS | IMG_RF_CRC)))
			continue;	/* raw pages without CRC: nothing */
		if (check_pages_payload(&w, scratch) < 0)
			goto out;
	}
	if (k == 0)
		rc = 0;
out:
	free(scratch);		/* free and img_walk_close keep errno */
	img_walk_close(&w);
	return rc;
}
