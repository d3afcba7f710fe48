/*
 * fd/buf.h - the sizes of the descriptors' buffers, pure arithmetic
 * (fd/buf.c, tested by tests/unit/test_fd_buf.c): the sk-queue buffers
 * (fd/sk-queue.c, whole pages of an anonymous mapping) and the fd data
 * area (dmtcp_ps.pipe_data, DMTCP_FD_DATA_MAX bytes, fds.c) that pipes,
 * sockets, epoll and message queues fill at checkpoint time.
 */
#ifndef DMTCP_PRELOAD_FD_BUF_H
#define DMTCP_PRELOAD_FD_BUF_H

#include <stdint.h>

#include "base/state.h"

#define DMTCP_SKQ_PAGE 4096u

/* The bytes mapped for an sk-queue buffer of cap bytes: whole pages, at
   least one (cap 0 is a buffer of one byte). */
uint64_t dmtcp_skq_span(uint64_t cap) HIDDEN;
/* A buffer of cap bytes holding len must take more: 0 when it has the
   room, else the new capacity (len + more, at least twice cap). */
uint64_t dmtcp_skq_want(uint64_t cap, uint64_t len, uint64_t more) HIDDEN;

/* The fd data area with used bytes taken: how many are free, and
   whether more bytes fit. */
uint64_t dmtcp_fd_data_room(uint64_t used) HIDDEN;
int dmtcp_fd_data_fits(uint64_t used, uint64_t more) HIDDEN;

#endif /* DMTCP_PRELOAD_FD_BUF_H */
