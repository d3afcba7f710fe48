/*
 * applic_delayed.c - an application that delays checkpoints during a
 * critical section with dmtcp_disable_ckpt()/dmtcp_enable_ckpt()
 * (tests/e2e/test-plugin-applic.sh).  Each section lasts ~300 ms and
 * creates the file $TEST_WORKDIR/in_section while it runs; the
 * checkpoint generation must be the same at its end as at its start (a
 * checkpoint requested meanwhile waits until the section is over).
 */
#include "../progs/testprog.h"

#include <fcntl.h>

int main(void)
{
	char flag[4096];
	const char *dir = getenv("TEST_WORKDIR");
	long sections = 0, delayed = 0;
	uint32_t g0;
	int fd;

	tp_init("applic_delayed");
	TP_CHECK(dmtcp_is_enabled(), "not under dmtcp_launch");
	snprintf(flag, sizeof(flag), "%s/in_section", dir ? dir : ".");
	tp_ready();
	while (!tp_should_stop()) {
		TP_CHECK(dmtcp_disable_ckpt() == 1, "dmtcp_disable_ckpt");
		g0 = dmtcp_get_generation();
		fd = open(flag, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
		TP_CHECK(fd >= 0, "%.200s: %s", flag, strerror(errno));
		close(fd);
		tp_sleep_ms(300);
		TP_CHECK(dmtcp_get_generation() == g0,
			 "checkpoint %u happened inside the critical section "
			 "(started at %u)", dmtcp_get_generation(), g0);
		unlink(flag);
		TP_CHECK(dmtcp_enable_ckpt() == 1, "dmtcp_enable_ckpt");
		sections++;
		if (dmtcp_get_generation() != g0)
			delayed++;
		tp_sleep_ms(100);
	}
	printf("sections=%ld checkpoints_right_after_a_section=%ld\n",
	       sections, delayed);
	tp_pass();
}
