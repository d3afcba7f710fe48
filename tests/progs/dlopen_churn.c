/*
 * dlopen_churn.c - checkpoints while libraries are loaded and unloaded:
 * DLC_THREADS threads each dlopen() and dlclose() their own copies of
 * libdlchurn.so (made in $TEST_WORKDIR) in a loop, and check every call
 * into a freshly loaded copy: dlc_sum() against the same function
 * computed here, the .data counter starting at DLC_DATA0, .bss reading
 * zero across its 512 KiB, the dynamic-TLS counter starting at 1, and a
 * heap buffer of their own.  A checkpoint catches some thread in the
 * middle of dlopen (the loader maps a library's whole span from the file
 * first, past the end of the file, then maps its segments over it) or
 * dlclose; after a restart the loader must finish what it was doing and
 * the loop goes on checking.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>

#include "testprog.h"
#include "dlchurn.h"

#define DLC_THREADS	4
#define DLC_COPIES	2	/* library files per thread */
#define BUF_WORDS	8192

typedef uint64_t (*sum_fn)(uint64_t);
typedef long (*bump_fn)(void);
typedef long (*swap_fn)(unsigned, long);

static const char table[] = DLC_TABLE;
static char libs[DLC_THREADS][DLC_COPIES][4096];
static volatile int stop;

struct worker {
	pthread_t th;
	int id;
	volatile long iters;
	uint64_t *buf;
};

static struct worker workers[DLC_THREADS];

static void *sym(void *h, const char *path, const char *name)
{
	void *p;

	dlerror();
	p = dlsym(h, name);
	if (!p)
		tp_fail("dlsym(%s, %s): %s", path, name, dlerror());
	return p;
}

static uint64_t pattern(int id, long iter, unsigned i)
{
	uint64_t s = ((uint64_t)id << 48) ^ ((uint64_t)iter << 16) ^ i;

	return tp_rand(&s);
}

/* One load, checks, unload of one of this thread's library copies. */
static void one_round(struct worker *w)
{
	long it = w->iters;
	const char *path = libs[w->id][it % DLC_COPIES];
	uint64_t seed = (uint64_t)it * 7919 + w->id;
	void *h;
	long v;
	int rc;

	/* the heap buffer holds what the previous round wrote */
	for (unsigned i = 0; i < BUF_WORDS; i += 97)
		if (w->buf[i] != pattern(w->id, it, i))
			tp_fail("thread %d round %ld: heap word %u is %#llx, "
				"expected %#llx", w->id, it, i,
				(unsigned long long)w->buf[i],
				(unsigned long long)pattern(w->id, it, i));
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		tp_fail("thread %d round %ld: dlopen(%s): %s", w->id, it,
			path, dlerror());
	sum_fn sum = (sum_fn)sym(h, path, "dlc_sum");
	bump_fn bump = (bump_fn)sym(h, path, "dlc_bump");
	bump_fn tls_bump = (bump_fn)sym(h, path, "dlc_tls_bump");
	swap_fn swap = (swap_fn)sym(h, path, "dlc_bss_swap");
	long *counter = sym(h, path, "dlc_counter");
	uint64_t got = sum(seed), want = dlc_expected_sum(table, seed);

	if (got != want)
		tp_fail("thread %d round %ld: dlc_sum(%llu) of %s = %#llx, "
			"expected %#llx", w->id, it, (unsigned long long)seed,
			path, (unsigned long long)got,
			(unsigned long long)want);
	if ((v = bump()) != DLC_DATA0 + 1 || (v = bump()) != DLC_DATA0 + 2 ||
	    *counter != DLC_DATA0 + 2)
		tp_fail("thread %d round %ld: %s freshly loaded: dlc_bump() = "
			"%ld, dlc_counter = %ld (.data should start at %d)",
			w->id, it, path, v, *counter, DLC_DATA0);
	if ((v = tls_bump()) != 1)
		tp_fail("thread %d round %ld: %s freshly loaded: "
			"dlc_tls_bump() = %ld, expected 1", w->id, it, path, v);
	/* .bss is zero everywhere in a fresh load */
	for (unsigned k = 0; k < 16; k++) {
		unsigned idx = k * (DLC_BSS_WORDS / 16) + (unsigned)(it % 509);

		if ((v = swap(idx, it + 1)) != 0)
			tp_fail("thread %d round %ld: %s .bss word %u is %ld "
				"after a fresh load", w->id, it, path, idx, v);
		if ((v = swap(idx, it + 1)) != it + 1)
			tp_fail("thread %d round %ld: %s .bss word %u is %ld, "
				"expected %ld", w->id, it, path, idx, v, it + 1);
	}
	rc = dlclose(h);
	if (rc != 0)
		tp_fail("thread %d round %ld: dlclose(%s): %s", w->id, it,
			path, dlerror());
	for (unsigned i = 0; i < BUF_WORDS; i += 97)
		w->buf[i] = pattern(w->id, it + 1, i);
	w->iters = it + 1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		one_round(w);
		if (w->iters % 8 == 0)
			tp_sleep_ms(1);
	}
	one_round(w);		/* one more, after the last restart */
	return NULL;
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	if (in < 0)
		tp_fail("open %s: %s", from, strerror(errno));
	if (out < 0)
		tp_fail("create %s: %s", to, strerror(errno));
	while ((n = tp_read_full(in, buf, sizeof(buf))) > 0)
		if (tp_write_full(out, buf, n) < 0)
			tp_fail("write %s: %s", to, strerror(errno));
	if (n < 0)
		tp_fail("read %s: %s", from, strerror(errno));
	close(in);
	if (close(out) < 0)
		tp_fail("close %s: %s", to, strerror(errno));
}

int main(void)
{
	const char *env = getenv("TEST_DLCHURN_LIB");
	char src[4096], exe[4096], dir[3072];
	long before[DLC_THREADS];
	ssize_t n;

	tp_init("dlopen_churn");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		tp_fail("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = 0;
	if (env && *env)
		snprintf(src, sizeof(src), "%s", env);
	else
		snprintf(src, sizeof(src), "%s/libdlchurn.so", dirname(exe));
	snprintf(dir, sizeof(dir), "%s", tp_workdir());
	for (int t = 0; t < DLC_THREADS; t++)
		for (int c = 0; c < DLC_COPIES; c++) {
			snprintf(libs[t][c], sizeof(libs[t][c]),
				 "%s/libdlchurn-%d-%d.so", dir, t, c);
			copy_file(src, libs[t][c]);
		}
	for (int t = 0; t < DLC_THREADS; t++) {
		struct worker *w = &workers[t];

		w->id = t;
		w->buf = malloc(BUF_WORDS * sizeof(uint64_t));
		if (!w->buf)
			tp_fail("malloc");
		for (unsigned i = 0; i < BUF_WORDS; i += 97)
			w->buf[i] = pattern(t, 0, i);
		one_round(w);	/* fails here without the tool too */
		if (pthread_create(&w->th, NULL, worker_main, w))
			tp_fail("pthread_create");
	}
	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(10);
	for (int t = 0; t < DLC_THREADS; t++)
		before[t] = workers[t].iters;
	stop = 1;
	for (int t = 0; t < DLC_THREADS; t++) {
		pthread_join(workers[t].th, NULL);
		if (workers[t].iters <= before[t])
			tp_fail("thread %d did not finish a round after the "
				"stop file", t);
	}
	for (int t = 0; t < DLC_THREADS; t++)
		printf("thread %d: %ld rounds\n", t, workers[t].iters);
	tp_pass();
}
