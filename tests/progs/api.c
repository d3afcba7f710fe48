/*
 * api.c - checkpoint test of the application API in dmtcp.h.
 *  - Without the tool: dmtcp_is_enabled() is 0 and every call returns
 *    DMTCP_NOT_PRESENT.
 *  - Under the tool: before READY the program checkpoints itself with
 *    dmtcp_checkpoint(): DMTCP_AFTER_CHECKPOINT in the running process
 *    (checkpoint count +1), DMTCP_AFTER_RESTART when a restart resumes
 *    from that image (restart count +1); the result is printed as
 *    "api: self-checkpoint returned after_checkpoint|after_restart".
 *  - Critical sections: the loop spends most of its time between
 *    dmtcp_disable_ckpt() and dmtcp_enable_ckpt() (nested twice).  No
 *    checkpoint may be taken inside: the checkpoint and restart counts
 *    must not change between entering and leaving the section.
 *  - At the end (under the tool) it checkpoints itself once more and
 *    expects DMTCP_AFTER_CHECKPOINT.
 */
#include "testprog.h"

static const char *rname(int r)
{
	switch (r) {
	case DMTCP_AFTER_CHECKPOINT: return "after_checkpoint";
	case DMTCP_AFTER_RESTART: return "after_restart";
	case DMTCP_NOT_PRESENT: return "not_present";
	default: return "error";
	}
}

static void critical_section(int enabled, long *sections)
{
	int c0, r0, c1, r1, rc;

	rc = dmtcp_disable_ckpt();
	if (rc != (enabled ? 1 : DMTCP_NOT_PRESENT))
		tp_fail("dmtcp_disable_ckpt() = %d", rc);
	rc = dmtcp_disable_ckpt();	/* nested */
	if (rc != (enabled ? 1 : DMTCP_NOT_PRESENT))
		tp_fail("nested dmtcp_disable_ckpt() = %d", rc);
	tp_status(&c0, &r0);
	tp_sleep_ms(20);
	rc = dmtcp_enable_ckpt();	/* still disabled: one level left */
	if (rc != (enabled ? 1 : DMTCP_NOT_PRESENT))
		tp_fail("inner dmtcp_enable_ckpt() = %d", rc);
	tp_sleep_ms(20);
	tp_status(&c1, &r1);
	if (c1 != c0 || r1 != r0)
		tp_fail("checkpoint taken inside a dmtcp_disable_ckpt() "
			"section: ckpts %d -> %d, restarts %d -> %d", c0, c1,
			r0, r1);
	rc = dmtcp_enable_ckpt();
	if (rc != (enabled ? 1 : DMTCP_NOT_PRESENT))
		tp_fail("dmtcp_enable_ckpt() = %d", rc);
	(*sections)++;
}

int main(void)
{
	int enabled, c0, r0, c1, r1, rc;
	long sections = 0;

	tp_init("api");
	enabled = dmtcp_is_enabled();
	if (enabled != 0 && enabled != 1)
		tp_fail("dmtcp_is_enabled() = %d", enabled);
	if (!enabled) {
		int a = -1, b = -1;

		if (dmtcp_checkpoint() != DMTCP_NOT_PRESENT)
			tp_fail("dmtcp_checkpoint() without the tool");
		if (dmtcp_get_local_status(&a, &b) != DMTCP_NOT_PRESENT)
			tp_fail("dmtcp_get_local_status() without the tool");
		if (dmtcp_get_coordinator_status(&a, &b) != DMTCP_NOT_PRESENT)
			tp_fail("dmtcp_get_coordinator_status() without the "
				"tool");
		printf("api: tool not present\n");
	} else {
		int peers = 0, running = 0;

		rc = dmtcp_get_coordinator_status(&peers, &running);
		if (rc != DMTCP_IS_PRESENT || peers < 1 || !running)
			tp_fail("dmtcp_get_coordinator_status() = %d, peers "
				"%d, running %d", rc, peers, running);
		tp_status(&c0, &r0);
		rc = dmtcp_checkpoint();
		tp_status(&c1, &r1);
		if (rc == DMTCP_AFTER_CHECKPOINT) {
			if (c1 != c0 + 1 || r1 != r0)
				tp_fail("after dmtcp_checkpoint(): ckpts %d -> "
					"%d, restarts %d -> %d", c0, c1, r0,
					r1);
		} else if (rc == DMTCP_AFTER_RESTART) {
			if (r1 != r0 + 1 || c1 != c0 + 1)
				tp_fail("after restart from dmtcp_checkpoint():"
					" ckpts %d -> %d, restarts %d -> %d",
					c0, c1, r0, r1);
		} else {
			tp_fail("dmtcp_checkpoint() = %d", rc);
		}
		printf("api: self-checkpoint returned %s\n", rname(rc));
		fflush(stdout);
	}
	tp_ready();

	while (!tp_should_stop()) {
		critical_section(enabled, &sections);
		tp_sleep_ms(5);
	}

	if (enabled) {
		tp_status(&c0, &r0);
		rc = dmtcp_checkpoint();
		tp_status(&c1, &r1);
		if (rc != DMTCP_AFTER_CHECKPOINT)
			tp_fail("final dmtcp_checkpoint() = %d (%s)", rc,
				rname(rc));
		if (c1 != c0 + 1 || r1 != r0)
			tp_fail("after final dmtcp_checkpoint(): ckpts %d -> "
				"%d, restarts %d -> %d", c0, c1, r0, r1);
	}
	printf("api: %ld critical sections\n", sections);
	tp_pass();
}
