# tests/unit/preload.mk: unit tests of the preload library's pure logic
# (src/preload): each links only the files it tests, never libdmtcp.so.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_preload_timeout tests/unit/test_fd_buf \
	tests/unit/test_fdinfo tests/unit/test_procdir \
	tests/unit/test_fd_kinds tests/unit/test_dirty

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
tests_unit_test_fdinfo_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

# the /proc readers: the numeric-entry walk, a text file read whole
tests_unit_test_procdir_SOURCES = tests/unit/test_procdir.c \
	src/preload/base/procdir.c
tests_unit_test_procdir_CFLAGS = $(TEST_PRELOAD_CFLAGS)
tests_unit_test_procdir_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

# the table of descriptor kinds, with the real entries; what the entries'
# hooks call outside their files is stubbed (fd_kind_stubs.c)
tests_unit_test_fd_kinds_SOURCES = tests/unit/test_fd_kinds.c \
	tests/unit/fd_kind_stubs.c \
	src/preload/fd/kinds.c src/preload/fd/pty.c src/preload/fd/pipe.c \
	src/preload/fd/socket.c src/preload/fd/anon.c \
	src/preload/fd/mqueue.c src/preload/fd/file.c src/preload/fd/path.c \
	src/preload/fd/buf.c src/preload/fd/fdinfo.c \
	src/preload/base/state.c src/preload/base/procdir.c
tests_unit_test_fd_kinds_CFLAGS = $(TEST_PRELOAD_CFLAGS) -pthread
tests_unit_test_fd_kinds_LDADD = lib/libdmtcpimage.a lib/libdmtcpcommon.a \
	$(ZLIB_LIBS) $(CMOCKA_LIBS)

# dirty-page tracking (image/dirty.c): every mechanism DMTCP_DIRTY forces,
# in this plain process (the soft-dirty probe's fallback included)
tests_unit_test_dirty_SOURCES = tests/unit/test_dirty.c \
	src/preload/image/dirty.c src/preload/image/dirty.h
tests_unit_test_dirty_CFLAGS = $(TEST_PRELOAD_CFLAGS)
tests_unit_test_dirty_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)
endif
