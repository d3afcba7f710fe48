# src/restart: dmtcp_restart, the front end of a restart.
bin_PROGRAMS += bin/dmtcp_restart
bin_dmtcp_restart_SOURCES = src/restart/restart.c src/restart/restart.h \
	src/restart/restart-opts.c src/restart/restart-ns.c \
	src/restart/restart-gdb.c src/restart/restart-peers.c \
	src/restart/restart-fds.c \
	src/restart/restart-files.c src/restart/restart-files.h
bin_dmtcp_restart_LDADD = lib/libdmtcpimage.a lib/libdmtcpcommon.a \
	$(ZLIB_LIBS)
# SysV IPC objects and zombie children (doc/ipc.md)
bin_dmtcp_restart_SOURCES += src/restart/restart-ipc.c
# connected sockets (doc/sockets.md)
bin_dmtcp_restart_SOURCES += src/restart/restart-sockets.c \
	src/restart/restart-sockets.h
# pseudo-terminal pairs (src/preload/fd-pty.c)
bin_dmtcp_restart_SOURCES += src/restart/restart-pty.c src/restart/restart-pty.h
