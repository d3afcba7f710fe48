# inspect: dmtcp_inspect, the offline checkpoint-image inspector
# (info, threads, maps, fds, env, auxv, symbol, backtrace, core, diff,
# merge, print, timeline, bisect).
# Reads images with the image library; libdw/libelf for symbols,
# unwinding and core files.
bin_PROGRAMS += bin/dmtcp_inspect
bin_dmtcp_inspect_SOURCES = \
	inspect/main.c inspect/inspect.h inspect/out.c \
	inspect/secret.c inspect/buildid.c \
	inspect/mem.c inspect/mem.h \
	inspect/dwfl-session.c inspect/dwfl-session.h \
	inspect/session.c inspect/session.h \
	inspect/cmd-info.c inspect/cmd-threads.c inspect/cmd-maps.c \
	inspect/cmd-fds.c inspect/cmd-env.c inspect/cmd-auxv.c \
	inspect/cmd-symbol.c inspect/cmd-backtrace.c inspect/cmd-core.c \
	inspect/cmd-diff.c inspect/cmd-merge.c inspect/chain.c \
	inspect/expr.h inspect/expr-lex.c inspect/expr-parse.c \
	inspect/eval.h inspect/expr-eval.c inspect/expr-print.c \
	inspect/dwarf-type.c inspect/dwarf-sym.c inspect/cmd-print.c \
	inspect/cmd-timeline.c inspect/cmd-bisect.c \
	inspect/snapdir.c inspect/snapdir.h
bin_dmtcp_inspect_CPPFLAGS = $(AM_CPPFLAGS) $(ZLIB_CFLAGS) \
	$(LIBDW_CFLAGS) $(LIBELF_CFLAGS)
bin_dmtcp_inspect_LDADD = lib/libdmtcpimage.a lib/libdmtcpcommon.a \
	$(ZLIB_LIBS) $(LIBDW_LIBS) $(LIBELF_LIBS)
EXTRA_DIST += doc/dmtcp_inspect.1
