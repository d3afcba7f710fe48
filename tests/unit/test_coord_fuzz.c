/*
 * test_coord_fuzz.c - fuzzes the coordinator's per-client message
 * decoder (coordinator/input.c) together with the dispatcher and the
 * checkpoint state machine behind it, through tests/fuzz/coord-harness.c.
 *
 * Deterministic cases first (junk is rejected after 4 bytes, bad
 * version, oversize and truncated messages, the same stream split at
 * every byte gives the same replies; the limits before authentication:
 * a hello's worth of input at most, CO_PENDING_MAX pending connections,
 * rate-limited messages; names with control characters are escaped in
 * every reply), then random byte streams and
 * mutated valid sessions from several clients at once, fed in random
 * chunks; after every chunk the client invariants are checked.  The run
 * is reproducible: DMTCP_FUZZ_SEED=N (printed) and DMTCP_FUZZ_ITERS=N.
 */
#include "config.h"
#include "coord-harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define STREAM_MAX	(256 * 1024)

static uint64_t rng_state;
static unsigned char stream[STREAM_MAX];

static unsigned rnd(void *arg)
{
	(void)arg;
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static int setup(void **state)
{
	(void)state;
	harness_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_reset();
	return 0;
}

/*
 * Reads what the coordinator wrote to peer_fd: the number of messages of
 * type t, and with out, their payloads joined there (at most cap - 1
 * bytes, NUL-terminated).  Without out, the bytes must be whole messages.
 */
static int read_msgs(int peer_fd, uint16_t t, char *out, size_t cap)
{
	static unsigned char buf[4 << 20];
	size_t len = 0, off = 0, olen = 0;
	ssize_t n;
	int count = 0;

	while (len < sizeof(buf) &&
	       (n = read(peer_fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	while (len - off >= sizeof(struct dmtcp_msg)) {
		struct dmtcp_msg m;

		memcpy(&m, buf + off, sizeof(m));
		assert_int_equal(dmtcp_msg_check(&m), 0);
		if (m.type == t)
			count++;
		if (out && m.type == t && olen + m.payload_len < cap) {
			memcpy(out + olen, buf + off + sizeof(m),
			       m.payload_len);
			olen += m.payload_len;
		}
		off += sizeof(m) + m.payload_len;
	}
	if (out)
		out[olen] = 0;
	else
		assert_int_equal(off, len);
	return count;
}

/* Replies of type t in what the coordinator wrote to peer_fd. */
static int count_msgs(int peer_fd, uint16_t t)
{
	return read_msgs(peer_fd, t, NULL, 0);
}

static void feed_checked(struct co_client *c, const void *p, size_t n)
{
	const char *why = NULL;

	co_client_feed(c, p, n);
	if (harness_check(c, &why) < 0)
		fail_msg("invariant broken: %s", why);
}

static void test_junk_dropped_after_4_bytes(void **state)
{
	struct co_client *c;
	int peer;

	(void)state;
	c = harness_client(&peer);
	assert_non_null(c);
	feed_checked(c, "GET", 3);
	assert_false(c->closing);
	feed_checked(c, " ", 1);
	assert_true(c->closing);
	harness_sweep();
	assert_int_equal(co_nclients, 0);
	close(peer);
}

/* A new client whose first bytes were a header of this type announcing
 * len bytes of payload (and, with version, another protocol version). */
static struct co_client *client_sent(int *peer, uint16_t type,
				     uint32_t len, uint16_t version)
{
	struct co_client *c = harness_client(peer);
	struct dmtcp_msg m;

	assert_non_null(c);
	dmtcp_msg_init(&m, type);
	m.payload_len = len;
	m.version = version;
	feed_checked(c, &m, sizeof(m));
	return c;
}

/* c is being dropped: sweep it away and close its peer. */
static void expect_dropped(struct co_client *c, int peer)
{
	assert_true(c->closing);
	harness_sweep();
	close(peer);
}

static void test_bad_header_fields(void **state)
{
	struct co_client *c;
	int peer;

	(void)state;
	/* another protocol version */
	c = client_sent(&peer, DMTCP_MSG_HELLO_COMMAND, 0,
			DMTCP_PROTO_VERSION + 1);
	expect_dropped(c, peer);

	/* a payload larger than the protocol allows */
	c = client_sent(&peer, DMTCP_MSG_HELLO_COMMAND,
			DMTCP_MSG_MAX_PAYLOAD + 1, DMTCP_PROTO_VERSION);
	expect_dropped(c, peer);

	/* a wrong-sized hello is refused, not crashed on */
	c = client_sent(&peer, DMTCP_MSG_HELLO_WORKER, 3, DMTCP_PROTO_VERSION);
	assert_false(c->closing);	/* waits for the payload */
	feed_checked(c, "abc", 3);
	assert_int_equal(count_msgs(peer, DMTCP_MSG_REFUSE), 1);
	expect_dropped(c, peer);

	/* a message before hello */
	c = client_sent(&peer, DMTCP_MSG_COMMAND, 0, DMTCP_PROTO_VERSION);
	expect_dropped(c, peer);
	assert_int_equal(co_nclients, 0);
}

static void test_truncated_waits(void **state)
{
	struct co_client *c;
	size_t n;
	int peer;

	(void)state;
	n = harness_hello(stream, sizeof(stream), DMTCP_MSG_HELLO_COMMAND, 0,
			  "", 0);
	c = harness_client(&peer);
	feed_checked(c, stream, n - 1);
	assert_false(c->closing);
	assert_int_equal(c->kind, CO_NEW);
	assert_int_equal(c->in_len, n - 1);
	feed_checked(c, stream + n - 1, 1);
	assert_int_equal(c->kind, CO_COMMAND);
	assert_int_equal(c->in_len, 0);
	harness_reset();
	close(peer);
}

/* The same stream, whole or one byte at a time: the same replies. */
static void test_split_invariance(void **state)
{
	struct co_client *c;
	size_t len, i;
	int peer, whole, bytewise;

	(void)state;
	len = harness_hello(stream, sizeof(stream), DMTCP_MSG_HELLO_COMMAND,
			    0, "", 0);
	for (i = 0; i < 40; i++)
		len += harness_msg(stream + len, sizeof(stream) - len,
				   DMTCP_MSG_COMMAND, i % 2 ? DMTCP_CMD_STATUS :
				   DMTCP_CMD_LIST, 0, NULL, 0);
	c = harness_client(&peer);
	feed_checked(c, stream, len);
	whole = count_msgs(peer, DMTCP_MSG_REPLY);
	harness_reset();
	close(peer);

	c = harness_client(&peer);
	for (i = 0; i < len; i++) {
		feed_checked(c, stream + i, 1);
		assert_false(c->closing);
	}
	bytewise = count_msgs(peer, DMTCP_MSG_REPLY);
	harness_reset();
	close(peer);
	assert_int_equal(whole, 40);
	assert_int_equal(bytewise, 40);
}

/* The text of every REPLY the coordinator wrote to peer_fd, joined. */
static void reply_text(int peer_fd, char *out, size_t cap)
{
	read_msgs(peer_fd, DMTCP_MSG_REPLY, out, cap);
}

/* No line of text starts with FAKE, no control character but '\n'. */
static void assert_no_forged_line(const char *text)
{
	const char *p = text;

	for (;;) {
		if (!strncmp(p, "FAKE", 4))
			fail_msg("forged line in: %s", text);
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	for (p = text; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') ||
		    (unsigned char)*p >= 0x7f)
			fail_msg("control byte %#x in: %s",
				 (unsigned char)*p, text);
}

/* A hello with names of our choice. */
static size_t make_hello(unsigned char *buf, size_t cap, uint16_t type,
			 uint32_t flags, const char *host, const char *prog,
			 const char *comp, const char *image)
{
	struct dmtcp_hello h;

	memset(&h, 0, sizeof(h));
	memcpy(h.secret, HARNESS_SECRET, DMTCP_SECRET_LEN);
	h.pid = 4243;
	h.flags = flags;
	h.num_peers = 1;
	snprintf(h.hostname, sizeof(h.hostname), "%s", host);
	snprintf(h.progname, sizeof(h.progname), "%s", prog);
	snprintf(h.comp_id, sizeof(h.comp_id), "%s", comp);
	snprintf(h.unique_id, sizeof(h.unique_id), "u");
	snprintf(h.image, sizeof(h.image), "%s", image);
	return harness_msg(buf, cap, type, 0, 0, &h, sizeof(h));
}

/* A hello announcing more than a hello's size is refused at the header,
 * whatever follows, and no more than a hello's worth is ever read. */
static void test_preauth_oversize(void **state)
{
	static unsigned char junk[256 * 1024];
	const uint32_t sizes[] = { sizeof(struct dmtcp_hello) + 1, 65536,
				   DMTCP_MSG_MAX_PAYLOAD };
	struct dmtcp_msg m;
	struct co_client *c;
	int peer;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		c = client_sent(&peer, DMTCP_MSG_HELLO_WORKER, sizes[i],
				DMTCP_PROTO_VERSION);
		assert_true(c->in_cap <= CO_PREAUTH_MAX + 1);
		assert_int_equal(count_msgs(peer, DMTCP_MSG_REFUSE), 1);
		expect_dropped(c, peer);
	}

	/* through the socket, as the event loop reads: the header and a
	   256 KiB payload are waiting; one read, a hello's worth at most */
	c = harness_client(&peer);
	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_COMMAND);
	m.payload_len = DMTCP_MSG_MAX_PAYLOAD;
	assert_int_equal(write(peer, &m, sizeof(m)), sizeof(m));
	assert_true(write(peer, junk, sizeof(junk)) > 0);
	co_client_read(c);
	assert_true(c->closing);
	assert_true(c->in_len <= CO_PREAUTH_MAX);
	assert_true(c->in_cap <= CO_PREAUTH_MAX + 1);
	harness_sweep();
	close(peer);

	/* a valid magic and the hello's real size, then junk: never more
	   than the hello is buffered, then it is judged (wrong secret) */
	c = harness_client(&peer);
	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_WORKER);
	m.payload_len = sizeof(struct dmtcp_hello);
	assert_int_equal(write(peer, &m, sizeof(m)), sizeof(m));
	assert_true(write(peer, junk, sizeof(junk)) > 0);
	for (int i = 0; i < 8 && !c->closing; i++) {
		co_client_read(c);
		assert_true(c->in_cap <= CO_PREAUTH_MAX + 1);
	}
	assert_true(c->closing);
	assert_false(c->authed);
	harness_sweep();
	close(peer);
	assert_int_equal(co_nclients, 0);
}

/* Anything but a hello before authentication goes at its header. */
static void test_preauth_message_before_hello(void **state)
{
	struct co_client *c;
	int peer;

	(void)state;
	/* its payload is not waited for */
	c = client_sent(&peer, DMTCP_MSG_KV_PUT, 1000, DMTCP_PROTO_VERSION);
	expect_dropped(c, peer);
}

/* A hello and the commands sent with it in one write: the hello is read
 * alone (small buffer), the rest once authenticated. */
static void test_preauth_hello_then_commands(void **state)
{
	char text[65536];
	struct co_client *c;
	size_t len;
	int peer;

	(void)state;
	len = harness_hello(stream, sizeof(stream), DMTCP_MSG_HELLO_COMMAND,
			    0, "", 0);
	for (int i = 0; i < 10; i++)
		len += harness_msg(stream + len, sizeof(stream) - len,
				   DMTCP_MSG_COMMAND, DMTCP_CMD_STATUS, 0,
				   NULL, 0);
	c = harness_client(&peer);
	assert_int_equal(write(peer, stream, len), (ssize_t)len);
	co_client_read(c);
	assert_true(c->authed);
	assert_int_equal(c->kind, CO_COMMAND);
	assert_true(c->in_cap <= CO_PREAUTH_MAX + 1);
	for (int i = 0; i < 4; i++)
		co_client_read(c);
	assert_false(c->closing);
	reply_text(peer, text, sizeof(text));
	{
		int n = 0;

		for (char *p = text; (p = strstr(p, "NUM_PEERS=")); p++)
			n++;
		assert_int_equal(n, 10);
	}
	harness_reset();
	close(peer);
}

/* CO_PENDING_MAX silent connections: one more closes the oldest; one
 * whose hello waits in its socket is served instead of dropped. */
static void test_pending_bound(void **state)
{
	struct co_client *cl[CO_PENDING_MAX + 2];
	int peer[CO_PENDING_MAX + 2];
	char b;
	size_t n;

	(void)state;
	for (int i = 0; i < CO_PENDING_MAX; i++) {
		cl[i] = harness_client(&peer[i]);
		assert_non_null(cl[i]);
	}
	assert_int_equal(co_pending_count(), CO_PENDING_MAX);
	/* the oldest sent its hello; nobody read it yet */
	n = harness_hello(stream, sizeof(stream), DMTCP_MSG_HELLO_COMMAND, 0,
			  "", 0);
	assert_int_equal(write(peer[0], stream, n), (ssize_t)n);
	cl[CO_PENDING_MAX] = harness_client(&peer[CO_PENDING_MAX]);
	assert_non_null(cl[CO_PENDING_MAX]);
	assert_true(cl[0]->authed);		/* served, not dropped */
	assert_false(cl[0]->closing);
	assert_false(cl[1]->closing);		/* that made room */
	assert_int_equal(co_pending_count(), CO_PENDING_MAX);
	cl[CO_PENDING_MAX + 1] = harness_client(&peer[CO_PENDING_MAX + 1]);
	assert_true(cl[1]->closing);		/* the oldest silent one */
	assert_int_equal(cl[1]->fd, -1);	/* descriptor freed at once */
	assert_int_equal(read(peer[1], &b, 1), 0);	/* it sees EOF */
	assert_false(cl[2]->closing);
	assert_int_equal(co_pending_count(), CO_PENDING_MAX);
	harness_sweep();
	assert_int_equal(co_nclients, CO_PENDING_MAX + 1);

	/* explicit drops (out of descriptors) take the oldest too */
	assert_int_equal(co_pending_drop_oldest("test"), 1);
	assert_true(cl[2]->closing);
	assert_false(cl[3]->closing);
	harness_reset();
	assert_int_equal(co_pending_drop_oldest("test"), 0);
	for (int i = 0; i < CO_PENDING_MAX + 2; i++)
		close(peer[i]);
}

/* A flood of junk makes a handful of log lines, not one per client. */
static void test_preauth_log_rate_limited(void **state)
{
	unsigned long before = harness_events;

	(void)state;
	for (int i = 0; i < 200; i++) {
		struct co_client *c;
		int peer;

		c = harness_client(&peer);
		feed_checked(c, "GET / HTTP/1.0\r\n", 16);
		assert_true(c->closing);
		harness_sweep();
		close(peer);
	}
	assert_true(harness_events - before <= co_rl_preauth.burst + 1);
	assert_true(co_rl_preauth.suppressed >= 200 - co_rl_preauth.burst - 1);
	co_limits_tick(co_now_ms() + 2000);	/* the summary line */
	assert_int_equal(co_rl_preauth.suppressed, 0);
}

/* Names with newlines and escape sequences never forge reply lines. */
static void test_hello_control_chars(void **state)
{
	static const char path[] = "/ckpt/ckpt_x\nFAKE image\x1b[2J.dmtcp";
	static const char why[] = "disk full\nFAKE failure\x07";
	char text[65536];
	struct co_client *w, *cmd;
	int wp, cp;
	size_t n;

	(void)state;
	/* a restarting worker: its computation id is adopted */
	w = harness_client(&wp);
	n = make_hello(stream, sizeof(stream), DMTCP_MSG_HELLO_WORKER,
		       DMTCP_HELLO_RESTART, "h\nFAKE host\x1b[31m",
		       "p\r\nFAKE prog\x9b", "c\nFAKE comp",
		       "/img\nFAKE restart image");
	feed_checked(w, stream, n);
	assert_int_equal(w->kind, CO_WORKER);
	assert_string_equal(w->prog, "p\\r\\nFAKE prog\\x9b");
	assert_string_equal(w->host, "h\\nFAKE host\\x1b[31m");
	n = harness_msg(stream, sizeof(stream), DMTCP_MSG_BARRIER,
			DMTCP_BAR_RESTARTED, 0, NULL, 0);
	n += harness_msg(stream + n, sizeof(stream) - n, DMTCP_MSG_BARRIER,
			 DMTCP_BAR_RESTART_REFILLED, 0, NULL, 0);
	feed_checked(w, stream, n);
	assert_int_equal(co.phase, CO_IDLE);
	harness_drain(wp);

	cmd = harness_client(&cp);
	n = harness_hello(stream, sizeof(stream), DMTCP_MSG_HELLO_COMMAND, 0,
			  "", 0);
	n += harness_msg(stream + n, sizeof(stream) - n, DMTCP_MSG_COMMAND,
			 DMTCP_CMD_STATUS, 0, NULL, 0);
	n += harness_msg(stream + n, sizeof(stream) - n, DMTCP_MSG_COMMAND,
			 DMTCP_CMD_LIST, 0, NULL, 0);
	feed_checked(cmd, stream, n);
	reply_text(cp, text, sizeof(text));
	assert_non_null(strstr(text, "COMPUTATION=c\\nFAKE comp\n"));
	assert_non_null(strstr(text, "p\\r\\nFAKE prog"));
	assert_no_forged_line(text);

	/* a checkpoint: one image path and then one failure with newlines */
	for (int round = 0; round < 2; round++) {
		n = harness_msg(stream, sizeof(stream), DMTCP_MSG_COMMAND,
				DMTCP_CMD_BCHECKPOINT, 0, NULL, 0);
		feed_checked(cmd, stream, n);
		assert_int_equal(co.phase, CO_CKPT);
		n = 0;
		for (int bar = DMTCP_BAR_SUSPENDED;
		     bar <= DMTCP_BAR_REFILLED; bar++) {
			if (bar == DMTCP_BAR_CHECKPOINTED) {
				struct dmtcp_msg m;

				dmtcp_msg_init(&m, DMTCP_MSG_CKPT_WRITTEN);
				m.flags = round ? DMTCP_CKPT_FAILED : 0;
				m.arg0 = 4096;
				m.payload_len = round ? sizeof(why) - 1 :
					sizeof(path) - 1;
				memcpy(stream + n, &m, sizeof(m));
				memcpy(stream + n + sizeof(m),
				       round ? why : path, m.payload_len);
				n += sizeof(m) + m.payload_len;
			}
			n += harness_msg(stream + n, sizeof(stream) - n,
					 DMTCP_MSG_BARRIER, bar, 0, NULL, 0);
		}
		feed_checked(w, stream, n);
		assert_int_equal(co.phase, CO_IDLE);
		reply_text(cp, text, sizeof(text));
		if (round == 0)
			assert_non_null(strstr(text, "IMAGE=/ckpt/ckpt_x\\n"
					       "FAKE image\\x1b[2J.dmtcp\n"));
		else
			assert_non_null(strstr(text, "disk full\\nFAKE "
					       "failure\\x07\n"));
		assert_no_forged_line(text);
	}
	/* the raw path is kept for the restart script */
	assert_string_equal(w->image, path);
	n = harness_msg(stream, sizeof(stream), DMTCP_MSG_COMMAND,
			DMTCP_CMD_LIST, 0, NULL, 0);
	feed_checked(cmd, stream, n);
	reply_text(cp, text, sizeof(text));
	assert_non_null(strstr(text, "FAKE image"));
	assert_no_forged_line(text);
	harness_reset();
	close(wp);
	close(cp);
}

static unsigned long fuzz_iters(unsigned long dflt)
{
	const char *e = getenv("DMTCP_FUZZ_ITERS");

	return e && *e ? strtoul(e, NULL, 0) : dflt;
}

/* Feed buf to c in random chunks, checking after each one. */
static void feed_chunks(struct co_client *c, int peer, const unsigned char *b,
			size_t len)
{
	size_t off = 0;

	while (off < len && !c->closing) {
		size_t n = 1 + rnd(NULL) % (rnd(NULL) % 4 ? 64 : 8192);

		if (n > len - off)
			n = len - off;
		feed_checked(c, b + off, n);
		harness_drain(peer);
		off += n;
	}
}

static void test_random_bytes(void **state)
{
	unsigned long iters = fuzz_iters(3000);

	(void)state;
	for (unsigned long it = 0; it < iters; it++) {
		size_t len = rnd(NULL) % 4096;
		struct co_client *c;
		int peer;

		for (size_t i = 0; i < len; i++)
			stream[i] = rnd(NULL);
		/* half the time start with a valid magic to go deeper */
		if (len >= 4 && rnd(NULL) % 2) {
			uint32_t magic = DMTCP_MSG_MAGIC;

			memcpy(stream, &magic, 4);
			if (len >= 6 && rnd(NULL) % 2) {
				uint16_t v = DMTCP_PROTO_VERSION;

				memcpy(stream + 4, &v, 2);
			}
		}
		c = harness_client(&peer);
		assert_non_null(c);
		feed_chunks(c, peer, stream, len);
		harness_sweep();
		harness_reset();
		close(peer);
	}
}

static void mutate(unsigned char *b, size_t *len, size_t cap)
{
	unsigned k = 1 + rnd(NULL) % 8;

	for (unsigned i = 0; i < k && *len; i++) {
		size_t at = rnd(NULL) % *len;

		switch (rnd(NULL) % 6) {
		case 0:		/* flip a bit */
			b[at] ^= 1u << (rnd(NULL) % 8);
			break;
		case 1:		/* interesting byte */
			b[at] = (unsigned char[]){ 0, 0xff, 0x7f, 0x80, 1 }
				[rnd(NULL) % 5];
			break;
		case 2:		/* truncate */
			*len = at;
			break;
		case 3:		/* insert random bytes */
		{
			size_t n = 1 + rnd(NULL) % 16;

			if (*len + n > cap)
				break;
			memmove(b + at + n, b + at, *len - at);
			for (size_t j = 0; j < n; j++)
				b[at + j] = rnd(NULL);
			*len += n;
			break;
		}
		case 4:		/* repeat a slice */
		{
			size_t n = 1 + rnd(NULL) % 128;

			if (at + n > *len || *len + n > cap)
				break;
			memmove(b + at + n, b + at, *len - at);
			*len += n;
			break;
		}
		default:	/* a payload_len / type / arg field */
			if (*len >= sizeof(struct dmtcp_msg)) {
				uint32_t v = rnd(NULL);
				size_t f = (size_t[]){ 6, 8, 16, 24 }
					[rnd(NULL) % 4];

				memcpy(b + f, &v, f == 6 ? 2 : 4);
			}
			break;
		}
	}
}

static void test_mutated_sessions(void **state)
{
	unsigned long iters = fuzz_iters(3000);

	(void)state;
	for (unsigned long it = 0; it < iters; it++) {
		enum { NC = 4 };
		static unsigned char bufs[NC][32 * 1024];
		struct co_client *cl[NC];
		size_t len[NC], off[NC];
		int peer[NC], n = 1 + rnd(NULL) % NC, live;

		for (int i = 0; i < n; i++) {
			len[i] = harness_session(bufs[i], sizeof(bufs[i]), rnd,
						 NULL);
			if (rnd(NULL) % 4)
				mutate(bufs[i], &len[i], sizeof(bufs[i]));
			off[i] = 0;
			cl[i] = harness_client(&peer[i]);
			assert_non_null(cl[i]);
		}
		/* interleave the clients' streams in random chunks */
		do {
			live = 0;
			for (int i = 0; i < n; i++) {
				size_t k;
				int gone = 1;

				for (size_t j = 0; j < co_nclients; j++)
					if (co_clients[j] == cl[i])
						gone = 0;
				if (gone || off[i] >= len[i])
					continue;
				k = 1 + rnd(NULL) % 200;
				if (k > len[i] - off[i])
					k = len[i] - off[i];
				feed_checked(cl[i], bufs[i] + off[i], k);
				off[i] += k;
				harness_drain(peer[i]);
				live++;
			}
			harness_sweep();
			co_tick(co_now_ms() + (rnd(NULL) % 8 ? 0 : 60000));
			harness_sweep();
		} while (live);
		harness_reset();
		for (int i = 0; i < n; i++)
			close(peer[i]);
	}
}

int main(void)
{
	const char *e = getenv("DMTCP_FUZZ_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junk_dropped_after_4_bytes),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_truncated_waits),
		cmocka_unit_test(test_split_invariance),
		cmocka_unit_test(test_preauth_oversize),
		cmocka_unit_test(test_preauth_message_before_hello),
		cmocka_unit_test(test_preauth_hello_then_commands),
		cmocka_unit_test(test_pending_bound),
		cmocka_unit_test(test_preauth_log_rate_limited),
		cmocka_unit_test(test_hello_control_chars),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_mutated_sessions),
	};

	rng_state = e && *e ? strtoull(e, NULL, 0) :
		(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (!rng_state)
		rng_state = 1;
	printf("# DMTCP_FUZZ_SEED=%llu (set it to replay this run)\n",
	       (unsigned long long)rng_state);
	harness_verbose = getenv("DMTCP_FUZZ_VERBOSE") != NULL;
	return cmocka_run_group_tests(tests, setup, teardown);
}
