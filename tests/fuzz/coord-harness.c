/*
 * coord-harness.c - runs the coordinator's message decoder and
 * dispatcher (coordinator/input.c, dispatch.c, ckpt.c, commands.c,
 * clients.c) without its event loop, for the fuzz tests: the cmocka test
 * tests/unit/test_coord_fuzz.c and the libFuzzer target
 * tests/fuzz/fuzz_coord_input.c.
 *
 * state.c (the state and its log), console-out.c, script.c and gens.c
 * are replaced by the stubs below.
 * Clients are socketpairs: the coordinator writes its replies to one end,
 * the harness drains the other.  harness_feed() plays the event loop's
 * part: bytes in, then the sweep that frees dropped clients.
 */
#include "config.h"
#include "coord-harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct co_state co;
unsigned long harness_events;
int harness_verbose;

void co_event(int important, const char *fmt, ...)
{
	va_list ap;

	(void)important;
	harness_events++;
	if (!harness_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void co_console_write(FILE *f, const char *text)
{
	(void)f;
	(void)text;
}

void co_console_print(const char *text)
{
	(void)text;
}

int co_write_restart_script(char *path_out, size_t cap, char *why,
			    size_t whycap)
{
	(void)why;
	(void)whycap;
	snprintf(path_out, cap, "(restart script not written: fuzz harness)");
	return 0;
}

void co_script_prepare(char *const *paths, size_t n)
{
	(void)paths;
	(void)n;
}

void co_script_unprepare(void)
{
}

/* gens.c touches files named by the messages: not from fuzzed input */
void co_gens_discard(char *const *paths, size_t n)
{
	(void)paths;
	(void)n;
}

void co_gens_committed_set(uint32_t gen, char *const *paths, size_t n)
{
	(void)gen;
	(void)paths;
	(void)n;
}

void co_gens_restarted(uint32_t gen, char *const *paths, size_t n)
{
	(void)gen;
	(void)paths;
	(void)n;
}

uint32_t co_gens_newest(void)
{
	return 0;
}

uint32_t co_gens_newest_near(char *const *paths, size_t n)
{
	(void)paths;
	(void)n;
	return 0;
}

void harness_init(void)
{
	static const char secret[] = HARNESS_SECRET;

	memset(&co, 0, sizeof(co));
	co.listen_fd = -1;
	co.next_client_id = 1;
	co.port = 7779;
	snprintf(co.host, sizeof(co.host), "localhost");
	snprintf(co.hostname, sizeof(co.hostname), "fuzzhost");
	memcpy(co.secret, secret, sizeof(co.secret));
	snprintf(co.ckpt_dir, sizeof(co.ckpt_dir), "/nonexistent");
}

struct co_client *harness_client(int *peer_fd)
{
	struct co_client *c;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) < 0)
		return NULL;
	c = co_client_accept(sv[0], "fuzz");
	if (!c) {
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	*peer_fd = sv[1];
	return c;
}

size_t harness_drain(int peer_fd)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(peer_fd, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

void harness_sweep(void)
{
	size_t i = 0;

	while (i < co_nclients) {
		struct co_client *c = co_clients[i];

		if (c->closing) {
			co_client_gone(c);
			co_client_remove(c);
			continue;
		}
		i++;
	}
}

void harness_reset(void)
{
	while (co_nclients) {
		co_client_gone(co_clients[0]);
		co_client_remove(co_clients[0]);
	}
	co_txn_free(&co.txn);
	/* the client table itself is kept: clients.c owns its capacity */
	harness_init();
}

size_t harness_msg(unsigned char *buf, size_t cap, uint16_t type,
		   uint64_t arg0, uint64_t arg1, const void *payload,
		   size_t len)
{
	struct dmtcp_msg m;

	if (sizeof(m) + len > cap)
		return 0;
	dmtcp_msg_init(&m, type);
	m.arg0 = arg0;
	m.arg1 = arg1;
	m.payload_len = len;
	memcpy(buf, &m, sizeof(m));
	if (len)
		memcpy(buf + sizeof(m), payload, len);
	return sizeof(m) + len;
}

size_t harness_hello(unsigned char *buf, size_t cap, uint16_t type,
		     uint32_t flags, const char *comp_id, uint32_t num_peers)
{
	struct dmtcp_hello h;

	memset(&h, 0, sizeof(h));
	memcpy(h.secret, HARNESS_SECRET, DMTCP_SECRET_LEN);
	h.pid = 4242;
	h.flags = flags;
	h.num_peers = num_peers;
	snprintf(h.hostname, sizeof(h.hostname), "fuzzhost");
	snprintf(h.progname, sizeof(h.progname), "fuzzprog");
	snprintf(h.comp_id, sizeof(h.comp_id), "%s", comp_id);
	snprintf(h.unique_id, sizeof(h.unique_id), "0-4242-0");
	snprintf(h.image, sizeof(h.image), "/tmp/ckpt_fuzz.dmtcp");
	return harness_msg(buf, cap, type, 0, 0, &h, sizeof(h));
}

/*
 * A plausible session: a hello (worker, restarting worker or command)
 * then messages of every type with small arguments.  rnd() supplies the
 * choices so the caller decides where randomness comes from.
 */
size_t harness_session(unsigned char *buf, size_t cap,
		       unsigned (*rnd)(void *), void *arg)
{
	static const char path[] = "/tmp/ckpt_fuzzprog_0-4242-0.dmtcp";
	size_t len = 0, n;
	unsigned kind = rnd(arg) % 3, count = 1 + rnd(arg) % 12;

	if (kind == 0)
		n = harness_hello(buf, cap, DMTCP_MSG_HELLO_WORKER, 0, "", 0);
	else if (kind == 1)
		n = harness_hello(buf, cap, DMTCP_MSG_HELLO_WORKER,
				  DMTCP_HELLO_RESTART, "fuzz-comp",
				  1 + rnd(arg) % 3);
	else
		n = harness_hello(buf, cap, DMTCP_MSG_HELLO_COMMAND, 0, "", 0);
	len += n;
	for (unsigned i = 0; i < count && n; i++) {
		unsigned t = rnd(arg) % 6;

		switch (t) {
		case 0:
			n = harness_msg(buf + len, cap - len,
					DMTCP_MSG_BARRIER, 1 + rnd(arg) % 8, 0,
					NULL, 0);
			break;
		case 1:
			n = harness_msg(buf + len, cap - len,
					DMTCP_MSG_CKPT_WRITTEN, rnd(arg),
					rnd(arg), path, sizeof(path) - 1);
			break;
		case 2:
			n = harness_msg(buf + len, cap - len,
					DMTCP_MSG_WORKER_STATE, rnd(arg) % 6,
					0, NULL, 0);
			break;
		default:
			/* mostly harmless commands; kill/quit now and then */
			n = harness_msg(buf + len, cap - len,
					DMTCP_MSG_COMMAND, 1 + rnd(arg) % 8,
					rnd(arg) % 4 ? rnd(arg) % 100 :
					(uint64_t)-1, NULL, 0);
			break;
		}
		len += n;
	}
	return len;
}

int harness_check(const struct co_client *c, const char **why)
{
	uint32_t magic;

	if (c->in_len > sizeof(struct dmtcp_msg) + DMTCP_MSG_MAX_PAYLOAD) {
		*why = "more than one message of input kept";
		return -1;
	}
	if (c->in_len && c->in_cap <= c->in_len) {
		*why = "no spare byte for the payload terminator";
		return -1;
	}
	if (!c->authed && (c->in_len > CO_PREAUTH_MAX ||
			   c->in_cap > CO_PREAUTH_MAX + 1)) {
		*why = "more than a hello kept for an unauthenticated client";
		return -1;
	}
	if (co_pending_count() > CO_PENDING_MAX) {
		*why = "more pending connections than CO_PENDING_MAX";
		return -1;
	}
	for (size_t i = 0; i < co_nclients; i++) {
		const struct co_client *w = co_clients[i];

		if (esc_mem(NULL, 0, w->host, strlen(w->host),
			    ESC_KEEP_BACKSLASH) != strlen(w->host) ||
		    esc_mem(NULL, 0, w->prog, strlen(w->prog),
			    ESC_KEEP_BACKSLASH) != strlen(w->prog)) {
			*why = "a client's host or program name holds a "
				"control character";
			return -1;
		}
	}
	if (!c->closing && c->in_len >= 4) {
		memcpy(&magic, c->in, 4);
		if (magic != DMTCP_MSG_MAGIC) {
			*why = "a client with junk pending was not dropped";
			return -1;
		}
	}
	if (co.phase != CO_IDLE && co.phase != CO_CKPT &&
	    co.phase != CO_RESTART) {
		*why = "coordinator phase out of range";
		return -1;
	}
	if (co_num_workers() > (int)co_nclients) {
		*why = "more workers than clients";
		return -1;
	}
	return 0;
}
