/*
 * mmap_shrink.c - checkpoints of mappings that reach past the end of
 * their file, where reading a page raises SIGBUS:
 *
 *  A. a 16-page file mapped private (pages 1 and 3 modified) and shared,
 *     then truncated to 3 pages + 100 bytes while mapped: pages 0-3 keep
 *     their bytes (page 3 of the shared mapping reads zeros past byte
 *     100), pages 4-15 of both mappings raise SIGBUS, before and after
 *     every restart (the file is unchanged, so the restart maps it again);
 *  B. a file a child process (in the computation) keeps shrinking to one
 *     page and growing back to 16, mapped private and shared here: page 0
 *     never changes;
 *  C. with "--outside FILE": the same for a 64 MiB file (made here)
 *     that a process outside the computation shrinks and grows
 *     (mmap_shrink --shrinker FILE STOP, started by the test after
 *     READY) while checkpoints read it.
 *
 * Checks run before READY, in the loop and after the stop file.  Files
 * live in $TEST_WORKDIR (default: the directory of $TEST_STOP_FILE).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testprog.h"

#define PAGE		4096
#define NPAGES		16
#define A_SIZE		(3 * PAGE + 100)
#define C_PAGES		(64 * 256)	/* 64 MiB */

static unsigned char *pa, *sa, *pb, *sb, *pc, *sc;
static char apath[4096], bpath[4096];
static pid_t child;

static unsigned char orig(int file, size_t i)
{
	return (unsigned char)(file * 37 + i * 7 + (i >> 12) * 13 + 1);
}

static unsigned char mod(size_t i)
{
	return (unsigned char)(0xa5 ^ (i * 3));
}

static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

static void on_sigbus(int sig)
{
	(void)sig;
	if (probing)
		siglongjmp(probe_env, 1);
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

/* 1 if reading p raises SIGBUS, else 0 (the byte in *val) */
static int faults(const volatile unsigned char *p, unsigned char *val)
{
	if (sigsetjmp(probe_env, 1)) {
		probing = 0;
		return 1;
	}
	probing = 1;
	*val = *p;
	probing = 0;
	return 0;
}

static void write_file(const char *path, int file, size_t len)
{
	static unsigned char buf[NPAGES * PAGE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	for (size_t i = 0; i < len; i++)
		buf[i] = orig(file, i);
	if (fd < 0 || tp_write_full(fd, buf, len) < 0)
		tp_fail("create %s: %s", path, strerror(errno));
	close(fd);
}

static void *map(const char *path, size_t len, int prot, int flags)
{
	int fd = open(path, prot & PROT_WRITE && flags == MAP_SHARED ?
			    O_RDWR : O_RDONLY);
	void *p;

	if (fd < 0)
		tp_fail("open %s: %s", path, strerror(errno));
	p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		tp_fail("mmap %s: %s", path, strerror(errno));
	close(fd);
	return p;
}

static void check_a(const char *when)
{
	struct stat st;
	unsigned char v;

	for (size_t i = 0; i < 4 * PAGE; i++) {
		size_t pg = i / PAGE;
		unsigned char want = pg == 1 || pg == 3 ? mod(i) : orig(1, i);

		if (pa[i] != want)
			tp_fail("%s: A private byte %zu is %#x, expected %#x",
				when, i, pa[i], want);
		want = i < A_SIZE ? orig(1, i) : 0;
		if (sa[i] != want)
			tp_fail("%s: A shared byte %zu is %#x, expected %#x",
				when, i, sa[i], want);
	}
	for (size_t pg = 4; pg < NPAGES; pg++) {
		if (!faults(pa + pg * PAGE + 8, &v))
			tp_fail("%s: A private page %zu (past the end of the "
				"file) reads %#x instead of raising SIGBUS",
				when, pg, v);
		if (!faults(sa + pg * PAGE + 8, &v))
			tp_fail("%s: A shared page %zu (past the end of the "
				"file) reads %#x instead of raising SIGBUS",
				when, pg, v);
	}
	if (stat(apath, &st) < 0 || st.st_size != A_SIZE)
		tp_fail("%s: %s has size %lld, expected %d", when, apath,
			(long long)st.st_size, A_SIZE);
}

/* page 0 of a file that shrinks and grows under us never changes */
static void check_page0(const char *when, const char *what, int file,
			const unsigned char *priv, const unsigned char *shr)
{
	for (size_t i = 0; i < PAGE; i++)
		if (priv[i] != orig(file, i) || shr[i] != orig(file, i))
			tp_fail("%s: %s page 0 byte %zu is %#x (private) / %#x "
				"(shared), expected %#x", when, what, i, priv[i],
				shr[i], orig(file, i));
}

/* B's other side: shrink to a page, grow back and refill, until stop */
static void shrinker(const char *path, int file, size_t pages, int outside)
{
	static unsigned char buf[NPAGES * PAGE];
	int fd = open(path, O_RDWR | O_CLOEXEC);
	long rounds = 0;

	if (fd < 0)
		tp_fail("shrinker: open %s: %s", path, strerror(errno));
	for (size_t i = PAGE; i < sizeof(buf); i++)
		buf[i] = orig(file, i);
	while (!tp_should_stop()) {
		if (ftruncate(fd, PAGE) < 0)
			tp_fail("shrinker: ftruncate %s: %s", path,
				strerror(errno));
		tp_sleep_ms(outside ? 1 : 3);
		if (ftruncate(fd, pages * PAGE) < 0 ||
		    pwrite(fd, buf + PAGE, sizeof(buf) - PAGE, PAGE) !=
		    (ssize_t)(sizeof(buf) - PAGE))
			tp_fail("shrinker: regrow %s: %s", path,
				strerror(errno));
		tp_sleep_ms(outside ? 1 : 3);
		rounds++;
	}
	printf("shrinker %s: %ld rounds\n", path, rounds);
	exit(0);
}

int main(int argc, char **argv)
{
	const char *outside = NULL;
	char dir[3072];
	int status, c;

	if (argc == 4 && !strcmp(argv[1], "--shrinker")) {
		/* outside the computation: TEST_STOP_FILE is argv[3] */
		setenv("TEST_STOP_FILE", argv[3], 1);
		tp_init("mmap_shrink-shrinker");
		shrinker(argv[2], 3, C_PAGES, 1);
	}
	if (argc == 3 && !strcmp(argv[1], "--outside"))
		outside = argv[2];
	else if (argc != 1)
		tp_fail("usage: mmap_shrink [--outside FILE | --shrinker FILE "
			"STOP]");
	tp_init("mmap_shrink");
	snprintf(dir, sizeof(dir), "%s", tp_workdir());
	snprintf(apath, sizeof(apath), "%s/shrink-a.dat", dir);
	snprintf(bpath, sizeof(bpath), "%s/shrink-b.dat", dir);
	signal(SIGBUS, on_sigbus);

	/* A: truncated while mapped, once */
	write_file(apath, 1, NPAGES * PAGE);
	pa = map(apath, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	sa = map(apath, NPAGES * PAGE, PROT_READ, MAP_SHARED);
	for (size_t i = 0; i < 4 * PAGE; i++)
		if (i / PAGE == 1 || i / PAGE == 3)
			pa[i] = mod(i);
	if (truncate(apath, A_SIZE) < 0)
		tp_fail("truncate %s: %s", apath, strerror(errno));
	check_a("start");

	/* B: a child of ours shrinks and grows it */
	write_file(bpath, 2, NPAGES * PAGE);
	pb = map(bpath, NPAGES * PAGE, PROT_READ, MAP_PRIVATE);
	sb = map(bpath, NPAGES * PAGE, PROT_READ, MAP_SHARED);
	check_page0("start", "B", 2, pb, sb);
	fflush(stdout);
	child = fork();
	if (child < 0)
		tp_fail("fork: %s", strerror(errno));
	if (child == 0)
		shrinker(bpath, 2, NPAGES, 0);

	/* C: a process outside the computation does (the test starts it) */
	if (outside) {
		write_file(outside, 3, PAGE);
		if (truncate(outside, (off_t)C_PAGES * PAGE) < 0)
			tp_fail("truncate %s: %s", outside, strerror(errno));
		pc = map(outside, (size_t)C_PAGES * PAGE, PROT_READ,
			 MAP_PRIVATE);
		sc = map(outside, (size_t)C_PAGES * PAGE, PROT_READ,
			 MAP_SHARED);
		check_page0("start", "C", 3, pc, sc);
	}
	tp_ready();
	while (!tp_should_stop()) {
		check_a("loop");
		check_page0("loop", "B", 2, pb, sb);
		if (outside)
			check_page0("loop", "C", 3, pc, sc);
		tp_sleep_ms(10);
	}
	check_a("final");
	check_page0("final", "B", 2, pb, sb);
	if (outside)
		check_page0("final", "C", 3, pc, sc);
	while ((c = waitpid(child, &status, 0)) < 0 && errno == EINTR)
		;
	if (c != child || !WIFEXITED(status) || WEXITSTATUS(status))
		tp_fail("shrinker child %d: waitpid %d, status %#x", child, c,
			status);
	tp_pass();
}
