/*
 * test_fd_buf.c - the sizes of the descriptors' buffers
 * (src/preload/fd/buf.c): the sk-queue buffers are whole pages, at least
 * one, mapped, grown and unmapped with the same sizes; a drain buffer
 * grows to what it must hold and at least doubles; the fd data area
 * (DMTCP_FD_DATA_MAX) is filled to its bound and never past it, as
 * pipe.c, socket.c, anon.c and mqueue.c fill it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fd/buf.h"

#define PAGE DMTCP_SKQ_PAGE
#define MAX ((uint64_t)DMTCP_FD_DATA_MAX)

static void test_span_pages(void **state)
{
	(void)state;
	assert_int_equal(PAGE, sysconf(_SC_PAGESIZE));
	/* an empty buffer still has its page */
	assert_int_equal(dmtcp_skq_span(0), PAGE);
	assert_int_equal(dmtcp_skq_span(1), PAGE);
	assert_int_equal(dmtcp_skq_span(PAGE - 1), PAGE);
	assert_int_equal(dmtcp_skq_span(PAGE), PAGE);
	assert_int_equal(dmtcp_skq_span(PAGE + 1), 2 * PAGE);
	assert_int_equal(dmtcp_skq_span(3 * PAGE), 3 * PAGE);
	assert_int_equal(dmtcp_skq_span(1ull << 40), 1ull << 40);
	for (uint64_t n = 1; n < 20 * PAGE; n += 333) {
		uint64_t s = dmtcp_skq_span(n);

		assert_int_equal(s % PAGE, 0);
		assert_true(s >= n);
		assert_true(s - n < PAGE);
	}
}

static void test_want(void **state)
{
	(void)state;
	/* room enough: nothing to do */
	assert_int_equal(dmtcp_skq_want(100, 50, 50), 0);
	assert_int_equal(dmtcp_skq_want(100, 100, 0), 0);
	assert_int_equal(dmtcp_skq_want(0, 0, 0), 0);
	/* the first bytes: just what they need */
	assert_int_equal(dmtcp_skq_want(0, 0, 1), 1);
	assert_int_equal(dmtcp_skq_want(0, 0, 65536), 65536);
	/* a little more: twice the capacity */
	assert_int_equal(dmtcp_skq_want(100, 100, 1), 200);
	assert_int_equal(dmtcp_skq_want(4096, 4000, 200), 8192);
	/* much more: all of it */
	assert_int_equal(dmtcp_skq_want(100, 100, 500), 600);
	assert_int_equal(dmtcp_skq_want(100, 90, 110), 200);
	assert_int_equal(dmtcp_skq_want(100, 90, 111), 201);
}

/* A drain filling its buffer chunk by chunk (fd/socket.c drain_room):
   it always holds what it took, and grows O(log n) times. */
static void test_want_sequence(void **state)
{
	uint64_t cap = 0, len = 0;
	int grown = 0;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		uint64_t more = 1 + (uint64_t)(i * 7919) % 5000;
		uint64_t want = dmtcp_skq_want(cap, len, more);

		if (want) {
			assert_true(want >= len + more);
			assert_true(want >= 2 * cap);
			cap = want;
			grown++;
		}
		len += more;
		assert_true(len <= cap);
	}
	assert_true(grown < 40);
}

/* sk-queue.c's alloc/grow/release map, remap and unmap these sizes:
   the kernel takes them, and the bytes survive a grow. */
static void test_span_mappings(void **state)
{
	uint64_t cap = 10, want;
	char *b;

	(void)state;
	b = mmap(NULL, dmtcp_skq_span(cap), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(b != MAP_FAILED);
	for (int i = 0; i < 10; i++)
		b[i] = (char)i;
	want = dmtcp_skq_want(cap, cap, 3 * PAGE);
	b = mremap(b, dmtcp_skq_span(cap), dmtcp_skq_span(want),
		   MREMAP_MAYMOVE);
	assert_true(b != MAP_FAILED);
	for (int i = 0; i < 10; i++)
		assert_int_equal(b[i], i);
	b[want - 1] = 1;
	cap = want;
	assert_int_equal(munmap(b, dmtcp_skq_span(cap)), 0);
	/* the empty buffer */
	b = mmap(NULL, dmtcp_skq_span(0), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(b != MAP_FAILED);
	assert_int_equal(munmap(b, dmtcp_skq_span(0)), 0);
}

static void test_data_bound(void **state)
{
	(void)state;
	/* 16 MiB: the size fds.c maps and the warnings of socket.c name */
	assert_int_equal(MAX, 16u << 20);
	assert_int_equal(dmtcp_fd_data_room(0), MAX);
	assert_int_equal(dmtcp_fd_data_room(1), MAX - 1);
	assert_int_equal(dmtcp_fd_data_room(MAX - 1), 1);
	assert_int_equal(dmtcp_fd_data_room(MAX), 0);
	/* a datagram's 4-byte length put the position past the end */
	assert_int_equal(dmtcp_fd_data_room(MAX + 3), 0);
	assert_int_equal(dmtcp_fd_data_room(UINT64_MAX), 0);

	assert_true(dmtcp_fd_data_fits(0, MAX));
	assert_false(dmtcp_fd_data_fits(0, MAX + 1));
	assert_true(dmtcp_fd_data_fits(MAX - 16, 16));
	assert_false(dmtcp_fd_data_fits(MAX - 15, 16));
	assert_true(dmtcp_fd_data_fits(MAX, 0));
	assert_false(dmtcp_fd_data_fits(MAX, 1));
	assert_false(dmtcp_fd_data_fits(MAX + 8, 0));
	/* no wrap around */
	assert_false(dmtcp_fd_data_fits(8, UINT64_MAX));
	assert_false(dmtcp_fd_data_fits(UINT64_MAX, 8));
}

/* pipe.c's drain: reads of at most the room left, until none is left */
static void test_data_fill(void **state)
{
	uint64_t used = 123, reads = 0;

	(void)state;
	for (;;) {
		uint64_t room = dmtcp_fd_data_room(used), n = 65536;

		if (!room)
			break;
		if (n > room)
			n = room;	/* the kernel gives at most room */
		used += n;
		reads++;
	}
	assert_int_equal(used, MAX);
	assert_int_equal(reads, (MAX - 123 + 65535) / 65536);
	/* anon.c's epoll watches, 16 bytes each, from an odd start */
	used = 5;
	reads = 0;
	while (dmtcp_fd_data_fits(used, 16)) {
		used += 16;
		reads++;
	}
	assert_int_equal(reads, (MAX - 5) / 16);
	assert_true(used <= MAX);
	assert_true(MAX - used < 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span_pages),
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_want_sequence),
		cmocka_unit_test(test_span_mappings),
		cmocka_unit_test(test_data_bound),
		cmocka_unit_test(test_data_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
