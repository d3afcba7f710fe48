# tests/unit/common.mk: unit tests of src/common.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_maps tests/unit/test_safefile \
	tests/unit/test_escape tests/unit/test_fdio

TEST_COMMON_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
TEST_COMMON_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_maps_SOURCES = tests/unit/test_maps.c
tests_unit_test_maps_CFLAGS = $(TEST_COMMON_CFLAGS)
tests_unit_test_maps_LDADD = $(TEST_COMMON_LDADD)

tests_unit_test_safefile_SOURCES = tests/unit/test_safefile.c
tests_unit_test_safefile_CFLAGS = $(TEST_COMMON_CFLAGS)
tests_unit_test_safefile_LDADD = $(TEST_COMMON_LDADD)

tests_unit_test_escape_SOURCES = tests/unit/test_escape.c
tests_unit_test_escape_CFLAGS = $(TEST_COMMON_CFLAGS)
tests_unit_test_escape_LDADD = $(TEST_COMMON_LDADD)

# full writes and small reads (fullio.h, util.c)
tests_unit_test_fdio_SOURCES = tests/unit/test_fdio.c
tests_unit_test_fdio_CFLAGS = $(TEST_COMMON_CFLAGS)
tests_unit_test_fdio_LDADD = $(TEST_COMMON_LDADD)
endif
