/*
 * file_offsets.c - checkpoint test for regular file descriptors: three
 * files written with known data and partly read back, one opened
 * O_APPEND, one opened read-only, a dup()ed descriptor sharing an offset,
 * and an FD_CLOEXEC flag.  Offsets (lseek SEEK_CUR), access modes and
 * flags must be unchanged after restart and the descriptors must still
 * work (read continues at the offset, O_APPEND writes land at the end,
 * the read-only one refuses writes).  Files live in $TEST_WORKDIR (default:
 * the directory of $TEST_STOP_FILE).  The loop only checks, it never
 * writes, and the final writes are undone, so files on disk match the
 * checkpoint and the same image can be restarted again.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "testprog.h"

#define F1_SIZE 65536

enum { F1, F2, F3, F4, F3DUP, NFD };

static int fds[NFD];
static off_t want_off[NFD];
static int want_fl[NFD];
static const char *names[NFD] = {
	"f1 (O_RDWR)", "f2 (O_APPEND)", "f3 (O_RDWR|O_CLOEXEC)",
	"f4 (O_RDONLY)", "dup(f3)"
};
static char path1[4096], path2[4096], path3[4096];

static unsigned char pat(const char *tag, off_t i)
{
	return (unsigned char)(tag[1] * 13 + i * 7 + (i >> 9));
}

static void write_pattern(int fd, const char *tag, size_t n)
{
	unsigned char buf[4096];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		for (size_t i = 0; i < k; i++)
			buf[i] = pat(tag, done + i);
		if (write(fd, buf, k) != (ssize_t)k)
			tp_fail("write %s: %s", tag, strerror(errno));
		done += k;
	}
}

static void check_bytes(const unsigned char *b, size_t n, const char *tag,
			off_t at, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(tag, at + i))
			tp_fail("%s: byte %lld of %s is %#x, expected %#x", what,
				(long long)(at + i), tag, b[i],
				pat(tag, at + i));
}

/* reads n bytes (at most 1000) from fds[i], which must be f1's bytes from
 * offset at on */
static void read_f1(int i, size_t n, off_t at, const char *call,
		    const char *what)
{
	unsigned char buf[1000];

	if (read(fds[i], buf, n) != (ssize_t)n)
		tp_fail("%s: %s", call, strerror(errno));
	check_bytes(buf, n, "f1", at, what);
}

static void check_fds(const char *when)
{
	unsigned char buf[512];

	for (int i = 0; i < NFD; i++) {
		off_t off = lseek(fds[i], 0, SEEK_CUR);
		int fl = fcntl(fds[i], F_GETFL);

		if (off != want_off[i])
			tp_fail("%s: %s offset is %lld, expected %lld", when,
				names[i], (long long)off,
				(long long)want_off[i]);
		if (fl < 0)
			tp_fail("%s: %s (fd %d): F_GETFL: %s", when, names[i],
				fds[i], strerror(errno));
		if ((fl & (O_ACCMODE | O_APPEND)) != want_fl[i])
			tp_fail("%s: %s flags %#x, expected %#x", when,
				names[i], fl & (O_ACCMODE | O_APPEND),
				want_fl[i]);
	}
	if (!(fcntl(fds[F3], F_GETFD) & FD_CLOEXEC))
		tp_fail("%s: FD_CLOEXEC lost on f3", when);
	if (fcntl(fds[F1], F_GETFD) & FD_CLOEXEC)
		tp_fail("%s: FD_CLOEXEC appeared on f1", when);
	/* contents through the descriptors, without moving offsets */
	if (pread(fds[F1], buf, sizeof(buf), 30000) != sizeof(buf))
		tp_fail("%s: pread f1: %s", when, strerror(errno));
	check_bytes(buf, sizeof(buf), "f1", 30000, when);
	if (pread(fds[F4], buf, sizeof(buf), 100) != sizeof(buf))
		tp_fail("%s: pread f4: %s", when, strerror(errno));
	check_bytes(buf, sizeof(buf), "f1", 100, when);
}

int main(void)
{
	const char *wd;
	unsigned char buf[1000];
	struct stat st;

	tp_init("file_offsets");
	wd = tp_workdir();
	snprintf(path1, sizeof(path1), "%s/fo_rdwr.dat", wd);
	snprintf(path2, sizeof(path2), "%s/fo_append.dat", wd);
	snprintf(path3, sizeof(path3), "%s/fo_cloexec.dat", wd);

	fds[F1] = open(path1, O_RDWR | O_CREAT | O_TRUNC, 0644);
	fds[F2] = open(path2, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0644);
	fds[F3] = open(path3, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	for (int i = F1; i <= F3; i++)
		if (fds[i] < 0)
			tp_fail("open %s in %s: %s", names[i], wd,
				strerror(errno));
	write_pattern(fds[F1], "f1", F1_SIZE);
	write_pattern(fds[F2], "f2", 5000);
	write_pattern(fds[F3], "f3", 8192);
	fds[F4] = open(path1, O_RDONLY);
	if (fds[F4] < 0)
		tp_fail("open %s read-only: %s", path1, strerror(errno));

	/* read part of f1 and f4, seek f3 */
	if (lseek(fds[F1], 10000, SEEK_SET) != 10000)
		tp_fail("lseek f1: %s", strerror(errno));
	read_f1(F1, 1000, 10000, "read f1", "start");
	read_f1(F4, 777, 0, "read f4", "start");
	if (lseek(fds[F3], 3000, SEEK_SET) != 3000)
		tp_fail("lseek f3: %s", strerror(errno));
	fds[F3DUP] = dup(fds[F3]);
	if (fds[F3DUP] < 0)
		tp_fail("dup: %s", strerror(errno));

	want_off[F1] = 11000;
	want_off[F2] = 5000;
	want_off[F3] = 3000;
	want_off[F4] = 777;
	want_off[F3DUP] = 3000;
	want_fl[F1] = O_RDWR;
	want_fl[F2] = O_WRONLY | O_APPEND;
	want_fl[F3] = O_RDWR;
	want_fl[F4] = O_RDONLY;
	want_fl[F3DUP] = O_RDWR;
	check_fds("start");
	tp_ready();

	while (!tp_should_stop()) {
		check_fds("loop");
		tp_sleep_ms(15);
	}

	check_fds("final");
	/* reading continues where it stopped */
	read_f1(F1, 1000, 11000, "read f1 after restart", "final read f1");
	read_f1(F4, 223, 777, "read f4 after restart", "final read f4");
	/* the read-only descriptor is still read-only */
	if (write(fds[F4], "x", 1) != -1 || errno != EBADF)
		tp_fail("write to the O_RDONLY fd did not fail with EBADF");
	/* O_APPEND: a write after seeking to 0 lands at the end */
	if (fstat(fds[F2], &st) != 0)
		tp_fail("fstat f2: %s", strerror(errno));
	if (st.st_size != 5000)
		tp_fail("f2 size is %lld, expected 5000",
			(long long)st.st_size);
	lseek(fds[F2], 0, SEEK_SET);
	if (write(fds[F2], "APPENDED", 8) != 8)
		tp_fail("write f2: %s", strerror(errno));
	{
		int rfd = open(path2, O_RDONLY);
		char tail[8];

		if (rfd < 0 || pread(rfd, tail, 8, 5000) != 8 ||
		    memcmp(tail, "APPENDED", 8) != 0)
			tp_fail("O_APPEND write did not land at offset 5000 "
				"of %s", path2);
		close(rfd);
	}
	/* the dup()ed descriptor still shares the offset with f3 */
	if (write(fds[F3DUP], "DUPWRITE", 8) != 8)
		tp_fail("write dup(f3): %s", strerror(errno));
	if (lseek(fds[F3], 0, SEEK_CUR) != 3008)
		tp_fail("f3 offset %lld after writing 8 bytes through its "
			"dup, expected 3008 (offset no longer shared)",
			(long long)lseek(fds[F3], 0, SEEK_CUR));
	if (pread(fds[F3], buf, 8, 3000) != 8 ||
	    memcmp(buf, "DUPWRITE", 8) != 0)
		tp_fail("f3 does not contain the dup write at 3000");
	/* undo the writes: the same image can be restarted again */
	if (ftruncate(fds[F2], 5000) != 0)
		tp_fail("ftruncate f2: %s", strerror(errno));
	for (int i = 0; i < 8; i++)
		buf[i] = pat("f3", 3000 + i);
	if (pwrite(fds[F3], buf, 8, 3000) != 8)
		tp_fail("pwrite f3: %s", strerror(errno));
	for (int i = 0; i < NFD; i++)
		close(fds[i]);
	tp_pass();
}
