/*
 * fuzz_coord_input.c - libFuzzer target for the coordinator's message
 * decoder and dispatcher (see coord-harness.c).  Build with
 * `make fuzz-coord` (clang only), run e.g.
 *   tests/fuzz/fuzz_coord_input -max_total_time=60
 * The first byte picks the session: 0 raw bytes, 1 after a valid command
 * hello, 2 after a valid worker hello; the second byte the chunk size.
 */
#include "config.h"
#include "coord-harness.h"

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char hello[8192];
	struct co_client *c;
	size_t chunk, off = 0, n = 0;
	int peer;

	if (size < 2)
		return 0;
	harness_init();
	c = harness_client(&peer);
	if (!c)
		return 0;
	if (data[0] % 3 == 1)
		n = harness_hello(hello, sizeof(hello),
				  DMTCP_MSG_HELLO_COMMAND, 0, "", 0);
	else if (data[0] % 3 == 2)
		n = harness_hello(hello, sizeof(hello),
				  DMTCP_MSG_HELLO_WORKER, 0, "", 0);
	chunk = 1 + data[1] * 16;
	data += 2;
	size -= 2;
	if (n)
		co_client_feed(c, hello, n);
	while (off < size && !c->closing) {
		size_t k = size - off < chunk ? size - off : chunk;
		const char *why;

		co_client_feed(c, data + off, k);
		if (harness_check(c, &why) < 0)
			__builtin_trap();
		harness_drain(peer);
		off += k;
	}
	harness_sweep();
	harness_reset();
	close(peer);
	return 0;
}
