# tests/progs/gdb.mk: the fixture the gdb tests (tests/e2e/test-gdb*.sh)
# checkpoint, restart under gdb and rewind.  -O0 -g so its functions keep
# their own frames and the globals are readable from gdb.
check_PROGRAMS += tests/progs/gdb_fixture
tests_progs_gdb_fixture_SOURCES = tests/progs/gdb_fixture.c \
	tests/progs/testprog.h
tests_progs_gdb_fixture_CFLAGS = $(AM_CFLAGS) -O0 -g -fno-omit-frame-pointer
tests_progs_gdb_fixture_LDADD = -lpthread

# the time-travel story (tests/e2e/test-timetravel.sh, doc/gdb.md)
check_PROGRAMS += tests/progs/list_corrupt
tests_progs_list_corrupt_CFLAGS = $(AM_CFLAGS) -O0 -g -pthread
tests_progs_list_corrupt_LDADD = -lpthread

# C++, compiled by tests/e2e/test-gdb-cxx.sh itself (no C++ rule here)
EXTRA_DIST += tests/progs/gdb_cxx.cc
