/*
 * mtcp-sys.h - the freestanding world of mtcp_restart: raw system calls,
 * the few kernel constants and structs it needs, tiny string helpers.
 * No libc header may be included by anything under src/mtcp.
 */
#ifndef MTCP_SYS_H
#define MTCP_SYS_H

#include <stdint.h>
#include <stddef.h>

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_stat 4
#define NR_fstat 5
#define NR_lseek 8
#define NR_mmap 9
#define NR_mprotect 10
#define NR_munmap 11
#define NR_rt_sigprocmask 14
#define NR_mremap 25
#define NR_shmat 30
#define NR_shmctl 31
#define NR_getpid 39
#define NR_sendto 44
#define NR_exit 60
#define NR_prctl 157
#define NR_arch_prctl 158
#define NR_clock_gettime 228
#define NR_exit_group 231

#define O_RDONLY 0
#define O_RDWR 2
#define O_CLOEXEC 02000000
#define SEEK_SET 0
#define SEEK_CUR 1
#define S_IFMT 0170000
#define S_IFREG 0100000
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MAP_NORESERVE 0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define SHM_RDONLY 010000
#define SHM_EXEC 0100000
#define IPC_RMID 0
#define IPC_STAT 2
#define MSG_NOSIGNAL 0x4000
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define PR_SET_MM 35
#define PR_SET_MM_MAP 14
#define EEXIST 17
#define ESPIPE 29
#define EINTR 4

/* struct stat of x86-64 */
struct k_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	uint64_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec;
	uint64_t st_ctime, st_ctime_nsec;
	int64_t unused[3];
};

struct k_timespec {
	int64_t tv_sec, tv_nsec;
};

struct prctl_mm_map {
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t *auxv;
	uint32_t auxv_size;
	uint32_t exe_fd;
};

/* raw system calls: the one header both worlds use */
#include "dmtcp/rawsys.h"
#define sys1 rsys1
#define sys2 rsys2
#define sys3 rsys3
#define sys4 rsys4
#define sys5 rsys5
#define sys6(n, a, b, c, d, e, f) \
	rsys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* mtcp-util.c */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t mtcp_strlen(const char *s);
int mtcp_streq(const char *a, const char *b);
int mtcp_strneq(const char *a, const char *b, size_t n);
void mtcp_strlcpy(char *d, const char *s, size_t cap);
long mtcp_atol(const char *s);
void mtcp_puts(const char *s);
void mtcp_put_hex(uint64_t v);
void mtcp_put_dec(int64_t v);

#endif /* MTCP_SYS_H */
