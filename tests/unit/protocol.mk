# tests/unit/protocol.mk: unit tests of the coordinator protocol, the
# coordinator's message flow, and dmtcp_command/dmtcp_launch options.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_protocol tests/unit/test_cmdopts \
	tests/unit/test_coord_flow

tests_unit_test_protocol_SOURCES = tests/unit/test_protocol.c
tests_unit_test_protocol_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_protocol_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_cmdopts_SOURCES = tests/unit/test_cmdopts.c \
	src/command/cmd-opts.c src/launch/launch-opts.c \
	src/launch/launch-check.c
tests_unit_test_cmdopts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/src/command -I$(top_srcdir)/src/launch
tests_unit_test_cmdopts_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_coord_flow_SOURCES = tests/unit/test_coord_flow.c
tests_unit_test_coord_flow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_coord_flow_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)
endif
