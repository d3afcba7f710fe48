/*
 * restore-check.h - what an image must satisfy before anything is
 * restored from it: every field mtcp_restart uses (record framing and
 * order, sizes, offsets inside the file, addresses, alignment, counts,
 * the hand-off entry and stack, the vDSO, the areas against the
 * restorer's own range, thread stack and instruction pointers).
 * doc/image-format.md, "Restore checks", lists the rules.
 *
 * Freestanding (stdint/stddef only, and the code calls no library
 * function): src/image/restore-check.c is compiled into mtcp_restart,
 * which runs it over the whole image before it unmaps anything, and
 * into the image library, where dmtcp_restart runs it on the loaded
 * metadata before it starts a process (img_check_restore in img.h) and
 * the unit tests and fuzzers run it on damaged and random input.
 *
 * Feed the pieces in image order:
 *   rchk_init, rchk_header,
 *   for each record: rchk_rec (its header), then for PROC, THREAD,
 *   AUXV, AREA and END records rchk_proc / rchk_thread / rchk_auxv /
 *   rchk_area / rchk_end with the payload (other payloads are skipped),
 *   at the end (END record) rchk_end.
 * Without records (metadata already checked by the image library's
 * reader): rchk_init with RCHK_META, then rchk_proc, every rchk_thread,
 * rchk_auxv, every rchk_area, and rchk_end(c, NULL).
 * rchk_walk does the whole walk over a raw image through callbacks.
 *
 * Every call returns 0, or -1 with c->field naming the field (e.g.
 * "proc.restore_stack") and c->msg saying what is wrong; after the first
 * failure every call fails the same way.
 */
#ifndef DMTCP_RESTORE_CHECK_H
#define DMTCP_RESTORE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "dmtcp/image.h"

/* Highest user address + 1 on x86-64 with 4-level page tables (the
   kernel's TASK_SIZE); areas the restorer maps must end below it. */
#define RCHK_USER_TOP		0x7ffffffff000ULL
/* Largest pid the kernel hands out (PID_MAX_LIMIT) */
#define RCHK_PID_MAX		4194304u
/* Most memory areas a process image may have */
#define RCHK_MAX_AREAS		(1u << 24)
/* Largest AUXV record (what mtcp_restart keeps for PR_SET_MM_MAP) */
#define RCHK_AUXV_MAX		4096u
/* Largest vvar + vdso span */
#define RCHK_VSPECIAL_MAX	(1ULL << 20)
/* Bytes below img_proc.restore_stack that must be writable memory */
#define RCHK_STACK_NEED		4096u
/* Largest FDS, ENV and CMDLINE payloads (as the image library) */
#define RCHK_META_MAX		(64u << 20)

/* rchk_init flags */
#define RCHK_META		0x1	/* no record headers: metadata only */
#define RCHK_RAW_ONLY		0x2	/* refuse gzip images (mtcp_restart) */

/* Addresses checked once the areas are known */
struct rchk_probe {
	uint64_t addr;		/* the byte that must be mapped */
	uint64_t value;		/* the field's value */
	uint16_t what;		/* which field (restore-check.c) */
	uint16_t idx;		/* thread index */
	uint32_t tid;
};

#define RCHK_MAX_PROBES		(3 * IMG_MAX_THREADS + 3)

struct rchk {
	uint32_t flags;
	int failed;
	const char *field;	/* the offending field, "" if none */
	char msg[512];		/* what is wrong */
	size_t msg_len;
	uint64_t file_size;	/* 0: unknown (a pipe) */
	/* record walk */
	int state;
	uint32_t seen;		/* bit n: record type n seen */
	uint64_t recno, rec_off, nrecords, page_bytes;
	struct img_rec rec;	/* current record */
	int have_header, have_proc;
	uint32_t gzip;
	struct img_proc proc;
	uint32_t nthreads, nareas;
	/* current area */
	struct img_area area;
	uint64_t area_next, area_got, prev_end;
	int in_area;
	/* addresses to find in the areas, sorted at the first area */
	struct rchk_probe probes[RCHK_MAX_PROBES];
	uint32_t nprobes, next_probe;
	int sorted;
	uint64_t auxv_vdso;	/* AT_SYSINFO_EHDR, 0 if none */
	int pending;		/* payload call expected (record type) */
	/* payload buffers for rchk_walk */
	union {
		struct img_proc proc;
		struct img_thread thread;
		struct img_end end;
		uint64_t auxv[RCHK_AUXV_MAX / 8];
		struct {
			struct img_area a;
			char path[IMG_PATH_MAX];
		} area;
	} buf;
};

void rchk_init(struct rchk *c, uint64_t file_size, uint32_t flags);
int rchk_header(struct rchk *c, const struct img_file_header *h);
/* The record header at file offset off (records only). */
int rchk_rec(struct rchk *c, uint64_t off, const struct img_rec *r);
int rchk_proc(struct rchk *c, const struct img_proc *p);
int rchk_thread(struct rchk *c, const struct img_thread *t);
int rchk_auxv(struct rchk *c, const void *auxv, uint64_t len);
/* path: path_len bytes, not NUL-terminated (the payload after *a) */
int rchk_area(struct rchk *c, const struct img_area *a, const char *path);
/* e: the END payload; NULL with RCHK_META.  The final checks. */
int rchk_end(struct rchk *c, const struct img_end *e);

/*
 * Whole raw image through the checker.  rd(ctx, buf, n) reads exactly n
 * bytes, skip(ctx, n) skips n: both return 0, or -1 at an error or the
 * end of the input (the walk reports a truncated image).
 */
int rchk_walk(struct rchk *c, int (*rd)(void *ctx, void *buf, uint64_t n),
	      int (*skip)(void *ctx, uint64_t n), void *ctx);

/*
 * Exactly n bytes into buf through read1(ctx, buf, len), one read(2)
 * that returns the count, 0 at the end of the input or -errno: at most
 * 1 GiB a call, again after -EINTR.  0 once all is read, 1 at the end
 * of the input, else the -errno of the read that failed.
 */
long rchk_read_all(long (*read1)(void *ctx, void *buf, uint64_t len),
		   void *ctx, void *buf, uint64_t n);

/* zlib's crc32 (crc32(crc, buf, len), start with 0), table-less. */
uint32_t rchk_crc32(uint32_t crc, const void *buf, uint64_t len);

/*
 * Numbers as text without libc (the messages above, mtcp_restart's
 * output): v as "0x" and lower-case hex digits, or in decimal, at the
 * end of b; they return where the text starts (in decimal at b + 1 or
 * later: room for a sign).
 */
#define RCHK_NUM_CAP		24
char *rchk_hex(char b[RCHK_NUM_CAP], uint64_t v);
char *rchk_dec(char b[RCHK_NUM_CAP], uint64_t v);

#endif /* DMTCP_RESTORE_CHECK_H */
