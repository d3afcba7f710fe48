/*
 * test_protocol.c - cmocka tests of the coordinator protocol framing
 * (src/common/protocol.c) over a socketpair: round trips, and detection
 * of bad magic, bad version, oversize payloads and truncated messages.
 */
#include "config.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static int sp[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
}

static int teardown(void **state)
{
	(void)state;
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	sp[0] = sp[1] = -1;
	return 0;
}

static void test_header_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct dmtcp_msg), 48);
	assert_int_equal(offsetof(struct dmtcp_msg, payload_len), 8);
	assert_int_equal(offsetof(struct dmtcp_msg, arg0), 16);
	assert_int_equal(offsetof(struct dmtcp_msg, client_id), 32);
}

static void test_roundtrip(void **state)
{
	struct dmtcp_msg m, r;
	char buf[64];

	(void)state;
	dmtcp_msg_init(&m, DMTCP_MSG_CKPT_WRITTEN);
	m.arg0 = 123456789012ull;
	m.arg1 = 42;
	m.client_id = 7;
	assert_int_equal(dmtcp_msg_send(sp[0], &m, "/tmp/x.dmtcp", 12), 0);
	assert_int_equal(dmtcp_msg_recv(sp[1], &r, buf, sizeof(buf)), 0);
	assert_int_equal(r.magic, DMTCP_MSG_MAGIC);
	assert_int_equal(r.version, DMTCP_PROTO_VERSION);
	assert_int_equal(r.type, DMTCP_MSG_CKPT_WRITTEN);
	assert_int_equal(r.payload_len, 12);
	assert_true(r.arg0 == 123456789012ull);
	assert_int_equal(r.arg1, 42);
	assert_int_equal(r.client_id, 7);
	assert_string_equal(buf, "/tmp/x.dmtcp");	/* NUL-terminated */
}

static void test_empty_payload_and_sequence(void **state)
{
	struct dmtcp_msg m, r;
	char buf[16];

	(void)state;
	for (int i = 1; i <= 5; i++) {
		dmtcp_msg_init(&m, DMTCP_MSG_BARRIER);
		m.arg0 = i;
		assert_int_equal(dmtcp_msg_send(sp[0], &m, NULL, 0), 0);
	}
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(dmtcp_msg_recv(sp[1], &r, buf, sizeof(buf)), 0);
		assert_int_equal(r.type, DMTCP_MSG_BARRIER);
		assert_int_equal(r.arg0, i);
		assert_int_equal(r.payload_len, 0);
	}
}

static void test_large_payload(void **state)
{
	size_t len = 200000;	/* more than a socket buffer: needs a reader */
	char *out = malloc(len), *in = malloc(len + 1);
	struct dmtcp_msg m, r;
	pid_t pid;

	(void)state;
	assert_non_null(out);
	assert_non_null(in);
	for (size_t i = 0; i < len; i++)
		out[i] = (char)('a' + i % 26);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dmtcp_msg_init(&m, DMTCP_MSG_REPLY);
		_exit(dmtcp_msg_send(sp[0], &m, out, len) == 0 ? 0 : 1);
	}
	assert_int_equal(dmtcp_msg_recv(sp[1], &r, in, len + 1), 0);
	assert_int_equal(r.payload_len, len);
	assert_memory_equal(in, out, len);
	free(out);
	free(in);
}

static void send_raw(const struct dmtcp_msg *m)
{
	assert_int_equal(util_write_all(sp[0], m, sizeof(*m)), 0);
}

/* the receiver's dmtcp_msg_recv into a payload buffer of cap bytes fails
 * with errno err */
static void recv_fails(size_t cap, int err)
{
	struct dmtcp_msg r;
	char buf[64];

	assert_true(cap <= sizeof(buf));
	assert_int_equal(dmtcp_msg_recv(sp[1], &r, buf, cap), -1);
	assert_int_equal(errno, err);
}

/* the sender's end closed: the receiver sees end of file */
static void close_sender(void)
{
	close(sp[0]);
	sp[0] = -1;
}

static void test_bad_magic(void **state)
{
	struct dmtcp_msg m;

	(void)state;
	dmtcp_msg_init(&m, DMTCP_MSG_BARRIER);
	m.magic = 0x12345678;
	send_raw(&m);
	errno = 0;
	recv_fails(16, EPROTO);
	assert_int_equal(dmtcp_msg_check(&m), -1);
}

static void test_bad_version(void **state)
{
	struct dmtcp_msg m;

	(void)state;
	dmtcp_msg_init(&m, DMTCP_MSG_BARRIER);
	m.version = DMTCP_PROTO_VERSION + 1;
	send_raw(&m);
	recv_fails(16, EPROTO);
}

static void test_oversize(void **state)
{
	struct dmtcp_msg m;
	char buf[16];

	(void)state;
	/* over the protocol limit: a bad header */
	dmtcp_msg_init(&m, DMTCP_MSG_REPLY);
	m.payload_len = DMTCP_MSG_MAX_PAYLOAD + 1;
	send_raw(&m);
	recv_fails(16, EPROTO);

	/* the sender refuses too */
	dmtcp_msg_init(&m, DMTCP_MSG_REPLY);
	assert_int_equal(dmtcp_msg_send(sp[0], &m, buf,
					DMTCP_MSG_MAX_PAYLOAD + 1), -1);
	assert_int_equal(errno, EMSGSIZE);
}

static void test_payload_over_capacity(void **state)
{
	struct dmtcp_msg m;

	(void)state;
	dmtcp_msg_init(&m, DMTCP_MSG_REPLY);
	assert_int_equal(dmtcp_msg_send(sp[0], &m, "0123456789", 10), 0);
	recv_fails(8, EMSGSIZE);
}

static void test_truncated_header(void **state)
{
	struct dmtcp_msg m;

	(void)state;
	dmtcp_msg_init(&m, DMTCP_MSG_BARRIER);
	assert_int_equal(util_write_all(sp[0], &m, 20), 0);
	close_sender();
	recv_fails(16, EIO);
}

static void test_truncated_payload(void **state)
{
	struct dmtcp_msg m;

	(void)state;
	dmtcp_msg_init(&m, DMTCP_MSG_REPLY);
	m.payload_len = 30;
	send_raw(&m);
	assert_int_equal(util_write_all(sp[0], "only ten b", 10), 0);
	close_sender();
	recv_fails(64, EIO);
}

static void test_clean_eof(void **state)
{
	(void)state;
	close_sender();
	errno = EINVAL;
	recv_fails(16, 0);
}

static void test_struct_sizes(void **state)
{
	(void)state;
	/* the hello is sent as-is: its size is part of the contract */
	assert_int_equal(sizeof(struct dmtcp_hello) % 8, 0);
	assert_true(sizeof(struct dmtcp_hello) <= DMTCP_MSG_MAX_PAYLOAD);
	assert_true(sizeof(struct dmtcp_welcome) <= DMTCP_MSG_MAX_PAYLOAD);
	assert_int_equal(offsetof(struct dmtcp_hello, pid), 40);
}

/* a test on a fresh socket pair sp */
#define WITH_PAIR(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_struct_sizes),
		WITH_PAIR(test_roundtrip),
		WITH_PAIR(test_empty_payload_and_sequence),
		WITH_PAIR(test_large_payload),
		WITH_PAIR(test_bad_magic),
		WITH_PAIR(test_bad_version),
		WITH_PAIR(test_oversize),
		WITH_PAIR(test_payload_over_capacity),
		WITH_PAIR(test_truncated_header),
		WITH_PAIR(test_truncated_payload),
		WITH_PAIR(test_clean_eof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
