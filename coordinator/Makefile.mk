# coordinator: dmtcp_coordinator, one event loop (see coordinator/coord.h)
bin_PROGRAMS += bin/dmtcp_coordinator
bin_dmtcp_coordinator_SOURCES = \
	coordinator/coord.h \
	coordinator/main.c \
	coordinator/options.c \
	coordinator/state.c \
	coordinator/loop.c \
	coordinator/input.c \
	coordinator/clients.c \
	coordinator/limits.c \
	coordinator/pending.c \
	coordinator/dispatch.c \
	coordinator/ckpt.c \
	coordinator/txn.c \
	coordinator/gens.c \
	coordinator/reap.c \
	coordinator/commands.c \
	coordinator/reply.c \
	coordinator/console.c \
	coordinator/console-out.c \
	coordinator/script.c \
	coordinator/services.c \
	coordinator/textbuf.c
bin_dmtcp_coordinator_CFLAGS = $(AM_CFLAGS) $(READLINE_CFLAGS)
bin_dmtcp_coordinator_CPPFLAGS = $(AM_CPPFLAGS) $(ZLIB_CFLAGS)
bin_dmtcp_coordinator_LDADD = lib/libdmtcpcommon.a $(IMG_LIBS) \
	$(READLINE_LIBS)
