# tests/unit/common.mk: unit tests of src/common.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_maps tests/unit/test_safefile \
	tests/unit/test_escape

tests_unit_test_maps_SOURCES = tests/unit/test_maps.c
tests_unit_test_maps_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_maps_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_safefile_SOURCES = tests/unit/test_safefile.c
tests_unit_test_safefile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_safefile_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_escape_SOURCES = tests/unit/test_escape.c
tests_unit_test_escape_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_escape_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)
endif
