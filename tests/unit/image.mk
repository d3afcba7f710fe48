# tests/unit/image.mk: unit tests of the image library (src/image).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_image tests/unit/test_image_corrupt \
	tests/unit/test_restore_check tests/unit/test_image_files \
	tests/unit/test_image_chain tests/unit/test_decode_parallel \
	tests/unit/test_image_zpool

TEST_IMAGE_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(ZLIB_CFLAGS)
TEST_IMAGE_LDADD = lib/libdmtcpimage.a $(ZLIB_LIBS) $(CMOCKA_LIBS)

tests_unit_test_image_SOURCES = tests/unit/test_image.c \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_image_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_image_LDADD = $(TEST_IMAGE_LDADD)

tests_unit_test_image_corrupt_SOURCES = tests/unit/test_image_corrupt.c \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_image_corrupt_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_image_corrupt_LDADD = $(TEST_IMAGE_LDADD)

# FILE and FILEDATA records (saved file contents, doc/files.md)
tests_unit_test_image_files_SOURCES = tests/unit/test_image_files.c \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_image_files_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_image_files_LDADD = $(TEST_IMAGE_LDADD)

# the decoder's worker threads (src/image/img-ipool.c, img-crc.c)
tests_unit_test_decode_parallel_SOURCES = tests/unit/test_decode_parallel.c \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_decode_parallel_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_decode_parallel_LDADD = $(TEST_IMAGE_LDADD) -lpthread

# gzip chunks compressed by worker threads (src/image/img-zpool.c)
tests_unit_test_image_zpool_SOURCES = tests/unit/test_image_zpool.c \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_image_zpool_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_image_zpool_LDADD = $(TEST_IMAGE_LDADD)

# the restore checks (src/image/restore-check.c, shared with mtcp_restart)
tests_unit_test_restore_check_SOURCES = tests/unit/test_restore_check.c \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_restore_check_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_restore_check_LDADD = $(TEST_IMAGE_LDADD)
# incremental images and their chains (src/image/img-chain.c), on the
# synthetic chains of chain_gen.c
tests_unit_test_image_chain_SOURCES = tests/unit/test_image_chain.c \
	tests/unit/chain_gen.c tests/unit/chain_gen.h \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_image_chain_CFLAGS = $(TEST_IMAGE_CFLAGS)
tests_unit_test_image_chain_LDADD = $(TEST_IMAGE_LDADD)
endif

# the coordinator's pruning of generations keeps what a kept image's
# chain needs (coordinator/gens.c, with stand-ins for the rest of it)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_coord_gens
tests_unit_test_coord_gens_SOURCES = tests/unit/test_coord_gens.c \
	coordinator/gens.c coordinator/reap.c coordinator/txn.c \
	coordinator/textbuf.c \
	tests/unit/chain_gen.c tests/unit/chain_gen.h \
	tests/unit/test_image_util.c tests/unit/test_image_util.h
tests_unit_test_coord_gens_CFLAGS = $(TEST_IMAGE_CFLAGS) \
	-I$(top_srcdir)/coordinator
tests_unit_test_coord_gens_LDADD = lib/libdmtcpcommon.a $(TEST_IMAGE_LDADD)
endif
