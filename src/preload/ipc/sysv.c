/*
 * ipc/sysv.c - System V IPC objects and zombie children, saved at checkpoint
 * time into the image's side file (include/dmtcp/ipc-side.h) for
 * dmtcp_restart, which recreates them with their old ids in the restart's
 * own IPC namespace before any process exists (src/restart/restart-ipc.c,
 * doc/ipc.md).
 *
 * Which objects a process saves: every segment, semaphore set and
 * message queue whose id it got from shmget/semget/msgget (wrapped here;
 * the table lives in the library's memory, so fork inherits it and a
 * restart brings it back) and every segment it has attached (/SYSV areas
 * of /proc/self/maps).  Processes sharing an object all save it;
 * dmtcp_restart keeps one copy.  Segment contents: the pages of an
 * attached segment are in the image already; a segment that is not
 * attached here is read through a temporary read-only attach.
 * Messages are copied without being received (msgrcv MSG_COPY).
 *
 * Zombies: children that exited and were not reaped yet (state Z in
 * /proc/PID/stat); waitid(WNOWAIT) reads their status without reaping.
 *
 * Also the wrappers that let semop, semtimedop, msgsnd and msgrcv
 * survive the checkpoint signal: the kernel never restarts them, so an
 * EINTR caused by a checkpoint is retried (with what was left of a
 * semtimedop timeout).
 *
 * The save runs in the checkpoint thread while the other threads are
 * frozen: no heap, static and mmap'd buffers only.
 */
#include "config.h"
#include "ipc/ipc.h"
#include "base/timeout.h"
#include "log.h"
#include "maps.h"
#include "base/sys.h"
#include "util.h"
#include "safefile.h"
#include "dmtcp/ipc-side.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))
#define PAGE 4096UL
#define MAX_IDS 512
#define MSGBUF_SIZE (1u << 20)	/* largest message copied */
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

union semun_ {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* ------------------------------------------------------------------ */
/* ids the program got                                                 */

static struct {
	int kind;		/* IPC_SIDE_SHM, _SEM, _MSG */
	int id;
} ids[MAX_IDS];
static int nids;

static void remember(int kind, long id)
{
	int n = __atomic_load_n(&nids, __ATOMIC_ACQUIRE), slot;

	if (id < 0)
		return;
	for (int i = 0; i < n && i < MAX_IDS; i++)
		if (ids[i].kind == kind && ids[i].id == id)
			return;
	slot = __atomic_fetch_add(&nids, 1, __ATOMIC_ACQ_REL);
	if (slot >= MAX_IDS) {
		__atomic_store_n(&nids, MAX_IDS, __ATOMIC_RELEASE);
		return;
	}
	ids[slot].id = (int)id;
	__atomic_store_n(&ids[slot].kind, kind, __ATOMIC_RELEASE);
}

API int shmget(key_t key, size_t size, int flg)
{
	long r = syscall(SYS_shmget, key, size, flg);

	remember(IPC_SIDE_SHM, r);
	return (int)r;
}

API int semget(key_t key, int nsems, int flg)
{
	long r = syscall(SYS_semget, key, nsems, flg);

	remember(IPC_SIDE_SEM, r);
	return (int)r;
}

API int msgget(key_t key, int flg)
{
	long r = syscall(SYS_msgget, key, flg);

	remember(IPC_SIDE_MSG, r);
	return (int)r;
}

/* ------------------------------------------------------------------ */
/* calls the checkpoint signal interrupts                              */


API int semtimedop(int id, struct sembuf *sops, size_t n,
		   const struct timespec *timeout)
{
	uint64_t total = 0, start = dmtcp_now_mono_ns();
	struct timespec left;
	const struct timespec *t = timeout;

	if (!REAL(semtimedop)) {
		errno = ENOSYS;
		return -1;
	}
	if (timeout)
		total = dmtcp_ts_ns(timeout);
	for (;;) {
		long r;

		dmtcp_tl_interrupted = 0;
		r = REAL(semtimedop)(id, sops, n, t);
		if (r == 0 || errno != EINTR || !dmtcp_tl_interrupted)
			return (int)r;
		dmtcp_tl_interrupted = 0;
		if (timeout) {
			total = dmtcp_timeout_left(total, start,
						   dmtcp_tl_suspend_ns);
			left = dmtcp_ns_ts(total);
			t = &left;
			start = dmtcp_now_mono_ns();
		}
	}
}

API int semop(int id, struct sembuf *sops, size_t n)
{
	return semtimedop(id, sops, n, NULL);
}

API int msgsnd(int id, const void *msg, size_t sz, int flg)
{

	if (!REAL(msgsnd)) {
		errno = ENOSYS;
		return -1;
	}
	for (;;) {
		long r;

		dmtcp_tl_interrupted = 0;
		r = REAL(msgsnd)(id, msg, sz, flg);
		if (r == 0 || errno != EINTR || !dmtcp_tl_interrupted)
			return (int)r;
	}
}

API ssize_t msgrcv(int id, void *msg, size_t sz, long type, int flg)
{

	if (!REAL(msgrcv)) {
		errno = ENOSYS;
		return -1;
	}
	for (;;) {
		long r;

		dmtcp_tl_interrupted = 0;
		r = REAL(msgrcv)(id, msg, sz, type, flg);
		if (r >= 0 || errno != EINTR || !dmtcp_tl_interrupted)
			return r;
	}
}

/* ------------------------------------------------------------------ */
/* the side file                                                       */

struct out {
	int fd;			/* -1 until the first record */
	int failed;		/* errno */
	int nrecs;
	char *path;		/* the temporary name (PATH_MAX + 64) */
	const char *final;	/* the side file's name */
};

static void out_write(struct out *o, const void *p, size_t len)
{
	if (!o->failed && util_write_all(o->fd, p, len) < 0)
		o->failed = errno ? errno : EIO;
}

/* The file is created with the first record: most processes have none. */
static off_t out_pos(struct out *o)
{
	static struct ipc_side_header h;

	if (o->fd < 0 && !o->failed) {
		o->fd = safe_create_tmp(o->final, o->path, PATH_MAX + 64,
					0600);
		if (o->fd < 0) {
			o->failed = errno ? errno : EIO;
			return 0;
		}
		memset(&h, 0, sizeof(h));
		memcpy(h.magic, IPC_SIDE_MAGIC, 8);
		h.version = IPC_SIDE_VERSION;
		h.pid = rsys_getpid();
		h.generation = dmtcp_generation;
		h.ctime_ns = dmtcp_now_ns();
		out_write(o, &h, sizeof(h));
	}
	return o->fd < 0 ? 0 : lseek(o->fd, 0, SEEK_CUR);
}

static void out_rec(struct out *o, uint32_t type, uint64_t len)
{
	struct ipc_side_rec r = { type, 0, len };

	out_pos(o);
	out_write(o, &r, sizeof(r));
	o->nrecs++;
}

static void out_pad(struct out *o, uint64_t len)
{
	static const char zero[8];

	if (len & 7)
		out_write(o, zero, 8 - (len & 7));
}

static int page_is_zero(const void *p)
{
	const uint64_t *w = p;
	uint64_t acc = 0;

	for (unsigned i = 0; i < PAGE / 8; i++)
		acc |= w[i];
	return acc == 0;
}

/*
 * 1 if /proc/sysvipc/shm says no page of segment id is in swap: then a
 * page mincore() does not find in memory was never written (reading it
 * would allocate it).  0 otherwise (every page is read).
 */
static int shm_unswapped(int id)
{
	const size_t cap = 1u << 20;
	char *buf = mmap(NULL, cap, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int fd, found = 0;
	ssize_t n = 0;

	if (buf == MAP_FAILED)
		return 0;
	fd = open("/proc/sysvipc/shm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = util_read_all(fd, buf, cap - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = 0;
		/* key shmid perms size cpid lpid nattch uid gid cuid cgid
		   atime dtime ctime rss swap */
		for (char *l = strchr(buf, '\n'); l && *l; l = strchr(l, '\n')) {
			unsigned long long f[16];
			char *p = l + 1;
			int k;

			for (k = 0; k < 16 && *p && *p != '\n'; k++)
				f[k] = strtoull(p, &p, 10);
			l++;
			if (k == 16 && (long long)f[1] == id) {
				found = f[15] == 0;
				break;
			}
		}
	}
	munmap(buf, cap);
	return found;
}

static unsigned char mc[1024];	/* mincore of 1024 pages from mc_off */
static uint64_t mc_off;

static int page_has_data(const char *mem, uint64_t off, uint64_t size,
			 int sparse)
{
	if (sparse) {
		uint64_t chunk = off / (1024 * PAGE) * (1024 * PAGE);

		if (off == 0 || mc_off != chunk) {
			uint64_t len = size - chunk < 1024 * PAGE
				       ? size - chunk : 1024 * PAGE;

			if (mincore((void *)(mem + chunk), len, mc) < 0)
				memset(mc, 1, sizeof(mc));
			mc_off = chunk;
		}
		if (!(mc[(off - chunk) / PAGE] & 1))
			return 0;
	}
	return !page_is_zero(mem + off);
}

/* Segments attached here (ids), from /proc/self/maps. */
static int attached[MAX_IDS];
static int nattached;

static int is_attached(int id)
{
	for (int i = 0; i < nattached; i++)
		if (attached[i] == id)
			return 1;
	return 0;
}

static void find_attached(void)
{
	static struct maps_entry e;
	char *buf = NULL;
	size_t cap = 0, pos = 0;
	long len = maps_read_file("/proc/self/maps", &buf, &cap);

	nattached = 0;
	if (len < 0)
		return;
	while (maps_next(buf, len, &pos, &e) == 1) {
		if (strncmp(e.path, "/SYSV", 5) != 0 || !e.shared ||
		    is_attached((int)e.inode) || nattached >= MAX_IDS)
			continue;
		attached[nattached++] = (int)e.inode;
		remember(IPC_SIDE_SHM, (long)e.inode);
	}
	maps_free_buf(buf, cap);
}

static void save_shm(struct out *o, int id)
{
	struct shmid_ds ds;
	struct ipc_side_shm s;
	uint64_t len = sizeof(s);
	const char *mem = NULL;
	off_t rec_at;
	int sparse = 0;

	if (shmctl(id, IPC_STAT, &ds) < 0) {
		if (errno != EINVAL && errno != EIDRM)
			pr_warn("process %d: SysV shared memory segment %d: "
				"%s: not saved", rsys_getpid(), id,
				strerror(errno));
		return;
	}
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.key = ds.shm_perm.__key;
	s.mode = ds.shm_perm.mode & 0777;
	s.size = ds.shm_segsz;
	if (ds.shm_perm.mode & SHM_DEST)
		s.flags |= IPC_SHM_DEST;
	if (!is_attached(id)) {
		void *p = shmat(id, NULL, SHM_RDONLY);

		if (p == (void *)-1)
			pr_warn("process %d: cannot read SysV shared memory "
				"segment %d (key %#x): %s: its contents are "
				"not saved", rsys_getpid(), id,
				(unsigned)s.key, strerror(errno));
		else
			mem = p;
	}
	if (mem) {
		s.flags |= IPC_SHM_DATA;
		sparse = shm_unswapped(id);
	}
	rec_at = out_pos(o);
	out_rec(o, IPC_SIDE_SHM, 0);	/* length fixed below */
	out_write(o, &s, sizeof(s));
	for (uint64_t off = 0; mem && off < s.size;) {
		struct ipc_side_run run;
		uint64_t end;

		if (!page_has_data(mem, off, s.size, sparse)) {
			off += PAGE;
			continue;
		}
		for (end = off + PAGE; end < s.size &&
		     page_has_data(mem, end, s.size, sparse); end += PAGE)
			;
		if (end > s.size)
			end = s.size;
		run.off = off;
		run.len = end - off;
		out_write(o, &run, sizeof(run));
		out_write(o, mem + off, run.len);
		out_pad(o, run.len);
		len += sizeof(run) + IPC_SIDE_PAD8(run.len);
		off = (end + PAGE - 1) & ~(PAGE - 1);
	}
	if (mem)
		shmdt(mem);
	if (!o->failed) {
		struct ipc_side_rec r = { IPC_SIDE_SHM, 0, len };

		if (pwrite(o->fd, &r, sizeof(r), rec_at) != sizeof(r))
			o->failed = errno ? errno : EIO;
	}
}

static void save_sem(struct out *o, int id)
{
	static unsigned short vals[65536];
	struct semid_ds ds;
	struct ipc_side_sem s;
	union semun_ arg;

	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) < 0) {
		if (errno != EINVAL && errno != EIDRM)
			pr_warn("process %d: SysV semaphore set %d: %s: not "
				"saved", rsys_getpid(), id, strerror(errno));
		return;
	}
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.key = ds.sem_perm.__key;
	s.mode = ds.sem_perm.mode & 0777;
	s.nsems = ds.sem_nsems;
	if (s.nsems > 65536)
		return;
	arg.array = vals;
	if (semctl(id, 0, GETALL, arg) < 0) {
		pr_warn("process %d: SysV semaphore set %d: cannot read its "
			"values: %s: not saved", rsys_getpid(), id,
			strerror(errno));
		return;
	}
	out_rec(o, IPC_SIDE_SEM, sizeof(s) + IPC_SIDE_PAD8(2 * s.nsems));
	out_write(o, &s, sizeof(s));
	out_write(o, vals, 2 * s.nsems);
	out_pad(o, 2 * s.nsems);
}

static char *msgbuf;		/* mmap'd for one save */

static void save_msg(struct out *o, int id)
{
	struct msqid_ds ds;
	struct ipc_side_msgq q;
	uint64_t len = sizeof(q);
	off_t rec_at;

	if (msgctl(id, IPC_STAT, &ds) < 0) {
		if (errno != EINVAL && errno != EIDRM)
			pr_warn("process %d: SysV message queue %d: %s: not "
				"saved", rsys_getpid(), id, strerror(errno));
		return;
	}
	memset(&q, 0, sizeof(q));
	q.id = id;
	q.key = ds.msg_perm.__key;
	q.mode = ds.msg_perm.mode & 0777;
	q.qbytes = ds.msg_qbytes;
	if (!msgbuf) {
		msgbuf = mmap(NULL, MSGBUF_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			      -1, 0);
		if (msgbuf == MAP_FAILED)
			msgbuf = NULL;
	}
	rec_at = out_pos(o);
	out_rec(o, IPC_SIDE_MSG, 0);
	out_write(o, &q, sizeof(q));
	for (unsigned long i = 0; msgbuf && i < ds.msg_qnum; i++) {
		struct ipc_side_msg m;
		ssize_t n = syscall(SYS_msgrcv, id, msgbuf,
				    MSGBUF_SIZE - sizeof(long), (long)i,
				    IPC_NOWAIT | MSG_COPY);

		if (n < 0) {
			if (errno != ENOMSG)
				pr_warn("process %d: SysV message queue %d: "
					"message %lu: %s: not saved",
					rsys_getpid(), id, i,
					strerror(errno));
			break;
		}
		m.type = *(long *)msgbuf;
		m.len = n;
		out_write(o, &m, sizeof(m));
		out_write(o, msgbuf + sizeof(long), n);
		out_pad(o, n);
		len += sizeof(m) + IPC_SIDE_PAD8(n);
		q.nmsgs++;
	}
	if (!o->failed) {
		struct ipc_side_rec r = { IPC_SIDE_MSG, 0, len };

		if (pwrite(o->fd, &r, sizeof(r), rec_at) != sizeof(r) ||
		    pwrite(o->fd, &q, sizeof(q), rec_at + sizeof(r)) !=
		    sizeof(q))
			o->failed = errno ? errno : EIO;
	}
}

/* ------------------------------------------------------------------ */
/* zombie children                                                     */

static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static void save_zombie(struct out *o, int pid)
{
	char path[64], buf[1024], *p;
	struct ipc_side_zombie z;
	siginfo_t si;
	long f[40];
	int nf = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'Z')
		return;
	/* fields from 4 (ppid) on; exit_signal is field 38 */
	for (p += 3; *p && nf < 40;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		f[nf++] = strtol(p, &p, 10);
	}
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 ||
	    si.si_pid != pid)
		return;
	memset(&z, 0, sizeof(z));
	z.pid = pid;
	z.pgid = nf > 1 ? (int)f[1] : 0;		/* field 5 */
	z.exit_signal = nf > 34 ? (int)f[34] : SIGCHLD;	/* field 38 */
	z.code = si.si_code;
	z.status = si.si_status;
	out_rec(o, IPC_SIDE_ZOMBIE, sizeof(z));
	out_write(o, &z, sizeof(z));
	pr_debug("zombie child %d: code %d status %d", pid, z.code, z.status);
}

static int children_of(int tid, int dirfd, void *arg)
{
	char path[64], buf[4096], *p;

	(void)dirfd;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; *p;) {
		long c = strtol(p, &p, 10);

		if (c <= 0)
			break;
		save_zombie(arg, (int)c);
	}
	return 0;
}

/* ------------------------------------------------------------------ */

/*
 * Write <image>.ipc (the checkpoint thread, threads frozen).  Returns 1
 * if written, 0 if there was nothing to save (a leftover of that name, from
 * a checkpoint that did not commit, is removed),
 * -1 with a message in err.
 */

int dmtcp_ipc_save(const char *image, char *err, size_t errcap)
{
	static char tmp[PATH_MAX + 64], side[PATH_MAX + 8];
	struct out o = { -1, 0, 0, tmp, side };
	int n;

	snprintf(side, sizeof(side), "%s%s", image, IPC_SIDE_SUFFIX);
	tmp[0] = 0;
	find_attached();
	n = __atomic_load_n(&nids, __ATOMIC_ACQUIRE);
	for (int i = 0; i < n && i < MAX_IDS; i++) {
		switch (ids[i].kind) {
		case IPC_SIDE_SHM:
			save_shm(&o, ids[i].id);
			break;
		case IPC_SIDE_SEM:
			save_sem(&o, ids[i].id);
			break;
		case IPC_SIDE_MSG:
			save_msg(&o, ids[i].id);
			break;
		}
	}
	if (msgbuf)
		munmap(msgbuf, MSGBUF_SIZE);
	msgbuf = NULL;
	dmtcp_each_number("/proc/self/task", children_of, &o);
	if (o.failed)
		goto fail;
	if (o.nrecs == 0) {
		unlink(side);	/* a leftover must not come back */
		return 0;
	}
	out_rec(&o, IPC_SIDE_END, 0);
	if (o.failed || fsync(o.fd) < 0)
		goto fail;
	close(o.fd);
	if (rename(tmp, side) < 0) {
		snprintf(err, errcap, "cannot rename %s to %s: %s", tmp, side,
			 strerror(errno));
		unlink(tmp);
		return -1;
	}
	pr_debug("wrote %s: %d records", side, o.nrecs);
	return 1;
fail:
	snprintf(err, errcap, "writing %s: %s", tmp,
		 strerror(o.failed ? o.failed : errno));
	if (o.fd >= 0)
		close(o.fd);
	unlink(tmp);
	return -1;
}
