/*
 * test_coord_txn.c - the coordinator's checkpoint record and barrier
 * rules (coordinator/txn.c), without sockets or clients: images and
 * announced images recorded and forgotten, FAILED= lines counted, which
 * barrier comes next in a checkpoint and in a restart, which barrier a
 * worker may reach, when every participant is there, which barriers
 * have a deadline, the worker states the releases set, and which file
 * names are images of a generation (gens.c removes by them).  Also the
 * protocol's names for barriers, states and replies
 * (src/common/protocol.c), which the coordinator and dmtcp_command use.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coord.h"

/* n images written (writing = 0) or announced (1): /ckpt/img-<i> of
 * 100 + i bytes by client 1000 + i. */
static void add_images(struct co_txn *t, int n, int writing)
{
	char path[32];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/ckpt/img-%d", i);
		assert_int_equal(writing ? co_txn_add_writing(t, path) :
				 co_txn_add_image(t, path, 100 + i, 1000 + i),
				 0);
	}
}

static void test_txn_images(void **state)
{
	struct co_txn t = { 0 };

	(void)state;
	add_images(&t, 40, 0);	/* more than the first allocation (16) */
	assert_int_equal(t.nimages, 40);
	assert_int_equal(t.images_bytes, 40 * 100 + 39 * 40 / 2);
	assert_string_equal(t.images[0].path, "/ckpt/img-0");
	assert_string_equal(t.images[39].path, "/ckpt/img-39");
	assert_int_equal(t.images[17].bytes, 117);
	assert_int_equal(t.images[17].client_id, 1017);
	assert_true(co_txn_has_image(&t, 1000));
	assert_true(co_txn_has_image(&t, 1039));
	assert_false(co_txn_has_image(&t, 1040));
	assert_false(co_txn_has_image(&t, 0));

	co_txn_reset(&t);
	assert_int_equal(t.nimages, 0);
	assert_int_equal(t.images_bytes, 0);
	assert_false(co_txn_has_image(&t, 1000));
	/* the record is reused after a reset */
	assert_int_equal(co_txn_add_image(&t, "/ckpt/again", 5, 7), 0);
	assert_int_equal(t.nimages, 1);
	assert_int_equal(t.images_bytes, 5);
	assert_true(co_txn_has_image(&t, 7));
	co_txn_free(&t);
	assert_null(t.images);
	assert_int_equal(t.nimages, 0);
}

static void test_txn_writing(void **state)
{
	struct co_txn t = { 0 };

	(void)state;
	add_images(&t, 20, 1);
	assert_int_equal(t.nwriting, 20);
	assert_string_equal(t.writing[19], "/ckpt/img-19");
	/* announced images are not images written */
	assert_int_equal(t.nimages, 0);
	co_txn_reset(&t);
	assert_int_equal(t.nwriting, 0);
	co_txn_free(&t);
	assert_null(t.writing);
}

static void test_txn_failures(void **state)
{
	struct co_txn t = { 0 };

	(void)state;
	assert_int_equal(t.nfailed, 0);
	assert_null(t.failures.s);
	co_txn_fail(&t, "%llu %s pid %u: %s", 3ull, "prog", 42u,
		    "reported no image");
	co_txn_fail(&t, "%s", "no process reported an image");
	assert_int_equal(t.nfailed, 2);
	assert_string_equal(t.failures.s,
			    "FAILED=3 prog pid 42: reported no image\n"
			    "FAILED=no process reported an image\n");
	co_txn_reset(&t);
	assert_int_equal(t.nfailed, 0);
	assert_null(t.failures.s);
	co_txn_free(&t);
}

static void test_bar_next(void **state)
{
	(void)state;
	/* a checkpoint goes through its barriers in order */
	assert_int_equal(co_bar_next(CO_CKPT, 0), DMTCP_BAR_SUSPENDED);
	for (int b = DMTCP_BAR_SUSPENDED; b < DMTCP_BAR_REFILLED; b++)
		assert_int_equal(co_bar_next(CO_CKPT, b), b + 1);
	/* a restart starts at RESTARTED, whatever was released before */
	assert_int_equal(co_bar_next(CO_RESTART, 0), DMTCP_BAR_RESTARTED);
	assert_int_equal(co_bar_next(CO_RESTART, DMTCP_BAR_REFILLED),
			 DMTCP_BAR_RESTARTED);
	assert_int_equal(co_bar_next(CO_RESTART, DMTCP_BAR_RESTARTED),
			 DMTCP_BAR_RESTART_REFILLED);
}

static void test_bar_expected(void **state)
{
	(void)state;
	/* checkpoint barriers: only the next one, only in a checkpoint */
	assert_true(co_bar_expected(CO_CKPT, 0, DMTCP_BAR_SUSPENDED));
	assert_false(co_bar_expected(CO_CKPT, 0, DMTCP_BAR_DRAINED));
	assert_true(co_bar_expected(CO_CKPT, DMTCP_BAR_DRAINED,
				    DMTCP_BAR_CHECKPOINTED));
	assert_false(co_bar_expected(CO_CKPT, DMTCP_BAR_DRAINED,
				     DMTCP_BAR_DRAINED));
	assert_false(co_bar_expected(CO_IDLE, 0, DMTCP_BAR_SUSPENDED));
	assert_false(co_bar_expected(CO_RESTART, 0, DMTCP_BAR_SUSPENDED));
	/* restart barriers: only in a restart */
	assert_true(co_bar_expected(CO_RESTART, 0, DMTCP_BAR_RESTARTED));
	assert_false(co_bar_expected(CO_RESTART, 0,
				     DMTCP_BAR_RESTART_REFILLED));
	assert_true(co_bar_expected(CO_RESTART, DMTCP_BAR_RESTARTED,
				    DMTCP_BAR_RESTART_REFILLED));
	assert_false(co_bar_expected(CO_CKPT, DMTCP_BAR_REFILLED,
				     DMTCP_BAR_RESTARTED));
	/* numbers that are no barrier */
	assert_false(co_bar_expected(CO_CKPT, -1, 0));
	assert_false(co_bar_expected(CO_RESTART, DMTCP_BAR_RESTART_REFILLED,
				     DMTCP_BAR_RESTART_REFILLED + 1));
}

static void test_bar_ready(void **state)
{
	(void)state;
	/* every participant there, and at least one */
	assert_true(co_bar_ready(DMTCP_BAR_SUSPENDED, 3, 3, 0));
	assert_false(co_bar_ready(DMTCP_BAR_SUSPENDED, 3, 2, 0));
	assert_false(co_bar_ready(DMTCP_BAR_SUSPENDED, 0, 0, 0));
	/* RESTARTED also waits for num_peers processes */
	assert_false(co_bar_ready(DMTCP_BAR_RESTARTED, 2, 2, 3));
	assert_true(co_bar_ready(DMTCP_BAR_RESTARTED, 3, 3, 3));
	assert_true(co_bar_ready(DMTCP_BAR_RESTARTED, 4, 4, 3));
	/* ... but the next one does not */
	assert_true(co_bar_ready(DMTCP_BAR_RESTART_REFILLED, 2, 2, 3));
}

static void test_bar_timed_and_states(void **state)
{
	(void)state;
	/* every checkpoint barrier has a deadline but the image writing */
	assert_true(co_bar_timed(DMTCP_BAR_SUSPENDED));
	assert_true(co_bar_timed(DMTCP_BAR_FD_LEADER_ELECTION));
	assert_true(co_bar_timed(DMTCP_BAR_DRAINED));
	assert_false(co_bar_timed(DMTCP_BAR_CHECKPOINTED));
	assert_true(co_bar_timed(DMTCP_BAR_REFILLED));
	assert_false(co_bar_timed(DMTCP_BAR_RESTARTED));
	assert_false(co_bar_timed(DMTCP_BAR_RESTART_REFILLED));

	assert_int_equal(co_bar_worker_state(DMTCP_BAR_SUSPENDED),
			 DMTCP_WS_SUSPENDED);
	assert_int_equal(co_bar_worker_state(DMTCP_BAR_FD_LEADER_ELECTION),
			 DMTCP_WS_CHECKPOINTING);
	assert_int_equal(co_bar_worker_state(DMTCP_BAR_DRAINED), 0);
	assert_int_equal(co_bar_worker_state(DMTCP_BAR_CHECKPOINTED), 0);
	assert_int_equal(co_bar_worker_state(DMTCP_BAR_REFILLED),
			 DMTCP_WS_RUNNING);
	assert_int_equal(co_bar_worker_state(DMTCP_BAR_RESTARTED), 0);
	assert_int_equal(co_bar_worker_state(DMTCP_BAR_RESTART_REFILLED),
			 DMTCP_WS_RUNNING);
}

static void test_image_names(void **state)
{
	static const struct {
		const char *name;
		int ok;
		const char *uid;
		uint32_t gen;
		int is_tmp;
	} cases[] = {
		{ "ckpt_a.out_4a3b-12-67_00003.dmtcp", 1, "4a3b-12-67", 3, 0 },
		{ "ckpt_my_prog_u1_00012.dmtcp.ipc", 1, "u1", 12, 0 },
		{ ".ckpt_p_u2_00007.dmtcp.tmp.1f2e", 1, "u2", 7, 1 },
		{ ".ckpt_p_u2_00007.dmtcp.ipc.tmp.9", 1, "u2", 7, 1 },
		{ "ckpt_p_u3_4294967295.dmtcp", 1, "u3", 4294967295u, 0 },
		{ "ckpt_p_u3_4294967296.dmtcp", 0, NULL, 0, 0 },
		{ "ckpt_p_u3_00001.dmtcp.old", 0, NULL, 0, 0 },
		{ "ckpt_p_u3_x1.dmtcp", 0, NULL, 0, 0 },
		{ "ckpt_p_u3_.dmtcp", 0, NULL, 0, 0 },
		{ "ckpt__00001.dmtcp", 0, NULL, 0, 0 },
		{ "image_p_u3_00001.dmtcp", 0, NULL, 0, 0 },
		{ "dmtcp_restart_script.sh", 0, NULL, 0, 0 },
		{ ".ckpt_p_u2_00007.dmtcp", 0, NULL, 0, 0 },
		{ ".dmtcp", 0, NULL, 0, 0 },
	};
	char uid[64];
	uint32_t gen;
	int is_tmp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = co_image_name_parse(cases[i].name, uid, sizeof(uid),
					     &gen, &is_tmp);

		if (rc != (cases[i].ok ? 0 : -1))
			fail_msg("%s: %d", cases[i].name, rc);
		if (!cases[i].ok)
			continue;
		assert_string_equal(uid, cases[i].uid);
		assert_int_equal(gen, cases[i].gen);
		assert_int_equal(is_tmp, cases[i].is_tmp);
	}
	/* a uid that does not fit */
	assert_int_equal(co_image_name_parse("ckpt_p_0123456789_1.dmtcp", uid,
					     8, &gen, &is_tmp), -1);
}

static void test_protocol_names(void **state)
{
	(void)state;
	assert_string_equal(dmtcp_barrier_name(DMTCP_BAR_SUSPENDED),
			    "suspend");
	assert_string_equal(dmtcp_barrier_name(DMTCP_BAR_FD_LEADER_ELECTION),
			    "fd leader election");
	assert_string_equal(dmtcp_barrier_name(DMTCP_BAR_DRAINED), "drain");
	assert_string_equal(dmtcp_barrier_name(DMTCP_BAR_CHECKPOINTED),
			    "image written");
	assert_string_equal(dmtcp_barrier_name(DMTCP_BAR_REFILLED), "resume");
	assert_string_equal(dmtcp_barrier_name(0), "?");
	assert_string_equal(dmtcp_barrier_name(-3), "?");
	assert_string_equal(dmtcp_barrier_name(DMTCP_BAR_RESTARTED), "?");

	assert_string_equal(dmtcp_worker_state_name(DMTCP_WS_RUNNING),
			    "RUNNING");
	assert_string_equal(dmtcp_worker_state_name(DMTCP_WS_SUSPENDED),
			    "SUSPENDED");
	assert_string_equal(dmtcp_worker_state_name(DMTCP_WS_CHECKPOINTING),
			    "CHECKPOINTING");
	assert_string_equal(dmtcp_worker_state_name(DMTCP_WS_RESTARTING),
			    "RESTARTING");
	assert_string_equal(dmtcp_worker_state_name(0), "UNKNOWN");
	assert_string_equal(dmtcp_worker_state_name(-1), "UNKNOWN");
	assert_string_equal(dmtcp_worker_state_name(99), "UNKNOWN");

	assert_string_equal(dmtcp_reply_name(DMTCP_REPLY_OK), "OK");
	assert_string_equal(dmtcp_reply_name(DMTCP_REPLY_ERROR), "ERROR");
	assert_string_equal(dmtcp_reply_name(DMTCP_REPLY_NO_PEERS),
			    "NO_PEERS");
	assert_string_equal(dmtcp_reply_name(DMTCP_REPLY_BUSY), "BUSY");
	assert_string_equal(dmtcp_reply_name(4), "ERROR");
	assert_string_equal(dmtcp_reply_name(UINT64_MAX), "ERROR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txn_images),
		cmocka_unit_test(test_txn_writing),
		cmocka_unit_test(test_txn_failures),
		cmocka_unit_test(test_bar_next),
		cmocka_unit_test(test_bar_expected),
		cmocka_unit_test(test_bar_ready),
		cmocka_unit_test(test_bar_timed_and_states),
		cmocka_unit_test(test_image_names),
		cmocka_unit_test(test_protocol_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
