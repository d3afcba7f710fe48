/*
 * static_hello.c - built with -static: dmtcp_launch must refuse it with a
 * clear message (it cannot preload into a static program).  It follows the
 * usual protocol so it also PASSes when run without the tool.
 */
#include "testprog.h"

int main(void)
{
	tp_init("static_hello");
	printf("hello from a static program\n");
	tp_ready();
	while (!tp_should_stop())
		tp_sleep_ms(10);
	tp_pass();
}
