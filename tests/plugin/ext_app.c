/*
 * ext_app.c - talks to the echo server through fd 100, which the
 * reconnect plugin manages (tests/e2e/test-plugin-reconnect.sh).  Each
 * exchange (send "N", expect "<tag> N") runs inside
 * dmtcp_disable_ckpt()/dmtcp_enable_ckpt(), so a checkpoint never cuts
 * one in half.  After every restart it must complete exchanges again
 * (with whichever server the plugin connected to).
 */
#include "../progs/testprog.h"

#include <fcntl.h>

#define EXT_FD 100

static int exchange(long n)
{
	char out[64], in[128];
	size_t have = 0;
	int len = snprintf(out, sizeof(out), "%ld\n", n);
	char *sp;

	if (write(EXT_FD, out, len) != len)
		tp_fail("write to fd %d: %s", EXT_FD, strerror(errno));
	while (!memchr(in, '\n', have)) {
		ssize_t r = read(EXT_FD, in + have, sizeof(in) - 1 - have);

		if (r <= 0)
			tp_fail("read from fd %d: %s", EXT_FD,
				r ? strerror(errno) : "EOF");
		have += r;
	}
	in[have] = 0;
	sp = strchr(in, ' ');
	TP_CHECK(sp && atol(sp + 1) == n, "sent %ld, got '%s'", n, in);
	return 0;
}

int main(void)
{
	long n = 0, at_restart = -1;
	int c, r, last_r = 0;

	tp_init("ext_app");
	TP_CHECK(fcntl(EXT_FD, F_GETFD) >= 0, "fd %d is not open: is the "
		 "reconnect plugin loaded and ECHO_PORT set?", EXT_FD);
	tp_ready();
	while (!tp_should_stop()) {
		TP_CHECK(dmtcp_disable_ckpt() == 1, "dmtcp_disable_ckpt");
		exchange(++n);
		TP_CHECK(dmtcp_enable_ckpt() == 1, "dmtcp_enable_ckpt");
		tp_status(&c, &r);
		if (r != last_r) {
			last_r = r;
			at_restart = n;
		}
		tp_sleep_ms(20);
	}
	TP_CHECK(last_r == 0 || n > at_restart + 3,
		 "few exchanges after the last restart (%ld of %ld)",
		 n - at_restart, n);
	printf("exchanges=%ld\n", n);
	tp_pass();
}
