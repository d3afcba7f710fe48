# tests/unit/protocol.mk: unit tests of the coordinator protocol, the
# coordinator's message flow and checkpoint rules, and the command-line
# options (the parser the commands share, and each command's own).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_protocol tests/unit/test_cmdopts \
	tests/unit/test_coord_flow

tests_unit_test_protocol_SOURCES = tests/unit/test_protocol.c
tests_unit_test_protocol_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_protocol_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_cmdopts_SOURCES = tests/unit/test_cmdopts.c \
	src/command/cmd-opts.c src/launch/launch-opts.c \
	src/launch/launch-check.c coordinator/options.c \
	src/restart/restart-opts.c
tests_unit_test_cmdopts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/src/command -I$(top_srcdir)/src/launch \
	-I$(top_srcdir)/coordinator -I$(top_srcdir)/src/restart
tests_unit_test_cmdopts_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

# the checkpoint record and barrier rules: pure, no coordinator running
check_PROGRAMS += tests/unit/test_coord_txn
tests_unit_test_coord_txn_SOURCES = tests/unit/test_coord_txn.c \
	coordinator/txn.c coordinator/textbuf.c
tests_unit_test_coord_txn_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/coordinator
tests_unit_test_coord_txn_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_coord_flow_SOURCES = tests/unit/test_coord_flow.c
tests_unit_test_coord_flow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_coord_flow_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)
endif

# The coordinator's message decoder and dispatcher, fuzzed without the
# event loop (tests/fuzz/coord-harness.c stands in for main/console/script).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_coord_fuzz tests/unit/test_cmdjson

tests_unit_test_coord_fuzz_SOURCES = tests/unit/test_coord_fuzz.c \
	tests/fuzz/coord-harness.c tests/fuzz/coord-harness.h \
	coordinator/input.c coordinator/dispatch.c coordinator/ckpt.c \
	coordinator/commands.c coordinator/clients.c coordinator/textbuf.c \
	coordinator/services.c coordinator/limits.c coordinator/pending.c \
	coordinator/reply.c coordinator/txn.c coordinator/reap.c
tests_unit_test_coord_fuzz_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/coordinator -I$(top_srcdir)/tests/fuzz
tests_unit_test_coord_fuzz_LDADD = lib/libdmtcpcommon.a $(CMOCKA_LIBS)

tests_unit_test_cmdjson_SOURCES = tests/unit/test_cmdjson.c \
	src/command/cmd-json.c
tests_unit_test_cmdjson_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/src/command
tests_unit_test_cmdjson_LDADD = $(CMOCKA_LIBS)
endif

# libFuzzer target for the same decoder: `make fuzz-coord` (needs clang;
# not part of make check).  Run: tests/fuzz/fuzz_coord_input -max_total_time=60
FUZZ_COORD_SRCS = tests/fuzz/fuzz_coord_input.c tests/fuzz/coord-harness.c \
	coordinator/input.c coordinator/dispatch.c coordinator/ckpt.c \
	coordinator/commands.c coordinator/clients.c coordinator/textbuf.c \
	coordinator/services.c coordinator/limits.c coordinator/pending.c \
	coordinator/reply.c coordinator/txn.c coordinator/reap.c
EXTRA_DIST += $(FUZZ_COORD_SRCS) tests/fuzz/coord-harness.h
fuzz-coord: lib/libdmtcpcommon.a
	@if command -v clang >/dev/null 2>&1; then \
		$(MKDIR_P) tests/fuzz && \
		echo "  CLANG    tests/fuzz/fuzz_coord_input" && \
		clang -g -O1 -fsanitize=fuzzer,address,undefined \
			-I. -I$(top_srcdir) $(AM_CPPFLAGS) \
			-I$(top_srcdir)/coordinator -I$(top_srcdir)/tests/fuzz \
			$(addprefix $(top_srcdir)/,$(FUZZ_COORD_SRCS)) \
			$(top_srcdir)/src/common/protocol.c \
			$(top_srcdir)/src/common/log.c \
			$(top_srcdir)/src/common/util.c \
			$(top_srcdir)/src/common/escape.c \
			$(top_srcdir)/src/common/safefile.c \
			-o tests/fuzz/fuzz_coord_input; \
	else \
		echo "clang not found: fuzz-coord skipped"; \
	fi
.PHONY: fuzz-coord
