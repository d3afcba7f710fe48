# tests/progs/chain.mk: the generator of synthetic chains of incremental
# images (tests/e2e/test-image-chain.sh), on the unit tests' chain_gen.c.
check_PROGRAMS += tests/progs/chain_gen
tests_progs_chain_gen_SOURCES = tests/progs/chain_gen_main.c \
	tests/unit/chain_gen.c tests/unit/chain_gen.h
tests_progs_chain_gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_progs_chain_gen_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tests_progs_chain_gen_LDADD = lib/libdmtcpimage.a $(ZLIB_LIBS)

# a real image split into a full parent (every third page garbage) and a
# delta child holding those pages (tests/e2e/test-restart-chain.sh)
check_PROGRAMS += tests/progs/chain_split
tests_progs_chain_split_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tests_progs_chain_split_LDADD = lib/libdmtcpimage.a $(ZLIB_LIBS)
