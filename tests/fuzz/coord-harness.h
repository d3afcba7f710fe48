/*
 * coord-harness.h - the coordinator's decoder and dispatcher without
 * its event loop, for fuzzing (see coord-harness.c).
 */
#ifndef DMTCP_COORD_HARNESS_H
#define DMTCP_COORD_HARNESS_H

#include "coord.h"

#include <stddef.h>
#include <stdint.h>

#define HARNESS_SECRET "00112233445566778899aabbccddeeff"

extern unsigned long harness_events;	/* co_event() calls */
extern int harness_verbose;		/* print them on stderr */

void harness_init(void);
/* Drop every client and start again from a fresh coordinator state. */
void harness_reset(void);
/* A new client on a socketpair; *peer_fd is the other end. */
struct co_client *harness_client(int *peer_fd);
/* Read and discard what the coordinator sent; returns the byte count. */
size_t harness_drain(int peer_fd);
/* Free dropped clients, as the event loop's sweep does. */
void harness_sweep(void);
/* Encode one message / a hello into buf; returns its size or 0. */
size_t harness_msg(unsigned char *buf, size_t cap, uint16_t type,
		   uint64_t arg0, uint64_t arg1, const void *payload,
		   size_t len);
size_t harness_hello(unsigned char *buf, size_t cap, uint16_t type,
		     uint32_t flags, const char *comp_id, uint32_t num_peers);
/* A hello and a run of valid messages chosen by rnd(arg). */
size_t harness_session(unsigned char *buf, size_t cap,
		       unsigned (*rnd)(void *), void *arg);
/* Invariants of a client after its input was parsed; 0 or -1 + why. */
int harness_check(const struct co_client *c, const char **why);

#endif /* DMTCP_COORD_HARNESS_H */
