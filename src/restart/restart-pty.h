/* restart-pty.h - pty pairs recreated by dmtcp_restart (restart-pty.c). */
#ifndef DMTCP_RESTART_PTY_H
#define DMTCP_RESTART_PTY_H

#include <stddef.h>

struct img_meta;
struct img_meta_fd;

/* One new pair per pty master number in the images; 0 or -1 (err). */
int rst_pty_prepare(struct img_meta **metas, int n, char *err, size_t errcap);
/* The prepared fd to put at f's number (master or slave), or -1. */
int rst_pty_for(const struct img_meta_fd *f);
void rst_pty_close(void);
/*
 * In a new session leader, before it creates its children: the slave
 * of a recreated pair that it holds becomes its controlling terminal.
 */
void rst_pty_ctty(const struct img_meta *m);

#endif
