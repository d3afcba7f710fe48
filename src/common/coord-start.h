/*
 * coord-start.h - make sure a coordinator is there (dmtcp_launch,
 * dmtcp_restart).
 */
#ifndef DMTCP_COORD_START_H
#define DMTCP_COORD_START_H

#include <stddef.h>

enum coord_mode {
	COORD_AUTO = 0,	/* connect; start one if none listens on a local host */
	COORD_NEW = 1,	/* start a new one (port 0: any free port) */
	COORD_JOIN = 2,	/* only connect; error if none */
};

/*
 * Ensure a coordinator listens at host:*port.  A coordinator started here
 * runs `dmtcp_coordinator --daemon --exit-on-last -p PORT` (plus
 * --interval when interval >= 0 and --ckptdir when ckptdir is non-NULL),
 * found next to the running executable or in PATH.  With COORD_NEW and
 * *port == 0 the port it chose is written back to *port.  Every wait is
 * bounded (5 s).  Returns 0, or -1 with a message for the user in err.
 */
int coord_ensure(const char *host, int *port, int mode, int interval,
		 const char *ckptdir, char *err, size_t errcap);

/* 1 if host names this machine (localhost, 127.x, ::1, our hostname). */
int coord_host_is_local(const char *host);

#endif /* DMTCP_COORD_START_H */
