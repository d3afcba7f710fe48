/*
 * ghost_files.c - files that are open but deleted (doc/files.md): a
 * tmpfile(), a file opened then unlinked (O_RDWR, offset in the middle,
 * with a dup), an O_TMPFILE file opened O_APPEND, a read-only one, a
 * sparse one (4 KiB of data, 8 MiB apart) and an unlinked file mapped
 * MAP_SHARED.  A child forked after all that shares every description
 * and the mapping: it counts in the mapping, and when the parent tells
 * it to stop (a flag in shared memory) writes through the unlinked
 * file's shared offset.
 *
 * Checked all the time: each file is still unlinked (st_nlink 0), in
 * the directory it was created in, with its size, offset, access mode
 * and O_APPEND, and its contents (pattern byte of file and offset);
 * the mapping and the fd of the mapped file agree, and the child's
 * counter grows.  After every restart each file is read on and
 * extended, so the next checkpoint has more to save.  At the end: the
 * child's write moved the parent's offset (one description), the
 * read-only one refuses writes.
 *
 * $TEST_WORKDIR/grow makes a GHOST_BIG-byte deleted file (the ghost
 * limit test) and prints GROWN; $TEST_WORKDIR/shrink truncates it to 0
 * and prints SHRUNK.  GHOST_BIG_DROPPED=1: after a restart that file is
 * expected back empty (--ghost-over-limit=drop); prints BIG-EMPTY.
 */
#include <fcntl.h>
#include <libgen.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testprog.h"

enum { G_TMPFILE, G_UNLINKED, G_OTMP_APPEND, G_RDONLY, G_SPARSE, G_MAPPED,
       NG };

#define MAP_LEN		65536
#define SPARSE_GAP	(8u << 20)
#define CHUNK		3000

static const char *gname[NG] = {
	"tmpfile()", "open+unlink (O_RDWR)", "O_TMPFILE|O_APPEND",
	"read-only unlinked", "sparse O_TMPFILE", "mapped unlinked"
};
static int gfd[NG], dupfd;
static off_t want_size[NG], want_off[NG];
static int want_fl[NG];
static char want_dir[NG][4096];
static volatile uint64_t *mapped;	/* first 8 bytes: child's counter */
static volatile int *child_stop;	/* MAP_SHARED|MAP_ANONYMOUS */
static pid_t child;
static int bigfd = -1;
static uint64_t big_size;
static char wd[4096];

static unsigned char pat(int g, off_t i)
{
	return (unsigned char)(g * 37 + i * 7 + (i >> 10) + 1);
}

/* pattern bytes [at, at + n) of file g through fd at that offset */
static void put(int fd, int g, off_t at, size_t n, int use_write)
{
	unsigned char buf[8192];

	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		for (size_t i = 0; i < k; i++)
			buf[i] = pat(g, at + i);
		if (use_write ? tp_write_full(fd, buf, k) :
		    pwrite(fd, buf, k, at) != (ssize_t)k)
			tp_fail("writing %s at %lld: %s", gname[g],
				(long long)at, strerror(errno));
		at += k;
		n -= k;
	}
}

static int expected(int g, off_t i)
{
	if (g == G_SPARSE)
		return i < 4096 || i >= SPARSE_GAP ? pat(g, i) : 0;
	if (g == G_MAPPED && i < 16)
		return -1;	/* the counter, the stamp */
	return pat(g, i);
}

static void check_range(const char *when, int g, off_t at, size_t n)
{
	unsigned char buf[8192];

	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		if (pread(gfd[g], buf, k, at) != (ssize_t)k)
			tp_fail("%s: pread %s at %lld: %s", when, gname[g],
				(long long)at, strerror(errno));
		for (size_t i = 0; i < k; i++) {
			int e = expected(g, at + i);

			if (e >= 0 && buf[i] != e)
				tp_fail("%s: byte %lld of %s is %#x, expected "
					"%#x (contents not restored)", when,
					(long long)(at + i), gname[g], buf[i],
					e);
		}
		at += k;
		n -= k;
	}
}

static void dir_of_fd(int fd, char *out, size_t cap)
{
	char link[64], p[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, p, sizeof(p) - 1);
	if (n < 0)
		tp_fail("readlink %s: %s", link, strerror(errno));
	p[n] = 0;
	snprintf(out, cap, "%s", dirname(p));
}

static void check_all(const char *when, int full)
{
	for (int g = 0; g < NG; g++) {
		struct stat st;
		char dir[4096];
		off_t off = lseek(gfd[g], 0, SEEK_CUR);
		int fl = fcntl(gfd[g], F_GETFL);

		if (fstat(gfd[g], &st) < 0)
			tp_fail("%s: fstat %s: %s", when, gname[g],
				strerror(errno));
		if (!S_ISREG(st.st_mode))
			tp_fail("%s: %s is not a regular file (mode %o): "
				"replaced by a placeholder", when, gname[g],
				st.st_mode);
		if (st.st_nlink != 0)
			tp_fail("%s: %s has %lu links, expected 0 (unlinked)",
				when, gname[g], (unsigned long)st.st_nlink);
		if (st.st_size != want_size[g])
			tp_fail("%s: %s is %lld bytes, expected %lld", when,
				gname[g], (long long)st.st_size,
				(long long)want_size[g]);
		if (off != want_off[g])
			tp_fail("%s: %s offset %lld, expected %lld", when,
				gname[g], (long long)off,
				(long long)want_off[g]);
		if ((fl & (O_ACCMODE | O_APPEND)) != want_fl[g])
			tp_fail("%s: %s flags %#x, expected %#x", when,
				gname[g], fl & (O_ACCMODE | O_APPEND),
				want_fl[g]);
		dir_of_fd(gfd[g], dir, sizeof(dir));
		if (strcmp(dir, want_dir[g]) != 0)
			tp_fail("%s: %s is in %s, expected %s", when, gname[g],
				dir, want_dir[g]);
		if (full)
			check_range(when, g, 0, want_size[g]);
		else	/* a sample: the end, where data was added last */
			check_range(when, g, want_size[g] > 4096 ?
				    want_size[g] - 4096 : 0,
				    want_size[g] > 4096 ? 4096 : want_size[g]);
	}
	if (lseek(dupfd, 0, SEEK_CUR) != want_off[G_UNLINKED])
		tp_fail("%s: the dup of %s has offset %lld, expected %lld "
			"(no longer shared)", when, gname[G_UNLINKED],
			(long long)lseek(dupfd, 0, SEEK_CUR),
			(long long)want_off[G_UNLINKED]);
	{
		/* the mapping and the fd are one file */
		uint64_t m = *mapped, f;

		if (pread(gfd[G_MAPPED], &f, 8, 0) != 8)
			tp_fail("%s: pread counter: %s", when, strerror(errno));
		if (f < m)
			tp_fail("%s: the mapped file's fd reads counter %llu, "
				"the mapping had %llu (mapping and fd are two "
				"files)", when, (unsigned long long)f,
				(unsigned long long)m);
		for (size_t i = 16; i < MAP_LEN; i += 997)
			if (((volatile unsigned char *)mapped)[i] !=
			    pat(G_MAPPED, i))
				tp_fail("%s: mapped byte %zu is %#x, expected "
					"%#x", when, i,
					((volatile unsigned char *)mapped)[i],
					pat(G_MAPPED, i));
	}
}

/* after restart r: n more bytes (at most CHUNK) read through the offset
 * of file g are its pattern */
static void read_on(int r, int g, size_t n)
{
	unsigned char buf[CHUNK];
	ssize_t got = read(gfd[g], buf, n);

	if (got != (ssize_t)n)
		tp_fail("restart %d: read %s: %zd (%s)", r, gname[g], got,
			got < 0 ? strerror(errno) : "short");
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pat(g, want_off[g] + i))
			tp_fail("restart %d: read %s: byte %lld wrong", r,
				gname[g], (long long)want_off[g] + (long long)i);
	want_off[g] += n;
}

/* after a restart: read on and add data to every file */
static void extend(int r)
{
	/* tmpfile: appended through its offset (at the end) */
	put(gfd[G_TMPFILE], G_TMPFILE, want_off[G_TMPFILE], CHUNK, 1);
	want_size[G_TMPFILE] += CHUNK;
	want_off[G_TMPFILE] += CHUNK;
	/* unlinked: read on from the middle, add at the end */
	read_on(r, G_UNLINKED, 100);
	put(gfd[G_UNLINKED], G_UNLINKED, want_size[G_UNLINKED], CHUNK, 0);
	want_size[G_UNLINKED] += CHUNK;
	/* O_APPEND: a write after seeking to 0 lands at the end */
	lseek(gfd[G_OTMP_APPEND], 0, SEEK_SET);
	{
		unsigned char b[CHUNK];

		for (int i = 0; i < CHUNK; i++)
			b[i] = pat(G_OTMP_APPEND, want_size[G_OTMP_APPEND] + i);
		if (tp_write_full(gfd[G_OTMP_APPEND], b, CHUNK) < 0)
			tp_fail("append: %s", strerror(errno));
	}
	want_size[G_OTMP_APPEND] += CHUNK;
	want_off[G_OTMP_APPEND] = want_size[G_OTMP_APPEND];
	/* read-only: read on */
	read_on(r, G_RDONLY, 200);
	/* sparse: one more block at the end */
	put(gfd[G_SPARSE], G_SPARSE, want_size[G_SPARSE], 4096, 0);
	want_size[G_SPARSE] += 4096;
	/* mapped: a stamp written through the fd shows in the mapping */
	{
		uint64_t stamp = 1000 + r;

		if (pwrite(gfd[G_MAPPED], &stamp, 8, 8) != 8)
			tp_fail("pwrite stamp: %s", strerror(errno));
		if (mapped[1] != stamp)
			tp_fail("restart %d: the stamp written through the fd "
				"of the mapped file is not in the mapping "
				"(%llu): two files", r,
				(unsigned long long)mapped[1]);
	}
}

static void big_file(void)
{
	char p[4200];
	const char *s = getenv("GHOST_BIG");
	uint64_t seed = 99;
	static uint64_t buf[8192];

	snprintf(p, sizeof(p), "%s/grow", wd);
	if (bigfd < 0 && s && access(p, F_OK) == 0) {
		big_size = strtoull(s, NULL, 0);
		bigfd = open(wd, O_TMPFILE | O_RDWR, 0600);
		if (bigfd < 0)
			tp_fail("O_TMPFILE for the big file: %s",
				strerror(errno));
		for (uint64_t done = 0; done < big_size;) {
			size_t k = big_size - done < sizeof(buf) ?
				   big_size - done : sizeof(buf);

			for (size_t i = 0; i < sizeof(buf) / 8; i++)
				buf[i] = tp_rand(&seed);
			if (tp_write_full(bigfd, buf, k) < 0)
				tp_fail("write big file: %s", strerror(errno));
			done += k;
		}
		printf("GROWN fd=%d size=%llu\n", bigfd,
		       (unsigned long long)big_size);
		fflush(stdout);
	}
	snprintf(p, sizeof(p), "%s/shrink", wd);
	if (bigfd >= 0 && big_size && access(p, F_OK) == 0) {
		if (ftruncate(bigfd, 0) < 0)
			tp_fail("ftruncate big: %s", strerror(errno));
		big_size = 0;
		printf("SHRUNK\n");
		fflush(stdout);
	}
}

static void child_main(void)
{
	struct stat st;

	while (!*child_stop) {
		(*mapped)++;
		if (fstat(gfd[G_UNLINKED], &st) < 0 || st.st_nlink != 0)
			tp_fail("child: %s is no longer unlinked",
				gname[G_UNLINKED]);
		tp_sleep_ms(5);
	}
	/* through the description the parent shares */
	if (write(gfd[G_UNLINKED], "CHILD", 5) != 5)
		tp_fail("child: write: %s", strerror(errno));
	_exit(0);
}

int main(void)
{
	char p[4200];
	FILE *tf;
	int restarts_seen = 0, ck, rs, loops = 0, st;
	uint64_t last_count = 0;

	tp_init("ghost_files");
	snprintf(wd, sizeof(wd), "%s", tp_workdir());

	tf = tmpfile();
	if (!tf)
		tp_fail("tmpfile: %s", strerror(errno));
	gfd[G_TMPFILE] = fileno(tf);
	put(gfd[G_TMPFILE], G_TMPFILE, 0, 20000, 1);
	want_size[G_TMPFILE] = want_off[G_TMPFILE] = 20000;
	want_fl[G_TMPFILE] = O_RDWR;

	snprintf(p, sizeof(p), "%s/gf_unlinked.dat", wd);
	gfd[G_UNLINKED] = open(p, O_RDWR | O_CREAT | O_TRUNC, 0640);
	if (gfd[G_UNLINKED] < 0)
		tp_fail("open %s: %s", p, strerror(errno));
	put(gfd[G_UNLINKED], G_UNLINKED, 0, 50000, 1);
	if (unlink(p) < 0)
		tp_fail("unlink %s: %s", p, strerror(errno));
	lseek(gfd[G_UNLINKED], 12345, SEEK_SET);
	want_size[G_UNLINKED] = 50000;
	want_off[G_UNLINKED] = 12345;
	want_fl[G_UNLINKED] = O_RDWR;
	dupfd = dup(gfd[G_UNLINKED]);

	gfd[G_OTMP_APPEND] = open(wd, O_TMPFILE | O_RDWR | O_APPEND, 0600);
	if (gfd[G_OTMP_APPEND] < 0)
		tp_fail("O_TMPFILE in %s: %s", wd, strerror(errno));
	put(gfd[G_OTMP_APPEND], G_OTMP_APPEND, 0, 7000, 1);
	want_size[G_OTMP_APPEND] = want_off[G_OTMP_APPEND] = 7000;
	want_fl[G_OTMP_APPEND] = O_RDWR | O_APPEND;

	snprintf(p, sizeof(p), "%s/gf_readonly.dat", wd);
	gfd[G_RDONLY] = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (gfd[G_RDONLY] < 0)
		tp_fail("open %s: %s", p, strerror(errno));
	put(gfd[G_RDONLY], G_RDONLY, 0, 30000, 1);
	close(gfd[G_RDONLY]);
	gfd[G_RDONLY] = open(p, O_RDONLY);
	if (gfd[G_RDONLY] < 0 || unlink(p) < 0)
		tp_fail("reopen/unlink %s: %s", p, strerror(errno));
	lseek(gfd[G_RDONLY], 1000, SEEK_SET);
	want_size[G_RDONLY] = 30000;
	want_off[G_RDONLY] = 1000;
	want_fl[G_RDONLY] = O_RDONLY;

	gfd[G_SPARSE] = open(wd, O_TMPFILE | O_RDWR, 0600);
	if (gfd[G_SPARSE] < 0)
		tp_fail("O_TMPFILE in %s: %s", wd, strerror(errno));
	put(gfd[G_SPARSE], G_SPARSE, 0, 4096, 0);
	put(gfd[G_SPARSE], G_SPARSE, SPARSE_GAP, 4096, 0);
	lseek(gfd[G_SPARSE], 100, SEEK_SET);
	want_size[G_SPARSE] = SPARSE_GAP + 4096;
	want_off[G_SPARSE] = 100;
	want_fl[G_SPARSE] = O_RDWR;

	snprintf(p, sizeof(p), "%s/gf_mapped.dat", wd);
	gfd[G_MAPPED] = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (gfd[G_MAPPED] < 0 || ftruncate(gfd[G_MAPPED], MAP_LEN) < 0)
		tp_fail("open %s: %s", p, strerror(errno));
	mapped = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		      gfd[G_MAPPED], 0);
	if (mapped == MAP_FAILED || unlink(p) < 0)
		tp_fail("mmap/unlink %s: %s", p, strerror(errno));
	put(gfd[G_MAPPED], G_MAPPED, 8, MAP_LEN - 8, 0);	/* via the fd */
	*mapped = 0;
	want_size[G_MAPPED] = MAP_LEN;
	want_off[G_MAPPED] = 0;
	want_fl[G_MAPPED] = O_RDWR;

	for (int g = 0; g < NG; g++)
		dir_of_fd(gfd[g], want_dir[g], sizeof(want_dir[g]));
	check_all("start", 1);

	child_stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_stop == MAP_FAILED)
		tp_fail("mmap: %s", strerror(errno));
	child = fork();
	if (child < 0)
		tp_fail("fork: %s", strerror(errno));
	if (child == 0)
		child_main();
	tp_ready();

	while (!tp_should_stop()) {
		tp_status(&ck, &rs);
		if (rs != restarts_seen) {
			restarts_seen = rs;
			check_all("after restart", 1);
			extend(rs);
			check_all("after extending", 1);
			if (bigfd >= 0 && getenv("GHOST_BIG_DROPPED")) {
				struct stat s;

				if (fstat(bigfd, &s) < 0 || s.st_size != 0 ||
				    s.st_nlink != 0)
					tp_fail("the dropped big file is not "
						"back empty and unlinked");
				big_size = 0;
				printf("BIG-EMPTY\n");
				fflush(stdout);
			}
		}
		check_all("loop", ++loops % 25 == 0);
		if (*mapped < last_count)
			tp_fail("the child's counter went back");
		last_count = *mapped;
		big_file();
		if (bigfd >= 0 && big_size) {
			struct stat s;

			if (fstat(bigfd, &s) < 0 || (uint64_t)s.st_size !=
			    big_size)
				tp_fail("the big file changed size");
		}
		tp_sleep_ms(20);
	}
	check_all("stop", 1);
	*child_stop = 1;	/* now the child writes through the offset */
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		tp_fail("child failed (status %#x)", st);
	if (*mapped <= 1)
		tp_fail("the child never counted in the shared mapping");
	/* the child's write moved our offset: one description */
	want_off[G_UNLINKED] += 5;
	{
		char b[5];

		if (pread(gfd[G_UNLINKED], b, 5, want_off[G_UNLINKED] - 5)
		    != 5 || memcmp(b, "CHILD", 5) != 0)
			tp_fail("the child's write is not in %s",
				gname[G_UNLINKED]);
		/* put the pattern back for the full check */
		put(gfd[G_UNLINKED], G_UNLINKED, want_off[G_UNLINKED] - 5, 5,
		    0);
	}
	check_all("final", 1);
	if (write(gfd[G_RDONLY], "x", 1) != -1 || errno != EBADF)
		tp_fail("a write to the read-only unlinked file did not fail "
			"with EBADF");
	tp_pass();
}
