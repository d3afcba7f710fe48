/*
 * ipc/ipc.h - SysV shared memory, semaphores and message queues the
 * process uses (ipc/sysv.c, doc/ipc.md): their wrappers record them,
 * and the image writer saves them in a side file.  Rule: ipc/ uses
 * base/ and threads/ only.
 */
#ifndef DMTCP_PRELOAD_IPC_H
#define DMTCP_PRELOAD_IPC_H

#include <stddef.h>

#include "base/state.h"
#include "threads/threads.h"

/* Save the objects next to image (the .ipc side file): 0 none, 1 saved,
   -1 and a message in err. */
int dmtcp_ipc_save(const char *image, char *err, size_t errcap) HIDDEN;

#endif /* DMTCP_PRELOAD_IPC_H */
