/*
 * img.h - checkpoint image library: writer, reader, metadata loader,
 * validator and decoder for the format of include/dmtcp/image.h.
 *
 * Two worlds share this header:
 *  - the writer (img_writer_*) runs in the checkpoint thread while the
 *    other threads are frozen, maybe inside malloc.  It never calls
 *    malloc/free/stdio; all its memory comes from mmap and is released
 *    by img_writer_close().  struct img_writer is caller storage.
 *  - everything else (img_reader_*, img_load_meta, img_validate,
 *    img_decode_to_fd) is for tools (dmtcp_restart, dmtcp_inspect) and
 *    may use malloc.  Errors come back as one message in a caller
 *    buffer: "<path>: record N at offset O: what is wrong".
 *
 * Functions return 0 (or a count) on success and -1 on failure; the
 * writer sets errno, the reader side fills err (and sets errno).
 */
#ifndef DMTCP_IMG_H
#define DMTCP_IMG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dmtcp/image.h"
#include "img-range.h"

/* ------------------------------------------------------------------ */
/* Writer                                                             */
/* ------------------------------------------------------------------ */

/*
 * Records must come in the order of image.h:
 *   PROC, THREAD..., FDS, ENV, AUXV, CMDLINE (img_write_rec),
 *   { FILE (img_write_file), FILEDATA... (img_write_filedata) }...,
 *   { AREA (img_write_area), PAGES... (img_write_pages) }...,
 *   END (img_writer_finish).
 * The writer enforces what it can cheaply, failing with EINVAL:
 *  - PROC first, once; no metadata record after the first AREA;
 *  - PAGES only after an AREA, page aligned, inside [start, end) of
 *    that area, not overlapping or going backwards;
 *  - the raw bytes of the PAGES records after an AREA add up to the
 *    area's stored_bytes (so the caller decides which pages it stores
 *    before it writes the AREA); the same for FILEDATA after a FILE
 *    and its data_bytes, in increasing file offsets below its size;
 *  - at finish, THREAD and AREA counts equal proc.nthreads/nareas.
 * After any failure the writer is dead: every later call fails with
 * the first errno; img_writer_close() is still required.
 *
 * fd: raw images may go to a pipe; gzip images need a seekable fd
 * (the PAGES record header is patched with pwrite once its compressed
 * size is known).  A seekable fd must be at offset 0 and not O_APPEND.
 */
struct img_zpool;

/* A bump arena in mmap'd memory for zlib's state (the writer runs in a
 * frozen process: no malloc); it goes away whole (img-zchunk.c). */
struct img_zarena {
	unsigned char *base;
	size_t cap, used;
};

struct img_writer {
	int fd;
	int dead;		/* errno of the first failure, or 0 */
	uint32_t flags;		/* IMG_F_* of the file header */
	uint8_t image_id[16];	/* the header's image_id (random) */
	uint32_t area_flags;	/* IMG_AF_* of the current AREA */
	int level;		/* zlib level (gzip images) */
	int cur_level;		/* level the stream is set to now */
	uint64_t nchunks;	/* zlib chunks written */
	int seekable;
	int state;		/* internal: where in the record order */
	uint32_t seen;		/* internal: bit n = record type n seen */
	size_t zbound;		/* zchunk_bound() of a full chunk */
	uint64_t off;		/* bytes of the image produced so far */
	uint64_t nrecords;	/* records written, PAD excluded */
	uint64_t page_bytes;	/* raw page bytes written */
	uint32_t nthreads, nareas;	/* records written */
	uint32_t want_threads, want_areas;	/* from the PROC record */
	struct img_run area;	/* PAGES of the current AREA (end: the
				   lowest start of the next AREA) */
	struct img_run file;	/* FILEDATA of the current FILE */
	/* output buffer (metadata, zlib chunks), mmap'd */
	unsigned char *buf;
	size_t buf_cap, buf_len;
	/* zlib state lives in this mmap'd arena (bump allocator); with
	   worker threads the arena is the pool's region (img-zpool.c):
	   their stacks, zlib states and buffers */
	struct img_zarena arena;
	void *zs;		/* z_stream *, inside the arena (no pool) */
	struct img_zpool *pool;	/* worker threads, or NULL */
	uint64_t zrec_at;	/* pool: offset of the record being retired */
	uint64_t zrec_stored;	/* and its payload bytes so far */
};

/* Flags for img_writer_open(): IMG_F_GZIP (compress page data),
 * IMG_F_DELTA (an incremental image: img_write_parent right after the
 * PROC record; IMG_AF_DELTA areas and zero pages allowed). */

/* Writes the file header, with a random image_id (getrandom(2), no
 * allocation; img_writer_id() returns it).  DMTCP_GZIP_LEVEL (1..9)
 * overrides the zlib level (default Z_BEST_SPEED).  Compresses in the
 * calling thread. */
int img_writer_open(struct img_writer *w, int fd, uint32_t flags,
		    uint64_t ctime_sec);
/* Most zlib worker threads of a writer. */
#define IMG_ZTHREADS_MAX	8
/*
 * img_writer_open with nthreads zlib worker threads for a gzip image
 * (0: one per CPU this thread may run on, at most IMG_ZTHREADS_MAX;
 * 1: none, the calling thread compresses; ignored for raw images).
 * The threads (raw clone(2), all signals blocked, see img-zpool.c) and
 * their memory are set up here, inside the arena mapping, and are gone
 * after img_writer_close().  If they cannot be set up, the calling
 * thread compresses.  The image is the same bytes whatever nthreads.
 */
int img_writer_open_mt(struct img_writer *w, int fd, uint32_t flags,
		       uint64_t ctime_sec, int nthreads);
/* A metadata record (PROC, THREAD, FDS, ENV, AUXV, CMDLINE), with a
 * CRC.  PROC and THREAD payloads must have the size of their struct. */
int img_write_rec(struct img_writer *w, uint32_t type, const void *payload,
		  size_t len);
/* An AREA record: *a with path_len = strlen(path) (path may be NULL or
 * "" for anonymous memory; a->path_len is ignored and set here).
 * a->stored_bytes must already be the total of the PAGES that follow
 * (raw bytes of memory, whatever the compression); areas come in
 * increasing address order and do not overlap. */
int img_write_area(struct img_writer *w, const struct img_area *a,
		   const char *path);
/* One PAGES record for [addr, addr + len).  addr and len are multiples
 * of IMG_PAGE_SIZE, len > 0, and data must be readable (a PROT_NONE
 * page gives EFAULT and kills the writer: make it readable first).
 * Raw images: a PAD record if needed, then the header and the data in
 * one writev(2) straight from data (no copy); the payload starts at a
 * file offset that is a multiple of IMG_PAGE_SIZE.  Gzip images: zlib
 * chunks of IMG_ZCHUNK_MAX raw bytes each.  pflags: IMG_PF_*. */
int img_write_pages(struct img_writer *w, uint64_t addr, const void *data,
		    size_t len, uint32_t pflags);
/* A FILE record: *f with path_len = strlen(path) (set here).  Comes
 * after the metadata records and before the first AREA; f->data_bytes
 * must be the total of the FILEDATA records that follow. */
int img_write_file(struct img_writer *w, const struct img_file *f,
		   const char *path);
/* One FILEDATA record: len > 0 bytes of the current FILE's contents at
 * file offset off (off + len <= its size, after the previous record's
 * end).  Gzip images: zlib chunks; raw images: the bytes with a CRC. */
int img_write_filedata(struct img_writer *w, uint64_t off, const void *data,
		       size_t len);
/* The PARENT record of an IMG_F_DELTA image, right after PROC: the
 * parent's image_id and generation, depth (1..IMG_MAX_CHAIN: images
 * behind this one down to the full image) and its file name, a plain
 * base name (no '/', not "." or "..", at most 255 bytes). */
int img_write_parent(struct img_writer *w, const uint8_t parent_id[16],
		     uint32_t parent_generation, uint32_t depth,
		     const char *name);
/* One IMG_PF_ZERO PAGES record for [addr, addr + len) of an IMG_AF_DELTA
 * area: no payload, the pages read as zeros (they count in the area's
 * stored_bytes like any PAGES). */
int img_write_zero_pages(struct img_writer *w, uint64_t addr, size_t len);
/* The image_id the header carries (16 bytes). */
const uint8_t *img_writer_id(const struct img_writer *w);
/* The END record, then flush.  Does not fsync or close fd. */
int img_writer_finish(struct img_writer *w);
/* Unmap buffers.  Safe after any failure and on a zeroed struct. */
void img_writer_close(struct img_writer *w);
/* Bytes of image produced so far (the file size after finish). */
uint64_t img_writer_bytes(const struct img_writer *w);

/* ------------------------------------------------------------------ */
/* Reader (libc world)                                                */
/* ------------------------------------------------------------------ */

/*
 * Sequential record reader.  Owns fd and its buffers; close with
 * img_reader_close().  Checks as it goes: record magic, known type,
 * sizes against the file size, PAGES/PAD/END shapes, metadata CRCs
 * (when the payload has been read to its end), zlib chunk framing and
 * CRCs.  Record order and cross-record consistency are checked by the
 * walker below (img_load_meta, img_validate, img_decode_to_fd).
 */
struct img_reader {
	int fd;
	char *path;		/* malloc'd copy, used in messages */
	uint64_t file_size;
	struct img_file_header hdr;
	uint64_t next_off;	/* offset of the next record header */
	uint64_t recno;		/* index of the current record (PAD too) */
	uint64_t rec_off;	/* offset of the current record header */
	struct img_rec rec;	/* the current record */
	int have_rec;
	int ended;		/* END record seen */
	int failed;		/* an error was reported: r is dead */
	/* payload cursor of the current record */
	uint64_t pay_pos;	/* stored bytes consumed */
	uint64_t raw_pos;	/* decoded bytes returned */
	uint32_t crc;		/* running crc of the stored payload */
	/* zlib chunk state */
	unsigned char *zin, *zout;	/* IMG_ZCHUNK_MAX-ish buffers */
	size_t zin_cap;
	uint32_t zout_len, zout_pos;
	void *zs;		/* z_stream * */
	char *err;
	size_t errcap;
};

/*
 * Open and check the file header.  err (errcap bytes) receives the
 * message of this and every later failure of r; it must outlive r.
 */
int img_reader_open(struct img_reader *r, const char *path, char *err,
		    size_t errcap);
/* Advance to the next record (the rest of the current payload is
 * skipped).  Returns 1 with *rec filled, 0 after the END record has
 * been returned (and the file ends there), -1 on error. */
int img_reader_next(struct img_reader *r, struct img_rec *rec);
/* Read up to len decoded payload bytes of the current record.  Returns
 * bytes read, 0 at the end of the payload, -1 on error.  A CRC error
 * is reported by the call that consumes the last stored byte. */
ssize_t img_reader_read(struct img_reader *r, void *buf, size_t len);
/* Read the whole decoded payload (raw_size bytes, at most max) into a
 * malloc'd buffer with a NUL byte appended; *out owned by the caller. */
int img_reader_read_all(struct img_reader *r, size_t max, void **out,
			size_t *len);
/* Largest comp_len of a zlib chunk a reader accepts: zlib's
 * compressBound(IMG_ZCHUNK_MAX) + 64. */
#define IMG_ZCHUNK_COMP_MAX	(IMG_ZCHUNK_MAX + (IMG_ZCHUNK_MAX >> 12) + \
				 (IMG_ZCHUNK_MAX >> 14) + 13 + 64)
/* The next zlib chunk of the current IMG_RF_ZCHUNKS record, not
 * inflated: its header (checked) in *c, its comp_len bytes in comp
 * (IMG_ZCHUNK_COMP_MAX bytes), its file offset in *coff.  1, 0 after
 * the last chunk (the raw lengths added up to raw_size), -1 on error.
 * The caller inflates and checks the CRC (img-ipool.c). */
int img_reader_zchunk(struct img_reader *r, struct img_zchunk *c,
		      void *comp, uint64_t *coff);
/* Skip the rest of the payload.  Raw payloads: seek only.  With
 * check (zlib chunks only): walk the chunk headers. */
int img_reader_skip(struct img_reader *r, int check);
/* Keeps errno: callers close on their error paths. */
void img_reader_close(struct img_reader *r);
/* Format an error message about the current record (errno EINVAL). */
int img_reader_error(struct img_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for "out of memory" (errno ENOMEM).  -1. */
int img_reader_nomem(struct img_reader *r);

/* ------------------------------------------------------------------ */
/* Metadata, validation, decoding                                     */
/* ------------------------------------------------------------------ */

struct img_meta_area {
	struct img_area area;
	char *path;		/* NUL-terminated, "" for anonymous */
	uint64_t rec_off;	/* file offset of the AREA record */
	uint64_t npages;	/* PAGES records that follow */
	uint64_t page_bytes;	/* their raw bytes (== area.stored_bytes) */
	uint64_t file_bytes;	/* their stored bytes in the file */
};

struct img_meta_fd {
	struct img_fd fd;
	char *path;		/* NUL-terminated */
	/* sockets: the bytes after the path (one allocation, sk_addr),
	   NULL when there are none; lengths in fd.sk_* */
	unsigned char *sk_addr, *sk_peer, *sk_data;
};

struct img_meta_file {
	struct img_file file;
	char *path;		/* NUL-terminated */
	uint64_t rec_off;	/* file offset of the FILE record */
	uint64_t nrecs;		/* FILEDATA records that follow */
};

/* Everything but page data and file contents.  One allocation tree owned
 * by the caller, freed with img_free_meta(). */
struct img_meta {
	char *path;
	uint64_t file_size;
	struct img_file_header hdr;
	struct img_proc proc;
	struct img_thread *threads;	/* proc.nthreads entries */
	size_t nthreads;
	struct img_meta_area *areas;
	size_t nareas;
	struct img_meta_fd *fds;
	size_t nfds;
	char *env;		/* NUL-separated, env_len bytes */
	size_t env_len;
	char **envv;		/* NULL-terminated pointers into env */
	char *cmdline;		/* NUL-separated, cmdline_len bytes */
	size_t cmdline_len;
	char **argv;		/* NULL-terminated pointers into cmdline */
	uint64_t *auxv;		/* pairs (type, value) */
	size_t auxv_len;	/* in uint64_t words */
	struct img_end end;
	struct img_meta_file *files;	/* FILE records */
	size_t nfiles;
	/* IMG_F_DELTA images: the PARENT record, its name NUL-terminated
	   (NULL in full images) */
	struct img_parent parent;
	char *parent_name;
	/* the SNAP record (has_snap 0 in images written before it existed:
	   snap is then all zero, an untagged COMMAND snapshot) */
	int has_snap;
	struct img_snap snap;
};

/* Read every record but page data, with the full structural checks.
 * *out is NULL on failure. */
int img_load_meta(const char *path, struct img_meta **out, char *err,
		  size_t errcap);
void img_free_meta(struct img_meta *m);

/* Write the saved contents of m->files[k] (its FILEDATA records, CRCs
 * checked) into fd at their offsets with pwrite; holes are left alone
 * (the caller sets the size).  0, or -1 with a message in err. */
int img_copy_file_data(const struct img_meta *m, size_t k, int fd,
		       char *err, size_t errcap);

/* Structural check of a whole image: header, every record header,
 * record order, metadata CRCs, area/pages consistency, END.  With
 * check_pages, zlib chunks are inflated and CRC checked too. */
int img_validate(const char *path, int check_pages, char *err,
		 size_t errcap);

/* Write to outfd the byte stream of the equivalent raw image (see
 * doc/image-format.md): header without IMG_F_GZIP (hdr_crc recomputed),
 * records copied, PAGES and FILEDATA inflated (size = raw_size, flags
 * and crc 0).  PAD records are regenerated by the writer's rule, so the
 * stream is byte for byte what img_writer would have written raw from
 * the same memory, except that raw FILEDATA records carry no CRC (a
 * valid raw image; consumers may still just skip PADs).
 * Metadata records are checked before they are written; on an error
 * (e.g. a bad zlib chunk midway) nothing more is written, -1 is
 * returned with the message, and the consumer sees EOF (a truncated
 * image).  outfd is not closed; if it is a pipe whose reader went away
 * the caller gets SIGPIPE unless it ignores it (then EPIPE).
 * The chunks are inflated on one worker thread per CPU (environment
 * DMTCP_DECODE_THREADS=N: N workers; -1: in the calling thread, as the
 * serial reader does); into a pipe, the output is vmspliced.  With
 * workers, the clean pages of a private file mapping whose file is
 * unchanged are not inflated: their PAGES record carries RST_PF_NO_DATA
 * (dmtcp/restore.h) and zeros, for mtcp_restart only. */
int img_decode_to_fd(const char *path, int outfd, char *err, size_t errcap);
/* The same with nworkers threads (0: one per CPU, -1: none). */
int img_decode_to_fd_threads(const char *path, int outfd, int nworkers,
			     char *err, size_t errcap);

/*
 * The restore checks (dmtcp/restore-check.h), which mtcp_restart runs
 * too: every field the restorer uses, on metadata img_load_meta loaded
 * (what dmtcp_restart does before it starts a process).  -1 with
 * "<path>: cannot restore: <field> = <value>: <why> (corrupt or
 * crafted image)".
 */
int img_check_restore(const struct img_meta *m, char *err, size_t errcap);
/* The same checks the way mtcp_restart walks a raw image file: record
 * by record, the file's bytes as they are (gzip images are refused). */
int img_check_restore_file(const char *path, char *err, size_t errcap);

/* Who an image is, read from its header, PROC and PARENT records only
 * (cheap: for the coordinator's pruning and the checkpointer naming a
 * parent).  is_delta 0: parent fields zero. */
struct img_ident {
	uint8_t image_id[16];
	uint32_t generation;
	int is_delta;
	struct img_parent parent;
	char parent_name[256];
};
int img_read_ident(const char *path, struct img_ident *id, char *err,
		   size_t errcap);

/* Names for messages: "PROC", ..., "type 77" (static buffer for
 * unknown types: not thread safe for those). */
const char *img_rec_name(uint32_t type);

#endif /* DMTCP_IMG_H */
