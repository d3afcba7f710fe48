/*
 * restart-files.h - regular files at restart (restart-files.c,
 * doc/files.md): deleted files recreated unlinked, missing ones
 * recreated at their path, saved contents put back, shrunk files and
 * placeholders reported (or refused).
 */
#ifndef DMTCP_RESTART_FILES_H
#define DMTCP_RESTART_FILES_H

#include <stddef.h>
#include <stdint.h>

struct img_meta;

/* Before the processes exist (rst_prepare_pipes): 0, or -1 with the
   message in err (--no-placeholder-files, or a system error). */
int rst_prepare_files(struct img_meta **metas, int n, char *err,
		      size_t errcap);
/* The fd of the unlinked file recreated for the deleted file (dev,
   inode), or -1. */
int rst_ghost_fd(uint64_t dev, uint64_t inode);
/* 1 if that ghost may back a MAP_SHARED area (not sealed for writing) */
int rst_ghost_mappable(uint64_t dev, uint64_t inode);
void rst_close_files(void);

#endif /* DMTCP_RESTART_FILES_H */
