/*
 * open_files.c - files that change on disk between a checkpoint and a
 * restart (doc/files.md), driven by tests/e2e/test-file_policy.sh:
 *  - log.txt, opened O_WRONLY|O_APPEND|O_CREAT mode 0640: one line
 *    "line N" per loop; after a restart it prints "RESUMED next=N" (the
 *    next line it writes) and at the end "LAST line=N";
 *  - data.bin, O_RDWR: 64 records of 1 KiB; record 0 is written once,
 *    the loop keeps rewriting the others with a new version number.  At
 *    the end it compares the file with its own record of the versions
 *    and prints "DATA mismatches=N"; a file "strict" makes a mismatch a
 *    failure;
 *  - input.bin (64 KiB), O_RDONLY, read up to 32 KiB before READY.  At
 *    the end it reads on; a file "input-truncated" makes it expect the
 *    offset still 32768 and end of file there (the file was truncated)
 *    and print "INPUT-EOF offset=32768";
 *  - sub/kept.dat, O_RDWR (8 KiB), its fd printed as "SUBFD=N".  A file
 *    "sub-gone" makes it expect /dev/null in its place (its directory
 *    was removed) and print "SUB-PLACEHOLDER", else its contents are
 *    checked.
 * The expectations are files in $TEST_WORKDIR, not environment
 * variables: the test decides them between kill and restart, and a
 * restarted process keeps the environment of its checkpoint.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "testprog.h"

#define NREC	64
#define RECSZ	1024

static int logfd, datafd, infd, subfd;
static unsigned version[NREC];
static char wd[4096];

static unsigned char rec_byte(int r, unsigned v, int i)
{
	return (unsigned char)(r * 31 + v * 17 + i * 3 + 1);
}

static void write_rec(int r)
{
	unsigned char b[RECSZ];

	for (int i = 0; i < RECSZ; i++)
		b[i] = rec_byte(r, version[r], i);
	if (pwrite(datafd, b, RECSZ, (off_t)r * RECSZ) != RECSZ)
		tp_fail("pwrite data.bin record %d: %s", r, strerror(errno));
}

static int data_mismatches(void)
{
	unsigned char b[RECSZ];
	int bad = 0;

	for (int r = 0; r < NREC; r++) {
		if (pread(datafd, b, RECSZ, (off_t)r * RECSZ) != RECSZ) {
			bad++;
			continue;
		}
		for (int i = 0; i < RECSZ; i++)
			if (b[i] != rec_byte(r, version[r], i)) {
				bad++;
				break;
			}
	}
	return bad;
}

static unsigned char in_byte(off_t i)
{
	return (unsigned char)(i * 5 + (i >> 8) + 7);
}

static int flag_file(const char *name)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/%s", wd, name);
	return access(p, F_OK) == 0;
}

static int open_in(const char *name, int flags, mode_t mode)
{
	char p[4200];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", wd, name);
	fd = open(p, flags, mode);
	if (fd < 0)
		tp_fail("open %s: %s", p, strerror(errno));
	return fd;
}

int main(void)
{
	unsigned char buf[32768];
	char p[4200], line[64];
	unsigned long next = 1;
	int restarts_seen = 0, ck, rs, k = 0;
	struct stat st;

	tp_init("open_files");
	snprintf(wd, sizeof(wd), "%s", tp_workdir());
	umask(022);
	logfd = open_in("log.txt", O_WRONLY | O_APPEND | O_CREAT | O_TRUNC,
			0640);
	datafd = open_in("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (int r = 0; r < NREC; r++)
		write_rec(r);

	infd = open_in("input.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int half = 0; half < 2; half++) {
		for (int i = 0; i < (int)sizeof(buf); i++)
			buf[i] = in_byte(half * (off_t)sizeof(buf) + i);
		if (tp_write_full(infd, buf, sizeof(buf)) < 0)
			tp_fail("write input.bin: %s", strerror(errno));
	}
	close(infd);
	infd = open_in("input.bin", O_RDONLY, 0);
	if (tp_read_full(infd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		tp_fail("read input.bin: %s", strerror(errno));

	snprintf(p, sizeof(p), "%s/sub", wd);
	mkdir(p, 0755);
	subfd = open_in("sub/kept.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'K', 8192);
	if (tp_write_full(subfd, buf, 8192) < 0)
		tp_fail("write sub/kept.dat: %s", strerror(errno));
	printf("SUBFD=%d\n", subfd);
	tp_ready();

	while (!tp_should_stop()) {
		int n;

		tp_status(&ck, &rs);
		if (rs != restarts_seen) {
			restarts_seen = rs;
			printf("RESUMED next=%lu\n", next);
			fflush(stdout);
		}
		n = snprintf(line, sizeof(line), "line %lu\n", next);
		if (tp_write_full(logfd, line, n) < 0)
			tp_fail("write log.txt: %s", strerror(errno));
		next++;
		k = 1 + (k % (NREC - 1));
		version[k]++;
		write_rec(k);
		tp_sleep_ms(15);
	}
	printf("LAST line=%lu\n", next - 1);

	{
		int bad = data_mismatches();

		printf("DATA mismatches=%d\n", bad);
		fflush(stdout);
		if (bad && flag_file("strict"))
			tp_fail("data.bin differs from what the program "
				"wrote in %d records", bad);
	}

	if (flag_file("input-truncated")) {
		off_t off = lseek(infd, 0, SEEK_CUR);

		if (off != 32768)
			tp_fail("input.bin offset %lld, expected 32768 (kept)",
				(long long)off);
		if (read(infd, buf, 100) != 0)
			tp_fail("input.bin was truncated, yet a read at 32768 "
				"returned data");
		printf("INPUT-EOF offset=%lld\n", (long long)off);
	} else {
		if (tp_read_full(infd, buf, 1000) != 1000)
			tp_fail("read on input.bin: %s", strerror(errno));
		for (int i = 0; i < 1000; i++)
			if (buf[i] != in_byte(32768 + i))
				tp_fail("input.bin byte %d wrong", 32768 + i);
	}

	if (fstat(subfd, &st) < 0)
		tp_fail("fstat sub/kept.dat: %s", strerror(errno));
	if (flag_file("sub-gone")) {
		if (!S_ISCHR(st.st_mode))
			tp_fail("sub/kept.dat: expected the /dev/null "
				"placeholder, mode %o", st.st_mode);
		printf("SUB-PLACEHOLDER\n");
	} else {
		if (!S_ISREG(st.st_mode) || st.st_size != 8192 ||
		    pread(subfd, buf, 8192, 0) != 8192)
			tp_fail("sub/kept.dat is not its file any more");
		for (int i = 0; i < 8192; i++)
			if (buf[i] != 'K')
				tp_fail("sub/kept.dat byte %d wrong", i);
	}
	fflush(stdout);
	tp_pass();
}
