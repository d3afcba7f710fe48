/*
 * image.h - the checkpoint image format (contract, version 3).
 *
 * One image file per process.  Shared by the writer (preload library,
 * libc world), the reader/validator (dmtcp_restart, dmtcp_inspect) and
 * the freestanding mtcp_restart, so this header must only use
 * freestanding headers.  All fields are little-endian, fixed size, and
 * laid out without implicit padding.  doc/image-format.md explains it.
 *
 * File layout:
 *   offset 0: struct img_file_header, zero padded to IMG_HEADER_SPACE
 *   then records, each: struct img_rec + payload (img_rec.size bytes)
 *   order: PROC, [PARENT], THREAD..., FDS, ENV, AUXV, CMDLINE, [SNAP],
 *          { FILE, FILEDATA... }..., { AREA, PAGES... }..., END
 * In raw images (no IMG_F_GZIP) the payload of every PAGES record starts
 * at a file offset that is a multiple of IMG_PAGE_SIZE (PAD records fill
 * the gap), so restart can read or map page data straight into place.
 */
#ifndef DMTCP_IMAGE_H
#define DMTCP_IMAGE_H

#include <stdint.h>

#define IMG_MAGIC		"DMTCPIMG"	/* 8 bytes, no NUL */
#define IMG_VERSION		3
#define IMG_ARCH_X86_64		62		/* EM_X86_64 */
#define IMG_PAGE_SIZE		4096
#define IMG_HEADER_SPACE	4096
#define IMG_REC_MAGIC		0x44434552u	/* "RECD" */

/* img_file_header.flags */
#define IMG_F_GZIP		0x1	/* PAGES payloads are zlib chunks */
#define IMG_F_DELTA		0x2	/* incremental: a PARENT record follows
					   PROC; IMG_AF_DELTA areas take the
					   pages they do not store from the
					   parent image (doc/image-format.md) */

struct img_file_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;	/* sizeof(struct img_file_header) */
	uint32_t arch;		/* IMG_ARCH_X86_64 */
	uint32_t page_size;	/* IMG_PAGE_SIZE */
	uint32_t flags;		/* IMG_F_* */
	uint32_t hdr_crc;	/* crc32 of this struct with hdr_crc = 0 */
	uint64_t ctime_sec;	/* when the checkpoint was taken (realtime) */
	uint8_t image_id[16];	/* this image's identity: random, set by the
				   writer; all zero in images written before
				   incremental checkpoints existed */
	uint64_t reserved[2];
};

/* Record types */
enum img_rec_type {
	IMG_REC_PROC = 1,	/* struct img_proc */
	IMG_REC_THREAD = 2,	/* struct img_thread */
	IMG_REC_FDS = 3,	/* sequence of struct img_fd + path bytes */
	IMG_REC_ENV = 4,	/* NUL-separated "K=V" strings */
	IMG_REC_AUXV = 5,	/* raw /proc/self/auxv (pairs of uint64_t) */
	IMG_REC_CMDLINE = 6,	/* NUL-separated argv strings */
	IMG_REC_AREA = 7,	/* struct img_area + path bytes */
	IMG_REC_PAGES = 8,	/* page data of the last AREA, see below */
	IMG_REC_PAD = 9,	/* zero bytes, ignored */
	IMG_REC_END = 10,	/* struct img_end; a complete image ends here */
	IMG_REC_FILE = 11,	/* struct img_file + path bytes: a file the
				   process had open (doc/files.md) */
	IMG_REC_FILEDATA = 12,	/* contents of the last FILE, see below */
	IMG_REC_PARENT = 13,	/* struct img_parent + name: the image this
				   incremental one builds on (IMG_F_DELTA) */
	IMG_REC_SNAP = 14,	/* struct img_snap: the snapshot's place in
				   a timeline, its tag, the crash (optional,
				   after CMDLINE, at most one) */
};
#define IMG_REC_LAST		IMG_REC_SNAP

/* img_rec.flags */
#define IMG_RF_CRC		0x1	/* crc covers the stored payload */
#define IMG_RF_ZCHUNKS		0x2	/* payload is a sequence of zlib chunks */

/*
 * Record header, 48 bytes.  For PAGES records: arg0 = first address,
 * arg1 = IMG_PF_* flags, raw_size = bytes of memory covered (a multiple
 * of the page size).  For FILEDATA records: arg0 = offset in the file,
 * arg1 = 0, raw_size = bytes of the file from there (no alignment).
 * size = bytes stored after this header.
 */
struct img_rec {
	uint32_t magic;		/* IMG_REC_MAGIC */
	uint32_t type;		/* enum img_rec_type */
	uint64_t size;		/* stored payload bytes following */
	uint64_t raw_size;	/* payload bytes once decoded */
	uint64_t arg0;
	uint64_t arg1;
	uint32_t crc;		/* crc32 of stored payload if IMG_RF_CRC */
	uint32_t flags;		/* IMG_RF_* */
};

/*
 * IMG_RF_ZCHUNKS payload: chunks until size is consumed, each
 *   struct img_zchunk + comp_len bytes of zlib (deflate with zlib header)
 * raw data of all chunks concatenated is raw_size bytes.
 */
struct img_zchunk {
	uint32_t raw_len;	/* bytes once inflated, <= IMG_ZCHUNK_MAX */
	uint32_t comp_len;	/* bytes of zlib data following */
	uint32_t crc;		/* crc32 of the inflated bytes */
	uint32_t reserved;
};
#define IMG_ZCHUNK_MAX		(1u << 20)

/* Raw images: a PAGES payload of at least this many bytes starts at a
   file offset that is a multiple of IMG_PAGE_SIZE (restart may map it
   from the image); smaller ones are packed without alignment (aligning
   a run of one page between zero pages would cost a page of PAD). */
#define IMG_RAW_ALIGN_MIN	(64u << 10)

/* PAGES arg1 flags */
#define IMG_PF_FILE_CLEAN	0x1	/* identical to the backing file's
					   bytes: may be skipped if the file
					   is mapped and unchanged */
#define IMG_PF_ZERO		0x2	/* no payload (size 0, no IMG_RF_*):
					   raw_size bytes of zeros; only in
					   IMG_AF_DELTA areas, where a page
					   the parent stored became zero or
					   went away */

/*
 * PARENT (IMG_F_DELTA images only, right after PROC): the image whose
 * memory this one's IMG_AF_DELTA areas build on.  The parent is found
 * by name in the directory of this image; its header's image_id must
 * equal parent_id, else it is not the parent (overwritten, or another
 * run's) and readers refuse the chain.
 */
struct img_parent {
	uint8_t parent_id[16];	/* img_file_header.image_id of the parent */
	uint32_t parent_generation;	/* its img_proc.generation */
	uint32_t depth;		/* images behind this one down to the full
				   image: 1 = the parent is a full image */
	uint32_t name_len;	/* bytes of the parent's file name following
				   (a base name: no '/', no NUL) */
	uint32_t reserved0;
	uint64_t reserved[2];
};
#define IMG_MAX_CHAIN		64	/* longest chain readers follow */

/* struct img_snap.trigger: what took the snapshot */
enum img_snap_trigger {
	IMG_SNAP_COMMAND = 0,	/* dmtcp_command, the console, a plugin */
	IMG_SNAP_INTERVAL = 1,	/* the coordinator's interval */
	IMG_SNAP_API = 2,	/* the program: dmtcp_checkpoint[_tagged]() */
	IMG_SNAP_GDB = 3,	/* `dmtcp checkpoint` in gdb */
	IMG_SNAP_SIGNAL = 4,	/* DMTCP_SNAPSHOT_SIGNAL sent to a process */
	IMG_SNAP_CRASH = 5,	/* --ckpt-on-crash: the process's last state */
};
#define IMG_SNAP_TRIGGER_MAX	IMG_SNAP_CRASH

/* struct img_snap.flags */
#define IMG_SNAPF_TIMELINE	0x1	/* taken for a --timeline */
#define IMG_SNAPF_SIGINFO	0x2	/* sig_* and siginfo describe a crash */

#define IMG_SNAP_TAG_MAX	128	/* bytes of tag, NUL included */

/*
 * The snapshot's metadata (doc/image-format.md, "Snapshots").  Written
 * by every checkpoint; readers of older images see no SNAP record and
 * treat the image as an untagged COMMAND snapshot.  The timeline of a
 * directory is its images ordered by generation, each continuing the
 * state of prev_generation (0: the computation's start), so a restart
 * from an older snapshot starts a branch instead of overwriting.
 */
struct img_snap {
	uint64_t start_usec;	/* realtime (us) the computation started */
	uint64_t ckpt_usec;	/* realtime (us) the threads were frozen */
	uint32_t trigger;	/* enum img_snap_trigger */
	uint32_t flags;		/* IMG_SNAPF_* */
	uint32_t prev_generation; /* the state this one continues */
	uint32_t sig_tid;	/* crash: the thread that got the signal */
	int32_t sig_signo;	/* crash: signal number */
	int32_t sig_code;	/* crash: si_code */
	uint64_t sig_addr;	/* crash: si_addr (fault address) */
	uint64_t pages_changed;	/* pages written since prev_generation
				   (the dirty tracker's count; UINT64_MAX:
				   not known) */
	uint8_t siginfo[128];	/* crash: the raw siginfo_t (NT_SIGINFO) */
	char tag[IMG_SNAP_TAG_MAX];	/* NUL-terminated; "" if none */
	uint64_t reserved[4];
};

/*
 * A regular file some fd of the process had open (one record per file
 * and process: fds match it by dev and inode), followed by FILEDATA
 * records when its contents were saved: a deleted file (ghost), a memfd,
 * or with dmtcp_launch --ckpt-open-files a file open for writing.  The
 * FILEDATA records cover the data extents of the file in increasing,
 * non-overlapping order and add up to data_bytes; everything else up to
 * size is a hole (zeros).  FILEDATA payloads are zlib chunks in gzip
 * images (IMG_RF_ZCHUNKS), raw bytes with a CRC (IMG_RF_CRC) or without
 * one (the decoder's raw stream) in raw images.  doc/files.md.
 */
struct img_file {
	uint64_t dev, inode;	/* st_dev, st_ino at checkpoint time */
	uint64_t size;		/* st_size */
	uint64_t data_bytes;	/* raw bytes in the FILEDATA records */
	int64_t mtime_sec;	/* st_mtim */
	int64_t mtime_nsec;
	uint32_t mode;		/* st_mode */
	uint32_t uid, gid;	/* st_uid, st_gid */
	uint32_t flags;		/* IMG_FILE_* */
	uint32_t seals;		/* memfd: F_GET_SEALS, else 0 */
	uint32_t path_len;	/* bytes of path following, no NUL; for an
				   unlinked file its last name, without
				   " (deleted)" */
	uint64_t reserved[2];
};

/* struct img_file.flags */
#define IMG_FILE_UNLINKED	0x1	/* st_nlink was 0: comes back unlinked */
#define IMG_FILE_MEMFD		0x2	/* memfd_create (path "/memfd:NAME") */
#define IMG_FILE_CONTENTS	0x4	/* its contents follow (FILEDATA) */
#define IMG_FILE_CKPT_OPEN	0x8	/* saved because it was open for writing
					   (--ckpt-open-files) */
#define IMG_FILE_OVER_LIMIT	0x10	/* unlinked, more data than the ghost
					   limit: contents not saved
					   (--ghost-over-limit=drop) */

/* Limits for freestanding parsers */
#define IMG_PATH_MAX		4096
#define IMG_MAX_THREADS		4096

/* struct img_proc.flags */
#define IMG_PROC_PIDNS		0x1	/* was running in a restart pid ns */
#define IMG_PROC_IPC_SIDE	0x2	/* wrote <image>.ipc: SysV IPC objects,
					   zombie children (doc/ipc.md) */

/* Fields of the kernel's mm that PR_SET_MM_MAP can restore */
struct img_mm {
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
};

struct img_proc {
	uint32_t pid, ppid, pgid, sid;
	uint32_t uid, gid, nthreads, nareas;
	uint32_t generation;	/* 1 for the first checkpoint */
	uint32_t num_peers;	/* processes in the computation */
	uint32_t flags;		/* IMG_PROC_* */
	uint32_t ckpt_signal;
	uint64_t ckpt_usec;	/* time spent writing the previous image */
	/* hand-off to the restored library (see restore.h) */
	uint64_t restore_entry;	/* address of dmtcp_restore_entry() */
	uint64_t restore_stack;	/* top of a stack usable by it */
	uint64_t reserve_addr;	/* range kept free for mtcp_restart */
	uint64_t reserve_len;
	/* kernel special areas at checkpoint time: [vvar*] + [vdso] span */
	uint64_t vdso_start, vdso_end;	/* [vdso] */
	uint64_t vspecial_start, vspecial_end;	/* lowest..highest of all */
	struct img_mm mm;
	char comp_id[64];	/* computation id */
	char unique_id[64];	/* this process's id (in the file name) */
	char progname[64];
	char hostname[64];
	char kernel[64];	/* uname -r of the checkpointing kernel */
	char exe[IMG_PATH_MAX];	/* /proc/self/exe */
	char cwd[IMG_PATH_MAX];
	char coord_host[256];
	uint32_t coord_port;
	uint32_t reserved0;
	uint64_t reserved[8];
};

/* struct img_thread.state */
#define IMG_THREAD_USER		0	/* an application thread */
#define IMG_THREAD_CKPT		1	/* the checkpoint thread */

/*
 * Registers, in the order of struct user_regs_struct from <sys/user.h>
 * (and of NT_PRSTATUS's pr_reg), so core export can copy them as is.
 */
struct img_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
	uint64_t r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss, fs_base, gs_base;
	uint64_t ds, es, fs, gs;
};

struct img_thread {
	uint32_t tid;
	uint32_t state;		/* IMG_THREAD_* */
	char name[16];
	struct img_regs regs;	/* where the thread was interrupted */
	uint8_t fpregs[512];	/* FXSAVE layout (user_fpregs_struct) */
	uint64_t sigmask;	/* blocked signals (bit n-1 = signal n) */
	uint64_t sigpending;	/* thread-directed pending signals */
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	uint32_t reserved0;
	uint64_t clear_tid;	/* set_tid_address() pointer */
	uint64_t robust_list, robust_len;
	uint64_t rseq_addr;	/* 0 if none */
	uint32_t rseq_len;
	uint32_t rseq_sig;
	uint64_t reserved[4];
};

/* struct img_area.kind */
enum img_area_kind {
	IMG_AREA_ANON = 1,	/* private anonymous (incl. heap, stacks) */
	IMG_AREA_FILE = 2,	/* private mapping of a regular file */
	IMG_AREA_SHARED_FILE = 3, /* shared mapping of a regular file */
	IMG_AREA_SHARED_ANON = 4, /* MAP_SHARED|MAP_ANONYMOUS, /dev/zero */
	IMG_AREA_DELETED = 5,	/* mapping of a deleted file or memfd */
	IMG_AREA_SPECIAL = 6,	/* [vdso], [vvar], [vsyscall]: not restored */
};

/* struct img_area.flags */
#define IMG_AF_HEAP		0x1	/* [heap] */
#define IMG_AF_STACK		0x2	/* [stack] */
#define IMG_AF_SHARED		0x4	/* MAP_SHARED */
#define IMG_AF_NORESERVE	0x8	/* reservation, pages may be absent */
#define IMG_AF_GROWSDOWN	0x10
#define IMG_AF_HAS_BUILD_ID	0x20
#define IMG_AF_DATA_ALL		0x40	/* pages cover every readable page */
#define IMG_AF_FILE_PAGES_OMITTED 0x80	/* IMG_AREA_FILE: pages equal to the
					   file were not stored; the restart
					   needs the file unchanged */
#define IMG_AF_DELTA		0x100	/* IMG_F_DELTA image: pages of this
					   area not covered by its PAGES are
					   the parent image's at the same
					   addresses (as the parent restores
					   them); stored_bytes counts the
					   PAGES here only */

/* PROT_* bits as in <sys/mman.h> */
#define IMG_PROT_READ		0x1
#define IMG_PROT_WRITE		0x2
#define IMG_PROT_EXEC		0x4

struct img_area {
	uint64_t start, end;
	uint64_t offset;	/* file offset of start */
	uint32_t prot;		/* IMG_PROT_* */
	uint32_t kind;		/* enum img_area_kind */
	uint32_t flags;		/* IMG_AF_* */
	uint32_t path_len;	/* bytes of path following, no NUL */
	uint64_t dev, inode;	/* st_dev, st_ino of the file */
	uint64_t file_size;
	int64_t mtime_sec;
	int64_t mtime_nsec;
	uint64_t stored_bytes;	/* page bytes in the following PAGES */
	uint8_t build_id[20];	/* ELF NT_GNU_BUILD_ID of the file */
	uint32_t build_id_len;
	uint64_t load_bias;	/* ELF objects: address - p_vaddr */
	uint64_t reserved[2];
};

/* struct img_fd.kind */
enum img_fd_kind {
	IMG_FD_FILE = 1,	/* regular file */
	IMG_FD_DIR = 2,
	IMG_FD_CHR = 3,		/* character device (tty, /dev/null) */
	IMG_FD_PIPE = 4,
	IMG_FD_SOCKET = 5,
	IMG_FD_OTHER = 6,	/* anon_inode and others */
	IMG_FD_TTY = 7,		/* a terminal */
	IMG_FD_MQUEUE = 8,	/* POSIX message queue (mq_open), path
				   "/name" (doc/ipc.md) */
	IMG_FD_PTY = 9,		/* pseudo-terminal master (/dev/ptmx);
				   size = the pty's number (TIOCGPTN) */
};

struct img_fd {
	int32_t fd;
	uint32_t kind;		/* enum img_fd_kind */
	uint32_t flags;		/* fcntl(F_GETFL) */
	uint32_t fdflags;	/* fcntl(F_GETFD) */
	int64_t offset;		/* lseek(fd, 0, SEEK_CUR), -1 if none */
	uint64_t dev, inode, size;
	uint32_t mode;		/* st_mode */
	uint32_t path_len;	/* bytes of path following, no NUL */
	/*
	 * Open file description key: the pid that won the F_SETOWN
	 * election on it at checkpoint time, and the lowest fd number that
	 * process has for it.  Fds with the same dev, inode, owner and
	 * owner_fd (in one process or several) share one description: one
	 * offset, one pipe end.  owner 0 / owner_fd -1: unknown.
	 */
	int32_t owner;
	int32_t owner_fd;
	/*
	 * Sockets (kind IMG_FD_SOCKET; zero for other kinds).  After the
	 * path come sk_addr_len bytes of the local address (getsockname),
	 * sk_peer_len bytes of the peer's (getpeername), then sk_data_len
	 * bytes that were queued for reading at checkpoint time: the bytes
	 * themselves for SOCK_STREAM, else a sequence of messages, each a
	 * uint32_t length followed by that many bytes.  Only one holder of
	 * a socket (the owner) carries its data.
	 */
	int32_t sk_domain;	/* AF_* */
	int32_t sk_type;	/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int32_t sk_protocol;
	uint32_t sk_flags;	/* IMG_SK_* */
	uint32_t sk_addr_len;
	uint32_t sk_peer_len;
	uint32_t sk_rcvbuf;	/* SO_RCVBUF, SO_SNDBUF */
	uint32_t sk_sndbuf;
	uint64_t sk_peer_inode;	/* AF_UNIX: inode of the peer socket */
	uint64_t sk_data_len;
};

/* struct img_fd.sk_flags */
#define IMG_SK_LISTEN		0x1	/* listening */
#define IMG_SK_CONNECTED	0x2	/* has (or had) a peer */
#define IMG_SK_PEER_GONE	0x4	/* the peer closed: EOF after the data */
#define IMG_SK_SHUT_RD		0x8	/* shutdown(SHUT_RD) by this side */
#define IMG_SK_SHUT_WR		0x10	/* shutdown(SHUT_WR) by this side */
#define IMG_SK_RESEND		0x20	/* TCP: bytes this side had written and
					   its peer in the computation had
					   not read were drained and given
					   back to this process: it writes
					   them again itself (they are in its
					   memory, not in sk_data) */
#define IMG_SK_HELD		0x40	/* TCP: bytes queued for reading
					   before the peer's FIN are held by
					   this process, which hands them to
					   its reads before the EOF (not in
					   sk_data) */

/* Bytes following a struct img_fd in the FDS record. */
#define IMG_FD_TAIL(f) ((uint64_t)(f)->path_len + (f)->sk_addr_len + \
			(f)->sk_peer_len + (f)->sk_data_len)

struct img_end {
	uint64_t nrecords;	/* records before END */
	uint64_t page_bytes;	/* total raw page bytes */
	uint64_t reserved[2];
};

#endif /* DMTCP_IMAGE_H */
