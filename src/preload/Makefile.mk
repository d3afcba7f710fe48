# src/preload: lib/libdmtcp.so, the library dmtcp_launch preloads into
# the application.  One folder a layer; a folder calls only the folders
# below it (doc/HACKING.md, checked by tests/check-layers.sh):
#   wrap/    what the application calls: libc wrappers, the dmtcp.h API
#   ckpt/    the checkpoint and restart sequences, the coordinator link
#   plugin/  the plugin registry and the services plugins call
#   image/   memory capture and the image writer
#   fd/      descriptors: one table of kinds (fd/kinds.c)
#   ipc/     SysV shared memory, semaphores, message queues
#   threads/ freezing and restoring threads, critical sections
#   base/    the process's state, the real libc functions, raw syscalls
# Built without the stack protector: its restore path runs before the
# thread pointer (and so the canary) is back.
dmtcplib_PROGRAMS += lib/libdmtcp.so
lib_libdmtcp_so_SOURCES = \
	src/preload/base/state.h src/preload/base/state.c \
	src/preload/base/real.h src/preload/base/real.c \
	src/preload/base/sys.h src/preload/base/procdir.c \
	src/preload/base/timeout.h src/preload/base/timeout.c \
	src/preload/threads/threads.h src/preload/threads/threads.c \
	src/preload/threads/ctx.S src/preload/threads/restore.c \
	src/preload/threads/crit.c \
	src/preload/fd/fd.h src/preload/fd/fds.c \
	src/preload/fd/kind.h src/preload/fd/kinds.c \
	src/preload/fd/buf.h src/preload/fd/buf.c \
	src/preload/fd/pty.c src/preload/fd/pipe.c \
	src/preload/fd/socket.h src/preload/fd/socket.c src/preload/fd/sk-queue.c \
	src/preload/fd/anon.c src/preload/fd/timers.c \
	src/preload/fd/fdinfo.h src/preload/fd/fdinfo.c \
	src/preload/fd/mqueue.c src/preload/fd/file.c src/preload/fd/path.c \
	src/preload/ipc/ipc.h src/preload/ipc/sysv.c \
	src/preload/image/image.h src/preload/image/write.c \
	src/preload/image/dirty.h src/preload/image/dirty.c \
	src/preload/plugin/plugin.h src/preload/plugin/registry.c \
	src/preload/plugin/services.c \
	src/preload/ckpt/ckpt.h src/preload/ckpt/ckpt-thread.c \
	src/preload/ckpt/bgwrite.c \
	src/preload/ckpt/init.c src/preload/ckpt/crash.c \
	src/preload/ckpt/snapinfo.c src/preload/ckpt/snapsig.c \
	src/preload/ckpt/prejoin.c src/preload/ckpt/sentinel.c \
	src/preload/ckpt/procstate.c src/preload/ckpt/steps.c \
	src/preload/wrap/api.c src/preload/wrap/exec.c src/preload/wrap/shell.c \
	src/preload/wrap/exit.c \
	src/preload/wrap/signal.c src/preload/wrap/sleep.c \
	src/preload/wrap/thread.c
# The library's own calls to these names go to libc, never to the
# application-facing wrappers (__wrap_NAME in base/real.c, base/real.h);
# tests/static/test-layers.sh checks that none is left over.
DMTCP_INTERNAL_CALLS = -Wl,--wrap=read -Wl,--wrap=write -Wl,--wrap=writev \
	-Wl,--wrap=recv -Wl,--wrap=sendto -Wl,--wrap=poll \
	-Wl,--wrap=nanosleep -Wl,--wrap=usleep -Wl,--wrap=_exit \
	-Wl,--wrap=execv -Wl,--wrap=signal -Wl,--wrap=sigaction \
	-Wl,--wrap=sigprocmask -Wl,--wrap=pthread_create
lib_libdmtcp_so_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/preload
lib_libdmtcp_so_CFLAGS = $(AM_CFLAGS) -fPIC -fno-stack-protector \
	-fvisibility=hidden -ftls-model=initial-exec -pthread
lib_libdmtcp_so_CCASFLAGS = -fPIC
lib_libdmtcp_so_LDFLAGS = -shared -pthread -Wl,-z,defs -Wl,-z,now \
	$(DMTCP_INTERNAL_CALLS)
lib_libdmtcp_so_LDADD = lib/libdmtcpimage.a lib/libdmtcpcommon.a \
	$(ZLIB_LIBS) -ldl
