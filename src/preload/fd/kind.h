/*
 * fd/kind.h - one kind of descriptor: everything the checkpoint and the
 * restart do with it that is particular to it.  fds.c records what every
 * descriptor has (number, path, flags, offset, which other fd shares its
 * open file description, the owner election) and calls the kinds through
 * the table in fd/kinds.c, in its order.  Any hook may be NULL.
 *
 * Adding a kind: write fd/NAME.c with `const struct fd_kind fd_kind_NAME`
 * (its private state static in that file), declare it at the end of this
 * header, and add it to the table in fd/kinds.c.
 */
#ifndef DMTCP_PRELOAD_FD_KIND_H
#define DMTCP_PRELOAD_FD_KIND_H

#include <stddef.h>

#include "fd/fd.h"

/* the image's fd kinds (img_fd.kind) an entry handles: FD_KINDS(IMG_FD_X) */
#define FD_KINDS(k) (1u << (k))

struct fd_kind {
	const char *name;			/* for messages */
	/* after capture: r is of this kind when r->rec.kind is in kinds,
	   or, for a kind that needs more than that, when is(r) says so
	   (the first entry that says yes handles r from then on) */
	unsigned kinds;
	int (*is)(const struct dmtcp_fdrec *r);
	/* checkpoint, every recorded fd in turn (a kind ignores those that
	   are not its own), then once after them all */
	void (*capture)(struct dmtcp_fdrec *r);
	void (*capture_end)(void);
	/* 1 and a message when some fd of the kind cannot be checkpointed */
	int (*refused)(char *err, size_t cap);
	/* r's description may be shared with other processes: it takes
	   part in the owner election (F_SETOWN, fds.c) */
	int (*electable)(const struct dmtcp_fdrec *r);
	/* after the election, for each fd this process owns: save what is
	   in flight (and put it straight back); then once; then after the
	   drain barrier */
	void (*drain)(struct dmtcp_fdrec *r);
	void (*drain_end)(void);
	void (*drain_done)(void);
	/* restart: 1 when r is back already (dmtcp_restart placed it, or
	   the kind made it with its peers); inherited: something is open
	   at r's number */
	int (*prepared)(const struct dmtcp_fdrec *r, int inherited);
	/* restart: a new descriptor for r (fds.c puts it at r's number),
	   or -1 (then a placeholder stands in) */
	int (*restore)(const struct dmtcp_fdrec *r);
	/* restart, after every fd is back: for each fd, then once */
	void (*late)(const struct dmtcp_fdrec *r);
	void (*late_end)(void);
};

/* fd/kinds.c: the table, in the order the kinds are asked */
extern const struct fd_kind *const dmtcp_fd_kinds[] HIDDEN;
extern const size_t dmtcp_fd_nkinds HIDDEN;
const struct fd_kind *dmtcp_fd_kind_of(const struct dmtcp_fdrec *r) HIDDEN;
int dmtcp_fd_kind_always(const struct dmtcp_fdrec *r) HIDDEN;

/* fds.c: shared by the kinds that reopen by path */
int dmtcp_fd_same_file(const struct dmtcp_fdrec *f) HIDDEN;
int dmtcp_fd_reopen(const struct dmtcp_fdrec *f) HIDDEN;	/* or -1 */
int dmtcp_fd_reopen_or_warn(const struct dmtcp_fdrec *f) HIDDEN;

/* the kinds, one file each */
extern const struct fd_kind fd_kind_pty HIDDEN;		/* pty.c */
extern const struct fd_kind fd_kind_pipe HIDDEN;	/* pipe.c */
extern const struct fd_kind fd_kind_socket HIDDEN;	/* socket.c */
extern const struct fd_kind fd_kind_anon HIDDEN;	/* anon.c */
extern const struct fd_kind fd_kind_mqueue HIDDEN;	/* mqueue.c */
extern const struct fd_kind fd_kind_file HIDDEN;	/* file.c */
extern const struct fd_kind fd_kind_path HIDDEN;	/* path.c */

#endif /* DMTCP_PRELOAD_FD_KIND_H */
