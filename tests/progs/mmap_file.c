/*
 * mmap_file.c - checkpoint test for file-backed mappings: a MAP_SHARED
 * read-write mapping of one file (written through the mapping, msync'ed)
 * and a MAP_PRIVATE read-write mapping of another file (some pages
 * modified copy-on-write).  After restart: the shared mapping still shows
 * the data and is still coherent with the file in both directions
 * (pwrite shows up in the mapping, stores show up in pread), the private
 * mapping keeps its modified pages and the original data elsewhere, and
 * the private file on disk was never changed.  Files live in
 * $TEST_WORKDIR (default: the directory of $TEST_STOP_FILE).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "testprog.h"

#define NPAGES	16
#define PAGE	4096
#define FSIZE	(NPAGES * PAGE)

static unsigned char *shm, *priv;
static int sfd, pfd;
static char spath[4096], ppath[4096];

static unsigned char orig(int file, size_t i)
{
	return (unsigned char)(file * 101 + i * 3 + (i >> 12));
}

static unsigned char shared_val(size_t i)
{
	return (unsigned char)(0x5a ^ (i * 11) ^ (i >> 12));
}

static unsigned char priv_val(size_t i)
{
	return (unsigned char)(0xc3 ^ (i * 5));
}

static int priv_modified(size_t page)
{
	return page % 3 == 1;
}

static void make_file(const char *path, int file, int *fd)
{
	unsigned char buf[FSIZE];

	for (size_t i = 0; i < FSIZE; i++)
		buf[i] = orig(file, i);
	*fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (*fd < 0)
		tp_fail("open %s: %s", path, strerror(errno));
	if (write(*fd, buf, FSIZE) != FSIZE)
		tp_fail("write %s: %s", path, strerror(errno));
}

static void verify(const char *when)
{
	static unsigned char buf[FSIZE];

	for (size_t i = 0; i < FSIZE; i++) {
		if (shm[i] != shared_val(i))
			tp_fail("%s: MAP_SHARED byte %zu is %#x, expected %#x",
				when, i, shm[i], shared_val(i));
		unsigned char want = priv_modified(i / PAGE) ? priv_val(i)
							     : orig(2, i);
		if (priv[i] != want)
			tp_fail("%s: MAP_PRIVATE byte %zu (page %s) is %#x, "
				"expected %#x", when, i,
				priv_modified(i / PAGE) ? "modified"
							: "untouched",
				priv[i], want);
	}
	/* the private file never changes */
	if (pread(pfd, buf, FSIZE, 0) != FSIZE)
		tp_fail("%s: pread %s: %s", when, ppath, strerror(errno));
	for (size_t i = 0; i < FSIZE; i++)
		if (buf[i] != orig(2, i))
			tp_fail("%s: MAP_PRIVATE store reached the file %s at "
				"byte %zu", when, ppath, i);
	/* the shared file holds what the mapping shows */
	if (pread(sfd, buf, FSIZE, 0) != FSIZE)
		tp_fail("%s: pread %s: %s", when, spath, strerror(errno));
	for (size_t i = 0; i < FSIZE; i++)
		if (buf[i] != shared_val(i))
			tp_fail("%s: file %s byte %zu is %#x, mapping has %#x",
				when, spath, i, buf[i], shm[i]);
}

int main(void)
{
	const char *wd;
	unsigned char b;

	tp_init("mmap_file");
	wd = tp_workdir();
	snprintf(spath, sizeof(spath), "%s/mm_shared.dat", wd);
	snprintf(ppath, sizeof(ppath), "%s/mm_private.dat", wd);
	make_file(spath, 1, &sfd);
	make_file(ppath, 2, &pfd);
	shm = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	if (shm == MAP_FAILED)
		tp_fail("mmap MAP_SHARED %s: %s", spath, strerror(errno));
	priv = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, pfd, 0);
	if (priv == MAP_FAILED)
		tp_fail("mmap MAP_PRIVATE %s: %s", ppath, strerror(errno));
	for (size_t i = 0; i < FSIZE; i++) {
		shm[i] = shared_val(i);
		if (priv_modified(i / PAGE))
			priv[i] = priv_val(i);
	}
	if (msync(shm, FSIZE, MS_SYNC) != 0)
		tp_fail("msync: %s", strerror(errno));
	verify("start");
	tp_ready();

	while (!tp_should_stop()) {
		verify("loop");
		tp_sleep_ms(15);
	}
	verify("final");

	/* still one shared object with the file, both directions */
	b = 0xee;
	if (pwrite(sfd, &b, 1, 5 * PAGE + 7) != 1)
		tp_fail("pwrite %s: %s", spath, strerror(errno));
	if (shm[5 * PAGE + 7] != 0xee)
		tp_fail("pwrite to %s is not visible in the MAP_SHARED "
			"mapping (mapping no longer shared with the file)",
			spath);
	shm[9 * PAGE + 1] = 0x77;
	if (pread(sfd, &b, 1, 9 * PAGE + 1) != 1 || b != 0x77)
		tp_fail("store to the MAP_SHARED mapping is not visible in %s",
			spath);
	/* restore the shared file so a second restart sees the same data */
	shm[5 * PAGE + 7] = shared_val(5 * PAGE + 7);
	shm[9 * PAGE + 1] = shared_val(9 * PAGE + 1);
	msync(shm, FSIZE, MS_SYNC);
	tp_pass();
}
