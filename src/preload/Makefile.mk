# src/preload: lib/libdmtcp.so, the library dmtcp_launch preloads into
# the application.  Built without the stack protector: its restore path
# runs before the thread pointer (and so the canary) is back.
dmtcplib_PROGRAMS += lib/libdmtcp.so
lib_libdmtcp_so_SOURCES = \
	src/preload/internal.h src/preload/sys.h src/preload/ctx.S \
	src/preload/init.c src/preload/api.c src/preload/threads.c \
	src/preload/ckpt-thread.c src/preload/procstate.c src/preload/fds.c \
	src/preload/write-image.c src/preload/restore.c \
	src/preload/wrappers-signal.c src/preload/wrappers-sleep.c \
	src/preload/crash.c src/preload/wrappers-exec.c \
	src/preload/fd-kinds.c src/preload/procdir.c \
	src/preload/plugins.h src/preload/plugins.c \
	src/preload/internal-plugins.c src/preload/plugin-services.c \
	src/preload/wrappers-thread.c src/preload/prejoin.c \
	src/preload/wrappers-shell.c \
	src/preload/fd-extra.h src/preload/fd-timers.c \
	src/preload/fd-pty.c src/preload/fd-files.c
lib_libdmtcp_so_CFLAGS = $(AM_CFLAGS) -fPIC -fno-stack-protector \
	-fvisibility=hidden -ftls-model=initial-exec -pthread
lib_libdmtcp_so_CCASFLAGS = -fPIC
lib_libdmtcp_so_LDFLAGS = -shared -pthread -Wl,-z,defs -Wl,-z,now
lib_libdmtcp_so_LDADD = lib/libdmtcpimage.a lib/libdmtcpcommon.a \
	$(ZLIB_LIBS) -ldl
# SysV IPC objects, zombie children, POSIX message queues (doc/ipc.md)
lib_libdmtcp_so_SOURCES += src/preload/ipc.c src/preload/mqueue.c
# connected sockets (doc/sockets.md)
lib_libdmtcp_so_SOURCES += src/preload/fd-sockets.c src/preload/fd-sockets.h \
	src/preload/sk-queue.c
# an exec we do not see must not leave the computation silently
lib_libdmtcp_so_SOURCES += src/preload/sentinel.c
