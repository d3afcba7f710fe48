# tests/unit/preload.mk: unit tests of the preload library's pure logic
# (src/preload): each links only the files it tests, never libdmtcp.so.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_preload_timeout tests/unit/test_fd_buf \
	tests/unit/test_fdinfo

TEST_PRELOAD_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/src/preload

# the remaining timeout of the wrappers of interrupted calls
tests_unit_test_preload_timeout_SOURCES = tests/unit/test_preload_timeout.c \
	src/preload/base/timeout.c src/preload/base/timeout.h
tests_unit_test_preload_timeout_CFLAGS = $(TEST_PRELOAD_CFLAGS)
tests_unit_test_preload_timeout_LDADD = $(CMOCKA_LIBS)

# sk-queue buffer sizes, the fd data area's bound
tests_unit_test_fd_buf_SOURCES = tests/unit/test_fd_buf.c \
	src/preload/fd/buf.c src/preload/fd/buf.h
tests_unit_test_fd_buf_CFLAGS = $(TEST_PRELOAD_CFLAGS)
tests_unit_test_fd_buf_LDADD = $(CMOCKA_LIBS)

# /proc/self/fdinfo parsers (eventfd, epoll, timerfd, signalfd, inotify)
tests_unit_test_fdinfo_SOURCES = tests/unit/test_fdinfo.c \
	src/preload/fd/fdinfo.c src/preload/fd/fdinfo.h \
	src/preload/base/procdir.c
tests_unit_test_fdinfo_CFLAGS = $(TEST_PRELOAD_CFLAGS)
tests_unit_test_fdinfo_LDADD = $(CMOCKA_LIBS)

endif
