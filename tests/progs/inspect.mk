# tests/progs/inspect.mk: the fixture the dmtcp_inspect tests checkpoint
# (tests/e2e/test-inspect*.sh).  -O0 -g so its functions keep their own
# frames and line tables.
check_PROGRAMS += tests/progs/inspect_fixture
tests_progs_inspect_fixture_SOURCES = tests/progs/inspect_fixture.c \
	tests/progs/testprog.h
tests_progs_inspect_fixture_CFLAGS = $(AM_CFLAGS) -O0 -g \
	-fno-omit-frame-pointer
tests_progs_inspect_fixture_LDADD = -lpthread

# dmtcp_inspect print / bisect / timeline (tests/e2e/test-inspect-print.sh
# and the others): -O0 for known locals, -O2 for an optimized-out one,
# and a -g library with statics it dlopens.
check_PROGRAMS += tests/progs/print_fixture tests/progs/print_fixture_o2 \
	tests/progs/libprintfx.so
tests_progs_print_fixture_SOURCES = tests/progs/print_fixture.c
tests_progs_print_fixture_CFLAGS = $(AM_CFLAGS) -O0 -g
tests_progs_print_fixture_CPPFLAGS = $(AM_CPPFLAGS) -DPRINT_FIXTURE_O0
tests_progs_print_fixture_LDADD = -ldl
tests_progs_print_fixture_o2_SOURCES = tests/progs/print_fixture.c
tests_progs_print_fixture_o2_CFLAGS = $(AM_CFLAGS) -O2 -g
tests_progs_print_fixture_o2_LDADD = -ldl
tests_progs_libprintfx_so_SOURCES = tests/progs/libprintfx.c
tests_progs_libprintfx_so_CFLAGS = $(AM_CFLAGS) -O0 -g -fPIC
tests_progs_libprintfx_so_LDFLAGS = -shared -fPIC

# a test helper: copies an image with a crafted SNAP record (tags,
# triggers, branches, crashes) for the timeline/bisect/core tests
check_PROGRAMS += tests/progs/snap_inject
tests_progs_snap_inject_SOURCES = tests/progs/snap_inject.c
tests_progs_snap_inject_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/image
tests_progs_snap_inject_LDADD = lib/libdmtcpimage.a $(ZLIB_LIBS)
