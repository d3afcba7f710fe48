/*
 * img-zpool.c - the gzip writer's worker threads.  Chunks of PAGES and
 * FILEDATA records are copied into jobs (up to 1 MiB of input, up to
 * 256 chunks each); workers compress the jobs (img-zchunk.c) while the
 * caller fills the next; the caller hands finished jobs back to the
 * writer in the order it filled them, so the file is byte for byte the
 * one the calling thread alone would write.
 *
 * This runs in the checkpointed process while its other threads are
 * frozen (maybe inside malloc, maybe holding libc locks), or in the
 * single-threaded fork child of a multi-threaded process: no malloc, no
 * pthreads.  Workers are raw clone(2) threads on stacks inside the
 * pool's one mmap'd region, created with every signal blocked.  They
 * have no TLS of their own (they share the caller's %fs): they call
 * nothing that touches errno or libc state (zlib's deflate and crc32,
 * memcpy, memset and raw system calls only).  They wait on futexes and
 * leave with SYS_exit; zpool_close() joins them through
 * CLONE_CHILD_CLEARTID.  A fork child (forked checkpoints) finishes
 * the jobs in flight at the fork and starts workers of its own.  The caller copies the input (never lets a
 * worker read the process's memory): a fault while reading it must hit
 * the caller, which guards it, and the buffer passed in may be reused
 * as soon as the write returns.
 */
#include "config.h"
#include "img-zpool.h"
#include "img-zchunk.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#define STACK_SIZE	(64u << 10)
#define ARENA_SIZE	(512u << 10)	/* deflate needs ~270 KiB */
#define JOB_OUT_CAP	(zchunk_bound(ZP_JOB_IN) + \
			 ZP_JOB_CHUNKS * (sizeof(struct img_zchunk) + 96))
#define PAGE_ROUND(n)	(((n) + 4095) & ~(size_t)4095)

struct zp_worker {
	int tid;		/* futex: set by clone, cleared by the kernel
				   when the thread is gone */
	int cur_level;		/* zs's level now */
	struct img_zpool *pool;
	z_stream *zs;		/* inside arena */
	struct img_zarena arena;
	unsigned char *stack;
};

struct img_zpool {
	/* shared with the workers */
	uint32_t submitted;	/* jobs handed to the workers (sequence
				   numbers 0, 1, ...; job n is in slot
				   n % njobs) */
	uint32_t taken;		/* jobs a worker has started */
	uint32_t wake;		/* futex: bumped at every submit and at stop */
	uint32_t stop;
	int level;
	int njobs;
	struct zp_job *job;
	/* the caller's */
	long pid;		/* the process the workers run in */
	uint32_t retired;	/* jobs handed back to the writer */
	int filling;		/* job `submitted` is being filled */
	int nworkers;		/* running in this process */
	int nmax;		/* asked for (zlib states ready) */
	size_t map_len;
	struct zp_worker worker[IMG_ZTHREADS_MAX];
};

/* ---- raw system calls, usable without TLS -------------------------- */

static long sys4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static void futex_wait(uint32_t *addr, uint32_t val, int private)
{
	sys4(SYS_futex, (long)addr, private ? FUTEX_WAIT_PRIVATE : FUTEX_WAIT,
	     val, 0);
}

static void futex_wake(uint32_t *addr, int n)
{
	sys4(SYS_futex, (long)addr, FUTEX_WAKE_PRIVATE, n, 0);
}

/*
 * clone(flags, stack, ptid, ctid, 0): the new thread calls fn(arg) on
 * stack (16-byte aligned top) and leaves with SYS_exit.  The parent gets
 * the thread id or -errno.
 */
static long raw_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		      void (*fn)(void *), void *arg)
{
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = 0;
	register void (*r12)(void *) __asm__("r12") = fn;
	register void *r13 __asm__("r13") = arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "testq %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 /* the new thread, on its own stack */
			 "xorl %%ebp, %%ebp\n\t"
			 "movq %%r13, %%rdi\n\t"
			 "callq *%%r12\n\t"
			 "movl %[nr_exit], %%eax\n\t"
			 "xorl %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone), "D"(flags), "S"(stack),
			   "d"(ptid), "r"(r10), "r"(r8), "r"(r12), "r"(r13),
			   [nr_exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}

/* ---- the workers ---------------------------------------------------- */

/* the chunks of a job, back to back in job->out, each a struct
   img_zchunk and its zlib stream */
static void run_job(struct zp_worker *wk, struct zp_job *j, int level)
{
	size_t out = 0;

	j->err = 0;
	for (uint32_t i = 0; i < j->nchunks; i++) {
		struct zp_chunk *c = &j->chunk[i];
		const unsigned char *in = j->in + c->in_off;
		struct img_zchunk h = { .raw_len = c->raw_len };
		int err;

		if (JOB_OUT_CAP - out < sizeof(h)) {
			j->err = EOVERFLOW;
			return;
		}
		err = zchunk_compress(wk->zs, &wk->cur_level,
				      level, in,
				      c->raw_len, j->out + out + sizeof(h),
				      JOB_OUT_CAP - out - sizeof(h),
				      &h.comp_len, &h.crc);
		if (err) {
			j->err = err;
			return;
		}
		memcpy(j->out + out, &h, sizeof(h));
		c->out_off = out;
		c->out_len = sizeof(h) + h.comp_len;
		out += c->out_len;
	}
	j->out_len = out;
}

static void worker_main(void *arg)
{
	struct zp_worker *wk = arg;
	struct img_zpool *p = wk->pool;

	for (;;) {
		/* read wake first: a submit or stop after it changes it,
		   and the futex wait then returns at once */
		uint32_t wake = __atomic_load_n(&p->wake, __ATOMIC_SEQ_CST);
		uint32_t t = __atomic_load_n(&p->taken, __ATOMIC_SEQ_CST);
		struct zp_job *j;

		if (__atomic_load_n(&p->stop, __ATOMIC_SEQ_CST))
			return;
		if (t == __atomic_load_n(&p->submitted, __ATOMIC_ACQUIRE)) {
			futex_wait(&p->wake, wake, 1);
			continue;
		}
		if (!__atomic_compare_exchange_n(&p->taken, &t, t + 1, 0,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			continue;
		j = &p->job[t % p->njobs];
		run_job(wk, j, p->level);
		__atomic_store_n(&j->done, t + 1, __ATOMIC_RELEASE);
		futex_wake(&j->done, 1);
	}
}

/* ---- the caller's side ---------------------------------------------- */

int zpool_ncpus(void)
{
	unsigned long mask[1024 / (8 * sizeof(unsigned long))];
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	int cpus = 0;

	if (n <= 0)
		return 1;
	for (long i = 0; i < n / (long)sizeof(mask[0]); i++)
		cpus += __builtin_popcountl(mask[i]);
	return cpus > 0 ? cpus : 1;
}

int zpool_nworkers(const struct img_zpool *p)
{
	return p->nworkers;
}

/* waits for the worker to be gone: the kernel clears its tid
   (CLONE_CHILD_CLEARTID) when the thread has let go of its memory, as
   pthread_join relies on, so its stack may be unmapped then (waiting
   on until tgkill no longer found it spun for ~50 ms at every
   checkpoint, with the process frozen) */
static void join(struct zp_worker *wk, pid_t pid)
{
	int t;

	(void)pid;
	while ((t = __atomic_load_n(&wk->tid, __ATOMIC_ACQUIRE)) != 0)
		futex_wait((uint32_t *)&wk->tid, t, 0);
}

static void stop_workers(struct img_zpool *p)
{
	pid_t pid = getpid();

	if (pid != p->pid) {	/* a fork child: the threads are not here */
		p->nworkers = 0;
		return;
	}
	__atomic_store_n(&p->stop, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&p->wake, 1, __ATOMIC_SEQ_CST);
	futex_wake(&p->wake, INT_MAX);
	for (int i = 0; i < p->nworkers; i++)
		join(&p->worker[i], pid);
	p->nworkers = 0;
}

/* the worker's zlib state, on its arena */
static int init_worker(struct img_zpool *p, struct zp_worker *wk)
{
	wk->pool = p;
	wk->cur_level = p->level;
	wk->zs = zchunk_deflate_new(&wk->arena, p->level);
	if (!wk->zs) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int start_worker(struct img_zpool *p, struct zp_worker *wk)
{
	const unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES |
		CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	uint64_t all = ~0ull, old;
	long tid;

	/* the thread starts with every signal blocked (the mask is
	   inherited; all 64 bits: glibc's sigfillset leaves out its own
	   SIGCANCEL and SIGSETXID) and keeps it so: no handler of the
	   application's ever runs on it, and process signals go to the
	   application's threads */
	if (sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old,
		 sizeof(all)) < 0) {
		errno = EINVAL;
		return -1;
	}
	tid = raw_clone(flags, wk->stack + STACK_SIZE, &wk->tid, &wk->tid,
			worker_main, wk);
	sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, sizeof(old));
	if (tid < 0) {
		wk->tid = 0;
		errno = -tid;
		return -1;
	}
	return 0;
}

struct img_zpool *zpool_open(int nworkers, int level, size_t *map_len)
{
	size_t head, per_job, len;
	struct img_zpool *p;
	unsigned char *m, *at;
	int njobs, err;

	if (nworkers < 2 || nworkers > IMG_ZTHREADS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/* a job being filled, one per worker in progress, as many done
	   and waiting their turn (chunks vary in cost) */
	njobs = 2 * nworkers + 2;
	head = PAGE_ROUND(sizeof(*p) + njobs * sizeof(struct zp_job));
	per_job = PAGE_ROUND(ZP_JOB_IN) + PAGE_ROUND(JOB_OUT_CAP);
	len = head + nworkers * (size_t)(STACK_SIZE + ARENA_SIZE) +
	      njobs * per_job;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	p = (struct img_zpool *)m;
	p->map_len = len;
	p->pid = getpid();
	p->level = level;
	p->njobs = njobs;
	p->job = (struct zp_job *)(m + sizeof(*p));
	at = m + head;
	for (int i = 0; i < nworkers; i++) {
		p->worker[i].stack = at;
		p->worker[i].arena = (struct img_zarena){ at + STACK_SIZE,
							  ARENA_SIZE, 0 };
		at += STACK_SIZE + ARENA_SIZE;
	}
	for (int i = 0; i < njobs; i++) {
		p->job[i].in = at;
		p->job[i].out = at + PAGE_ROUND(ZP_JOB_IN);
		at += per_job;
	}
	p->nmax = nworkers;
	for (int i = 0; i < nworkers; i++)
		if (init_worker(p, &p->worker[i]) < 0)
			goto fail;
	for (int i = 0; i < nworkers; i++) {
		if (start_worker(p, &p->worker[i]) < 0)
			break;
		p->nworkers++;
	}
	if (p->nworkers == 0) {
fail:
		err = errno;
		munmap(m, len);
		errno = err;
		return NULL;
	}
	*map_len = len;
	return p;
}

/*
 * The writer opened in a process that forked since (a forked checkpoint:
 * metadata written by the frozen process, memory by its child): the
 * child has the pool's memory but none of its threads.  Jobs the
 * parent's workers had not finished at the fork are compressed here;
 * then the child gets workers of its own (or, if clone fails, does the
 * jobs itself as they are submitted).  zlib states may have been caught
 * mid-job: every chunk starts with deflateReset, and cur_level = -1
 * makes the next one set its level again.
 */
static void adopt(struct img_zpool *p)
{
	p->pid = getpid();
	p->nworkers = 0;
	for (int i = 0; i < IMG_ZTHREADS_MAX; i++) {
		p->worker[i].tid = 0;
		p->worker[i].cur_level = -1;
	}
	for (uint32_t seq = p->retired; seq != p->submitted; seq++) {
		struct zp_job *j = &p->job[seq % p->njobs];

		if (j->done != seq + 1) {
			run_job(&p->worker[0], j, p->level);
			j->done = seq + 1;
		}
	}
	p->taken = p->submitted;
	p->stop = 0;
	for (int i = 0; i < p->nmax; i++) {
		if (start_worker(p, &p->worker[i]) < 0)
			break;
		p->nworkers++;
	}
}

static void submit(struct img_zpool *p)
{
	if (getpid() != p->pid)
		adopt(p);
	if (p->nworkers == 0) {	/* no thread: the job is done here */
		struct zp_job *j = &p->job[p->submitted % p->njobs];

		run_job(&p->worker[0], j, p->level);
		j->done = p->submitted + 1;
		p->taken = p->submitted + 1;
	}
	p->filling = 0;
	__atomic_store_n(&p->submitted, p->submitted + 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&p->wake, 1, __ATOMIC_SEQ_CST);
	futex_wake(&p->wake, 1);
}

/* hands the oldest job back (waiting for it if block) */
static int retire(struct img_zpool *p, int block, zp_retire_fn *fn,
		  void *ctx)
{
	while (p->retired != p->submitted) {
		struct zp_job *j = &p->job[p->retired % p->njobs];
		uint32_t want = p->retired + 1, d;
		int rc;

		while ((d = __atomic_load_n(&j->done, __ATOMIC_ACQUIRE)) !=
		       want) {
			if (!block)
				return 0;
			if (getpid() != p->pid) {
				adopt(p);
				continue;
			}
			futex_wait(&j->done, d, 1);
		}
		p->retired++;
		rc = fn(ctx, j);
		if (rc < 0 || block == 1)
			return rc;
	}
	return 0;
}

int zpool_add(struct img_zpool *p, const void *data, size_t n, uint32_t mark,
	      const struct img_rec *rec, zp_retire_fn *fn, void *ctx)
{
	size_t need = sizeof(struct img_zchunk) + zchunk_bound(n);
	struct zp_job *j = &p->job[p->submitted % p->njobs];
	struct zp_chunk *c;

	if (p->filling && (ZP_JOB_IN - j->in_used < n ||
			   j->nchunks == ZP_JOB_CHUNKS ||
			   JOB_OUT_CAP - j->out_bound < need))
		submit(p);
	if (!p->filling) {
		/* every slot busy: wait for the oldest */
		while (p->submitted - p->retired == (uint32_t)p->njobs)
			if (retire(p, 1, fn, ctx) < 0)
				return -1;
		j = &p->job[p->submitted % p->njobs];
		j->nchunks = 0;
		j->in_used = 0;
		j->out_bound = 0;
		p->filling = 1;
	}
	/* may fault (the caller guards it): nothing is changed before */
	memcpy(j->in + j->in_used, data, n);
	c = &j->chunk[j->nchunks];
	c->in_off = j->in_used;
	c->raw_len = n;
	c->mark = mark;
	c->rec = *rec;
	j->in_used += n;
	j->out_bound += need;
	j->nchunks++;
	/* full, or a worker is idle and there is enough to be worth it */
	if (j->in_used == ZP_JOB_IN ||
	    (j->in_used >= ZP_JOB_IN / 4 &&
	     __atomic_load_n(&p->taken, __ATOMIC_SEQ_CST) == p->submitted))
		submit(p);
	return retire(p, 0, fn, ctx);
}

int zpool_busy(const struct img_zpool *p)
{
	return p->filling || p->retired != p->submitted;
}

int zpool_drain(struct img_zpool *p, zp_retire_fn *fn, void *ctx)
{
	if (p->filling)
		submit(p);
	return retire(p, 2, fn, ctx);
}

void zpool_close(struct img_zpool *p)
{
	if (!p)
		return;
	stop_workers(p);
	munmap(p, p->map_len);
}
