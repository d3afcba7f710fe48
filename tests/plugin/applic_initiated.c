/*
 * applic_initiated.c - an application that checkpoints itself:
 * dmtcp_checkpoint() returns DMTCP_AFTER_CHECKPOINT in the running
 * process and DMTCP_AFTER_RESTART when the image it wrote is restarted
 * (tests/e2e/test-plugin-applic.sh).  It computes a value before the
 * checkpoint and checks it after.
 */
#include "../progs/testprog.h"

int main(void)
{
	uint64_t seed = 42, sum = 0, check = 42, again = 0;
	int rc;

	tp_init("applic_initiated");
	TP_CHECK(dmtcp_is_enabled(), "not under dmtcp_launch");
	for (int i = 0; i < 100000; i++)
		sum += tp_rand(&seed);
	rc = dmtcp_checkpoint();
	for (int i = 0; i < 100000; i++)
		again += tp_rand(&check);
	TP_CHECK(again == sum, "sum changed across the checkpoint");
	if (rc == DMTCP_AFTER_CHECKPOINT)
		printf("applic_initiated: after checkpoint sum=%llx\n",
		       (unsigned long long)sum);
	else if (rc == DMTCP_AFTER_RESTART)
		printf("applic_initiated: after restart sum=%llx\n",
		       (unsigned long long)sum);
	else
		tp_fail("dmtcp_checkpoint returned %d", rc);
	fflush(stdout);
	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(10);
	tp_pass();
}
