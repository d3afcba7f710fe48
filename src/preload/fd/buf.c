/*
 * fd/buf.c - the sizes of the descriptors' buffers (fd/buf.h): page
 * rounding and growth of the sk-queue buffers, room left in the fd data
 * area.
 */
#include "config.h"
#include "fd/buf.h"

uint64_t dmtcp_skq_span(uint64_t cap)
{
	if (!cap)
		cap = 1;
	return (cap + DMTCP_SKQ_PAGE - 1) & ~(uint64_t)(DMTCP_SKQ_PAGE - 1);
}

uint64_t dmtcp_skq_want(uint64_t cap, uint64_t len, uint64_t more)
{
	uint64_t want = len + more;

	if (want <= cap)
		return 0;
	return want < 2 * cap ? 2 * cap : want;
}

uint64_t dmtcp_fd_data_room(uint64_t used)
{
	return used >= DMTCP_FD_DATA_MAX ? 0 : DMTCP_FD_DATA_MAX - used;
}

int dmtcp_fd_data_fits(uint64_t used, uint64_t more)
{
	return used <= DMTCP_FD_DATA_MAX && more <= DMTCP_FD_DATA_MAX - used;
}
