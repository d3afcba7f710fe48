/*
 * wrap/exit.c - _exit and _Exit (exit() runs our atexit handler and
 * destructors, these do not): before the process ends, the bytes of a
 * checkpoint still to be sent again on its sockets go out (bounded,
 * fd/sk-queue.c), and a forked checkpoint whose image is still being
 * written gets its verdict (ckpt/bgwrite.c), so a short-lived process
 * that ends right after a checkpoint does not fail it.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "fd/socket.h"
#include "base/real.h"

#include <stdlib.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

static void before_exit(void)
{
	dmtcp_skq_flush_at_exit();
	dmtcp_bg_wait_idle();
}

API void _exit(int status)
{
	before_exit();
	REAL(_exit)(status);
	__builtin_unreachable();
}

API void _Exit(int status)
{
	before_exit();
	REAL(_Exit)(status);
	__builtin_unreachable();
}
