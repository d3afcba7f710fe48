/*
 * test_inspect_snapdir.c - unit test of the snapshots of a timeline
 * directory (inspect/snapdir.c), on synthetic images (test_image_util)
 * with and without SNAP records: two computations ordered by their
 * first image, snapshots by generation and numbered from 1, the images
 * of one generation grouped (sorted by pid), prev_generation linking a
 * branch to its parent, times from the SNAP record or the header, the
 * trigger and tag; a directory without images is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../inspect/snapdir.h"
#include "test_image_util.h"

static struct img_snap snap;
static int with_snap;
static int next_crash;	/* the next image() is a crash image */

static int write_snap(struct img_writer *w)
{
	return with_snap ? img_write_rec(w, IMG_REC_SNAP, &snap, sizeof(snap)) :
			   0;
}

static char dir[256];

/* an image of computation comp, generation gen, pid pid; prev < 0: no
 * SNAP record */
static void image(const char *comp, uint32_t gen, uint32_t pid, int prev,
		  uint64_t ctime, const char *tag)
{
	struct ti_image t;
	char path[512];

	ti_build(&t, 1);
	snprintf(t.proc.comp_id, sizeof(t.proc.comp_id), "%s", comp);
	t.proc.generation = gen;
	t.proc.pid = pid;
	t.ctime = ctime;
	memset(&snap, 0, sizeof(snap));
	with_snap = prev >= 0;
	if (with_snap) {
		snap.start_usec = 1000000000000ull;
		snap.ckpt_usec = snap.start_usec + 1500000ull * gen;
		snap.trigger = next_crash ? IMG_SNAP_CRASH :
			       tag ? IMG_SNAP_API : IMG_SNAP_INTERVAL;
		snap.prev_generation = (uint32_t)prev;
		snap.pages_changed = 10 * gen;
		if (tag)
			snprintf(snap.tag, sizeof(snap.tag), "%s", tag);
	}
	snprintf(path, sizeof(path), "%s/ckpt_a.out_%s-%u_%05u%s.dmtcp", dir,
		 comp, pid, gen, next_crash ? "_crash" : "");
	next_crash = 0;
	ti_write_files = write_snap;
	assert_int_equal(ti_write(&t, path, 0), 0);
	ti_write_files = NULL;
	ti_free(&t);
}

static void test_snapdir(void **state)
{
	struct snapdir sd;
	char cmd[600];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/insp-snapdir-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	/* computation B started later, without SNAP records */
	image("compB", 1, 300, -1, 1700000100, NULL);
	image("compB", 2, 300, -1, 1700000103, NULL);
	/* computation A: 1, 2, 3, then 4 restarted from 2: a branch; two
	   processes in generation 2 */
	image("compA", 1, 100, 0, 1700000000, NULL);
	image("compA", 2, 101, 1, 1700000001, "after parse");
	image("compA", 2, 100, 1, 1700000001, "after parse");
	image("compA", 3, 100, 2, 1700000002, NULL);
	image("compA", 4, 100, 2, 1700000003, "retry");
	/* not an image name: ignored */
	snprintf(cmd, sizeof(cmd), "%s/notes.txt", dir);
	assert_int_equal(ti_spit(cmd, "x", 1), 0);

	assert_int_equal(snapdir_load(&sd, dir), 0);
	assert_int_equal(sd.ncomps, 2);
	assert_string_equal(sd.comps[0], "compA");
	assert_int_equal(sd.n, 6);
	for (size_t i = 0; i < sd.n; i++)
		assert_int_equal(sd.s[i].number, (int)i + 1);
	/* compA */
	assert_int_equal(sd.s[0].generation, 1);
	assert_int_equal(sd.s[0].prev, -1);
	assert_int_equal(sd.s[1].nimgs, 2);
	assert_int_equal(sd.s[1].imgs[0].m->proc.pid, 100);
	assert_int_equal(sd.s[1].imgs[1].m->proc.pid, 101);
	assert_string_equal(sd.s[1].snap.tag, "after parse");
	assert_int_equal(sd.s[1].snap.trigger, IMG_SNAP_API);
	assert_int_equal(sd.s[1].prev, 0);
	assert_true(sd.s[1].time_s > 2.99 && sd.s[1].time_s < 3.01);
	assert_int_equal(sd.s[2].prev, 1);
	assert_int_equal(sd.s[3].generation, 4);
	assert_int_equal(sd.s[3].prev_generation, 2);
	assert_int_equal(sd.s[3].prev, 1);	/* a branch from #2 */
	assert_true(sd.s[3].branch);
	assert_false(sd.s[2].branch);
	assert_false(sd.s[5].branch);
	assert_string_equal(sd.s[3].snap.tag, "retry");
	assert_string_equal(snap_trigger_name(sd.s[0].snap.trigger),
			    "interval");
	/* compB: no SNAP record, generation - 1, header times */
	assert_int_equal(sd.s[4].comp, 1);
	assert_false(sd.s[4].has_snap);
	assert_int_equal(sd.s[5].prev, 4);
	assert_true(sd.s[4].time_s == 0);
	assert_true(sd.s[5].time_s > 2.99 && sd.s[5].time_s < 3.01);
	snapdir_free(&sd);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(snapdir_load(&sd, dir), -1);	/* empty */
	snapdir_free(&sd);
	rmdir(dir);
	assert_int_equal(snapdir_load(&sd, dir), -1);	/* missing */
	snapdir_free(&sd);
}

/*
 * A process crashed before the coordinator's next generation reached it:
 * its crash image has that generation's number, the other process's
 * image of the generation too.  Two snapshots: the generation (without
 * the crashed process), then the crash, which continues generation 1
 * and is no branch; nothing continues the crash.
 */
static void test_crash_apart(void **state)
{
	struct snapdir sd;
	char cmd[600];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/insp-snapdir-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	image("compC", 1, 100, 0, 1700000000, NULL);
	image("compC", 1, 101, 0, 1700000000, NULL);
	next_crash = 1;
	image("compC", 2, 101, 1, 1700000001, NULL);
	image("compC", 2, 100, 1, 1700000001, NULL);
	image("compC", 3, 100, 2, 1700000002, NULL);
	assert_int_equal(snapdir_load(&sd, dir), 0);
	assert_int_equal(sd.n, 4);
	assert_int_equal(sd.s[1].generation, 2);
	assert_false(sd.s[1].crash);
	assert_int_equal(sd.s[1].nimgs, 1);
	assert_int_equal(sd.s[1].imgs[0].m->proc.pid, 100);
	assert_int_equal(sd.s[2].generation, 2);
	assert_true(sd.s[2].crash);
	assert_int_equal(sd.s[2].imgs[0].m->proc.pid, 101);
	assert_int_equal(sd.s[2].snap.trigger, IMG_SNAP_CRASH);
	assert_int_equal(sd.s[2].prev, 0);
	assert_false(sd.s[2].branch);
	assert_int_equal(sd.s[3].prev, 1);	/* generation 2, not the crash */
	assert_false(sd.s[3].branch);
	snapdir_free(&sd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapdir),
		cmocka_unit_test(test_crash_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
