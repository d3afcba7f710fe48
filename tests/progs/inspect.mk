# tests/progs/inspect.mk: the fixture the dmtcp_inspect tests checkpoint
# (tests/e2e/test-inspect*.sh).  -O0 -g so its functions keep their own
# frames and line tables.
check_PROGRAMS += tests/progs/inspect_fixture
tests_progs_inspect_fixture_SOURCES = tests/progs/inspect_fixture.c \
	tests/progs/testprog.h
tests_progs_inspect_fixture_CFLAGS = $(AM_CFLAGS) -O0 -g \
	-fno-omit-frame-pointer
tests_progs_inspect_fixture_LDADD = -lpthread
