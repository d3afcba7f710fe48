# tests/unit/inspect.mk: unit tests of dmtcp_inspect's memory reader,
# session and helpers (inspect/), on the synthetic images of
# test_image_util.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_inspect_mem \
	tests/unit/test_inspect_session tests/unit/test_inspect_expr \
	tests/unit/test_inspect_secret tests/unit/test_inspect_core \
	tests/unit/test_inspect_snapdir

# the snapshots of a timeline directory (timeline, bisect)
tests_unit_test_inspect_snapdir_SOURCES = tests/unit/test_inspect_snapdir.c \
	inspect/snapdir.c inspect/snapdir.h inspect/out.c inspect/inspect.h \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_inspect_snapdir_CFLAGS = $(tests_unit_test_inspect_mem_CFLAGS)
tests_unit_test_inspect_snapdir_LDADD = $(tests_unit_test_inspect_mem_LDADD)

# core of a crash image: NT_SIGINFO, the crashing thread first
tests_unit_test_inspect_core_SOURCES = tests/unit/test_inspect_core.c \
	inspect/cmd-core.c inspect/secret.c \
	inspect/session.c inspect/session.h inspect/chain.c \
	inspect/dwfl-session.c inspect/dwfl-session.h \
	inspect/mem.c inspect/mem.h inspect/out.c inspect/buildid.c \
	inspect/inspect.h \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_inspect_core_CFLAGS = $(tests_unit_test_inspect_mem_CFLAGS)
tests_unit_test_inspect_core_LDADD = lib/libdmtcpcommon.a \
	$(tests_unit_test_inspect_mem_LDADD)

# secret names, values hidden and masked (inspect/secret.c)
tests_unit_test_inspect_secret_SOURCES = tests/unit/test_inspect_secret.c \
	inspect/secret.c inspect/inspect.h
tests_unit_test_inspect_secret_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_inspect_secret_LDADD = $(CMOCKA_LIBS)

# the C expression lexer and parser of print and bisect (pure)
tests_unit_test_inspect_expr_SOURCES = tests/unit/test_inspect_expr.c \
	inspect/expr-lex.c inspect/expr-parse.c inspect/expr.h
tests_unit_test_inspect_expr_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_inspect_expr_LDADD = $(CMOCKA_LIBS)

tests_unit_test_inspect_mem_SOURCES = tests/unit/test_inspect_mem.c \
	inspect/mem.c inspect/mem.h inspect/out.c inspect/buildid.c \
	inspect/inspect.h \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_inspect_mem_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(ZLIB_CFLAGS) $(LIBDW_CFLAGS) $(LIBELF_CFLAGS)
tests_unit_test_inspect_mem_LDADD = lib/libdmtcpimage.a \
	$(ZLIB_LIBS) $(LIBDW_LIBS) $(LIBELF_LIBS) $(CMOCKA_LIBS)

tests_unit_test_inspect_session_SOURCES = \
	tests/unit/test_inspect_session.c \
	inspect/session.c inspect/session.h inspect/chain.c \
	inspect/dwfl-session.c inspect/dwfl-session.h \
	inspect/mem.c inspect/mem.h inspect/out.c inspect/buildid.c \
	inspect/inspect.h \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_inspect_session_CFLAGS = \
	$(tests_unit_test_inspect_mem_CFLAGS)
tests_unit_test_inspect_session_LDADD = $(tests_unit_test_inspect_mem_LDADD)
endif
