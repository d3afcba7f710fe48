/*
 * test_fd_kinds.c - the table of descriptor kinds (src/preload/fd/
 * kinds.c, fd/kind.h), with the library's real entries: which kind
 * dmtcp_fd_kind_of() gives each record the checkpoint makes (every
 * image fd kind; a pty master or slave by its subkind, before the plain
 * terminals; a terminal that is not a pty by its path; a kind nothing
 * knows: none), and the table's invariants (every entry named and
 * claiming records by `kinds` or `is`, no image fd kind claimed twice
 * without `is`, no entry twice).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fd/kind.h"

static struct dmtcp_fdrec rec(uint32_t kind, int subkind)
{
	struct dmtcp_fdrec r;

	memset(&r, 0, sizeof(r));
	r.rec.fd = 3;
	r.rec.kind = kind;
	r.x.subkind = subkind;
	r.dup_of = -1;
	return r;
}

static const struct fd_kind *of(uint32_t kind, int subkind)
{
	struct dmtcp_fdrec r = rec(kind, subkind);

	return dmtcp_fd_kind_of(&r);
}

static void test_every_image_kind(void **state)
{
	static const struct {
		uint32_t kind;
		const struct fd_kind *want;
	} map[] = {
		{ IMG_FD_FILE, &fd_kind_file },
		{ IMG_FD_DIR, &fd_kind_path },
		{ IMG_FD_CHR, &fd_kind_path },
		{ IMG_FD_PIPE, &fd_kind_pipe },
		{ IMG_FD_SOCKET, &fd_kind_socket },
		{ IMG_FD_OTHER, &fd_kind_anon },
		{ IMG_FD_TTY, &fd_kind_path },	/* a terminal, not a pty */
		{ IMG_FD_MQUEUE, &fd_kind_mqueue },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct fd_kind *k = of(map[i].kind, FDX_NONE);

		assert_non_null(k);
		assert_string_equal(k->name, map[i].want->name);
		assert_ptr_equal(k, map[i].want);
	}
}

static void test_subkinds_of_a_kind(void **state)
{
	(void)state;
	/* what capture found out does not move a record to another kind */
	assert_ptr_equal(of(IMG_FD_SOCKET, FDX_LISTEN), &fd_kind_socket);
	assert_ptr_equal(of(IMG_FD_SOCKET, FDX_DGRAM), &fd_kind_socket);
	assert_ptr_equal(of(IMG_FD_SOCKET, FDX_UNSUPPORTED), &fd_kind_socket);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_EVENTFD), &fd_kind_anon);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_EPOLL), &fd_kind_anon);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_SIGNALFD), &fd_kind_anon);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_TIMERFD), &fd_kind_anon);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_INOTIFY), &fd_kind_anon);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_PIDFD), &fd_kind_anon);
	assert_ptr_equal(of(IMG_FD_OTHER, FDX_UNSUPPORTED), &fd_kind_anon);
}

static void test_pty_by_subkind(void **state)
{
	(void)state;
	/* the master (/dev/ptmx) and a slave: the pty kind, by subkind,
	   whatever the image's fd kind says */
	assert_ptr_equal(of(IMG_FD_PTY, FDX_PTY_MASTER), &fd_kind_pty);
	assert_ptr_equal(of(IMG_FD_TTY, FDX_PTY_SLAVE), &fd_kind_pty);
	assert_ptr_equal(of(IMG_FD_CHR, FDX_PTY_SLAVE), &fd_kind_pty);
	assert_ptr_equal(of(IMG_FD_TTY, FDX_PTY_MASTER), &fd_kind_pty);
	assert_string_equal(of(IMG_FD_TTY, FDX_PTY_SLAVE)->name,
			    "pseudo-terminal");
	/* a terminal whose capture found no pty: reopened by path */
	assert_ptr_equal(of(IMG_FD_TTY, FDX_NONE), &fd_kind_path);
	assert_string_equal(of(IMG_FD_TTY, FDX_NONE)->name, "path");
	/* a master record without its subkind: nothing claims it */
	assert_null(of(IMG_FD_PTY, FDX_NONE));
}

static void test_unknown(void **state)
{
	(void)state;
	assert_null(of(0, FDX_NONE));
	assert_null(of(IMG_FD_PTY + 1, FDX_NONE));
	assert_null(of(31, FDX_NONE));
	/* past the bits of `kinds`: no shift out of range */
	assert_null(of(32, FDX_NONE));
	assert_null(of(33, FDX_NONE));
	assert_null(of(1000, FDX_NONE));
	assert_null(of(UINT32_MAX, FDX_NONE));
	/* an unknown kind with a pty's subkind is still the pty */
	assert_ptr_equal(of(1000, FDX_PTY_SLAVE), &fd_kind_pty);
}

static void test_table_invariants(void **state)
{
	unsigned claimed = 0;

	(void)state;
	assert_int_equal(dmtcp_fd_nkinds, 7);
	for (size_t i = 0; i < dmtcp_fd_nkinds; i++) {
		const struct fd_kind *k = dmtcp_fd_kinds[i];

		assert_non_null(k);
		assert_non_null(k->name);
		assert_true(k->name[0] != 0);
		/* one way to claim records: a mask of image kinds, or is() */
		assert_true((k->kinds != 0) != (k->is != NULL));
		/* bit 0 is no image kind (IMG_FD_FILE is 1) */
		assert_int_equal(k->kinds & 1u, 0);
		if (!k->is) {
			assert_int_equal(claimed & k->kinds, 0);
			claimed |= k->kinds;
		}
		for (size_t j = 0; j < i; j++) {
			assert_ptr_not_equal(dmtcp_fd_kinds[j], k);
			assert_string_not_equal(dmtcp_fd_kinds[j]->name,
						k->name);
		}
	}
	/* every image fd kind but the pty master (by subkind) is claimed */
	for (uint32_t kind = IMG_FD_FILE; kind <= IMG_FD_PTY; kind++)
		assert_int_equal(!!(claimed & FD_KINDS(kind)),
				 kind != IMG_FD_PTY);
}

/* the pty entry is asked first: is() kinds come before the masks they
   take records from */
static void test_order(void **state)
{
	(void)state;
	assert_ptr_equal(dmtcp_fd_kinds[0], &fd_kind_pty);
	for (size_t i = 0; i < dmtcp_fd_nkinds; i++)
		if (dmtcp_fd_kinds[i] == &fd_kind_mqueue)
			for (size_t j = 0; j < i; j++)
				assert_ptr_not_equal(dmtcp_fd_kinds[j],
						     &fd_kind_file);
	assert_true(dmtcp_fd_kind_always(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_image_kind),
		cmocka_unit_test(test_subkinds_of_a_kind),
		cmocka_unit_test(test_pty_by_subkind),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_table_invariants),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
