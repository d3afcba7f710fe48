/*
 * fd_kind_stubs.c - what the descriptor kinds' files (src/preload/fd/
 * pty.c, pipe.c, socket.c, anon.c, mqueue.c, file.c, path.c) call in the
 * rest of the library, for test_fd_kinds, which links the real table
 * and the real entries but asks only which kind a record is: their
 * hooks never run, and these abort if one ever does.
 */
#include "config.h"

#include <stdlib.h>

#include "fd/kind.h"
#include "fd/socket.h"

#define NOT_CALLED abort()

struct dmtcp_thread dmtcp_threads[DMTCP_MAX_THREADS];

/* fd/fds.c */
int dmtcp_fd_same_file(const struct dmtcp_fdrec *f) { (void)f; NOT_CALLED; }
int dmtcp_fd_reopen_or_warn(const struct dmtcp_fdrec *f)
{
	(void)f;
	NOT_CALLED;
}

/* fd/timers.c */
int dmtcp_fdt_capture(struct dmtcp_fdrec *r) { (void)r; NOT_CALLED; }
void dmtcp_fdt_check_socket(struct dmtcp_fdrec *r) { (void)r; NOT_CALLED; }
int dmtcp_fdt_restore(const struct dmtcp_fdrec *r) { (void)r; NOT_CALLED; }
int dmtcp_fdt_refused(char *err, size_t cap)
{
	(void)err;
	(void)cap;
	NOT_CALLED;
}
void dmtcp_fdt_capture_end(void) { NOT_CALLED; }

/* fd/sk-queue.c */
char *dmtcp_skq_alloc(uint64_t cap) { (void)cap; NOT_CALLED; }
char *dmtcp_skq_grow(char *buf, uint64_t old, uint64_t cap)
{
	(void)buf;
	(void)old;
	(void)cap;
	NOT_CALLED;
}
void dmtcp_skq_release(char *buf, uint64_t cap)
{
	(void)buf;
	(void)cap;
	NOT_CALLED;
}
struct skq *dmtcp_skq_new(int kind) { (void)kind; NOT_CALLED; }
struct skq *dmtcp_skq_find(int kind, uint64_t ino)
{
	(void)kind;
	(void)ino;
	NOT_CALLED;
}
struct skq *dmtcp_skq_find_img(int kind, uint64_t img_ino)
{
	(void)kind;
	(void)img_ino;
	NOT_CALLED;
}
void dmtcp_skq_drop(struct skq *q) { (void)q; NOT_CALLED; }
void dmtcp_skq_each(int (*fn)(struct skq *q, void *arg), void *arg)
{
	(void)fn;
	(void)arg;
	NOT_CALLED;
}
int dmtcp_skq_settle(void) { NOT_CALLED; }
