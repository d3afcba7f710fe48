/*
 * img-int.h - internals shared by the image library's files: layout
 * assertions for the on-disk structs, limits, and the record walker
 * (order and cross-record checks, and the walk that drives it) used by
 * img-meta.c, img-validate.c and img-decode.c.  Not installed, not used outside src/image.
 */
#ifndef DMTCP_IMG_INT_H
#define DMTCP_IMG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

/*
 * The format is defined by these sizes and offsets: a change here is a
 * format change (bump IMG_VERSION, update doc/image-format.md).
 */
_Static_assert(sizeof(struct img_file_header) == 72, "img_file_header");
_Static_assert(offsetof(struct img_file_header, hdr_crc) == 28, "hdr_crc");
_Static_assert(offsetof(struct img_file_header, ctime_sec) == 32, "ctime");
_Static_assert(offsetof(struct img_file_header, image_id) == 40, "image_id");
_Static_assert(sizeof(struct img_parent) == 48, "img_parent");
_Static_assert(sizeof(struct img_snap) == 344, "img_snap");
_Static_assert(sizeof(struct img_rec) == 48, "img_rec");
_Static_assert(offsetof(struct img_rec, size) == 8, "img_rec.size");
_Static_assert(offsetof(struct img_rec, raw_size) == 16, "raw_size");
_Static_assert(offsetof(struct img_rec, arg0) == 24, "img_rec.arg0");
_Static_assert(offsetof(struct img_rec, arg1) == 32, "img_rec.arg1");
_Static_assert(offsetof(struct img_rec, crc) == 40, "img_rec.crc");
_Static_assert(offsetof(struct img_rec, flags) == 44, "img_rec.flags");
_Static_assert(sizeof(struct img_zchunk) == 16, "img_zchunk");
_Static_assert(sizeof(struct img_mm) == 88, "img_mm");
_Static_assert(offsetof(struct img_proc, ckpt_usec) == 48, "ckpt_usec");
_Static_assert(offsetof(struct img_proc, mm) == 120, "img_proc.mm");
_Static_assert(offsetof(struct img_proc, comp_id) == 208, "comp_id");
_Static_assert(offsetof(struct img_proc, exe) == 528, "img_proc.exe");
_Static_assert(offsetof(struct img_proc, cwd) == 4624, "img_proc.cwd");
_Static_assert(offsetof(struct img_proc, coord_host) == 8720, "coord_host");
_Static_assert(offsetof(struct img_proc, coord_port) == 8976, "coord_port");
_Static_assert(sizeof(struct img_proc) == 9048, "img_proc");
_Static_assert(sizeof(struct img_regs) == 27 * 8, "img_regs");
_Static_assert(offsetof(struct img_thread, regs) == 24, "img_thread.regs");
_Static_assert(offsetof(struct img_thread, fpregs) == 240, "fpregs");
_Static_assert(offsetof(struct img_thread, sigmask) == 752, "sigmask");
_Static_assert(offsetof(struct img_thread, altstack_flags) == 784, "alt");
_Static_assert(offsetof(struct img_thread, clear_tid) == 792, "clear_tid");
_Static_assert(offsetof(struct img_thread, rseq_addr) == 816, "rseq");
_Static_assert(sizeof(struct img_thread) == 864, "img_thread");
_Static_assert(offsetof(struct img_area, prot) == 24, "img_area.prot");
_Static_assert(offsetof(struct img_area, path_len) == 36, "path_len");
_Static_assert(offsetof(struct img_area, stored_bytes) == 80, "stored");
_Static_assert(offsetof(struct img_area, build_id) == 88, "build_id");
_Static_assert(offsetof(struct img_area, load_bias) == 112, "load_bias");
_Static_assert(sizeof(struct img_area) == 136, "img_area");
_Static_assert(offsetof(struct img_fd, offset) == 16, "img_fd.offset");
_Static_assert(offsetof(struct img_fd, path_len) == 52, "img_fd.path_len");
_Static_assert(offsetof(struct img_fd, sk_domain) == 64, "img_fd.sk_domain");
_Static_assert(offsetof(struct img_fd, sk_peer_inode) == 96, "sk_peer_inode");
_Static_assert(sizeof(struct img_fd) == 112, "img_fd");
_Static_assert(sizeof(struct img_end) == 32, "img_end");
_Static_assert(offsetof(struct img_file, mtime_sec) == 32, "img_file.mtime");
_Static_assert(offsetof(struct img_file, mode) == 48, "img_file.mode");
_Static_assert(offsetof(struct img_file, path_len) == 68, "img_file.path_len");
_Static_assert(sizeof(struct img_file) == 88, "img_file");
_Static_assert(IMG_REC_FILEDATA == 12, "record types are part of the format");
_Static_assert(IMG_FD_PTY == 9, "fd kinds are part of the format");
_Static_assert(IMG_HEADER_SPACE % IMG_PAGE_SIZE == 0, "header space");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the image format is little-endian; this code stores structs "
	       "as they are in memory");

/* A PARENT record's name: a plain base name in the image's directory
 * (no '/', no NUL, not "." or "..", 1..255 bytes).  1 if so. */
static inline int img_parent_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > 255)
		return 0;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == 0)
			return 0;
	return 1;
}

/* Largest FDS/ENV/AUXV/CMDLINE payload a reader accepts. */
#define IMG_META_MAX		(64u << 20)

/* Bytes of PAD payload needed so that a PAGES payload whose record
 * header would start at off is page aligned (0: no PAD record). */
static inline uint64_t img_pad_len(uint64_t off)
{
	uint64_t m = IMG_PAGE_SIZE - 1;

	if (((off + sizeof(struct img_rec)) & m) == 0)
		return UINT64_MAX;	/* no PAD record at all */
	return (IMG_PAGE_SIZE - ((off + 2 * sizeof(struct img_rec)) & m)) & m;
}

/*
 * Record walker: the reader plus the rules of record order and the
 * consistency between PROC, THREAD, AREA, PAGES and END.  Payloads of
 * metadata records (everything but PAGES, FILEDATA and PAD) are read, CRC
 * checked and parsed by img_walk_next(); the caller may read PAGES and
 * FILEDATA payloads through w->r, or leave them (skipped, zlib chunk
 * headers walked when check_chunks).
 */
struct img_walk {
	struct img_reader r;
	int check_chunks;
	int state;
	uint32_t seen;
	struct img_proc proc;
	uint32_t nthreads, nareas;
	uint64_t nrecords, page_bytes;	/* non-PAD records, raw page bytes */
	struct img_area area;		/* the current AREA */
	struct img_run area_run;	/* its PAGES so far (end: the lowest
					   start of the next AREA) */
	struct img_file file;		/* the current FILE */
	struct img_run file_run;	/* its FILEDATA so far */
	char payload_file[256];		/* its path, for messages */
	struct img_end end;
	struct img_parent parent;	/* the PARENT record (delta images) */
	char parent_name[256];		/* its name, NUL-terminated */
	struct img_snap snap;		/* the SNAP record, if seen */
	void *payload;			/* current metadata payload */
	size_t payload_len;
};

int img_walk_open(struct img_walk *w, const char *path, int check_chunks,
		  char *err, size_t errcap);
/* 1: *rec is the next record (PAD included); for metadata records
 * w->payload/w->payload_len hold its payload (NUL appended, owned by
 * w, valid until the next call).  0: END has been returned before and
 * the file ends there.  -1: error (message in err). */
int img_walk_next(struct img_walk *w, struct img_rec *rec);
/* Keeps errno, as img_reader_close. */
void img_walk_close(struct img_walk *w);

/*
 * The whole walk: opens path (check_chunks as img_walk_open), calls
 * each(w, rec, buf, ctx) for every record with a buffer of bufsize
 * bytes (NULL when 0), stops at the first -1 (each has put the message
 * in w->r), closes.  0, or -1 with errno and the message in err.
 */
typedef int img_walk_fn(struct img_walk *w, const struct img_rec *rec,
			char *buf, void *ctx);
int img_walk_each(const char *path, int check_chunks, size_t bufsize,
		  img_walk_fn *each, void *ctx, char *err, size_t errcap);

#endif /* DMTCP_IMG_INT_H */
