# src/image: the checkpoint image library (format: include/dmtcp/image.h,
# doc/image-format.md).  PIC and hidden: it is linked into libdmtcp.so
# (the writer) and into the command-line tools (reader, validator,
# decoder).
noinst_LIBRARIES += lib/libdmtcpimage.a
lib_libdmtcpimage_a_CPPFLAGS = $(AM_CPPFLAGS) $(ZLIB_CFLAGS)
lib_libdmtcpimage_a_CFLAGS = $(AM_CFLAGS) -fPIC -fvisibility=hidden
lib_libdmtcpimage_a_SOURCES = \
	src/image/img.h src/image/img-int.h src/image/img-range.h \
	src/image/img-write.c \
	src/image/img-zchunk.c src/image/img-zchunk.h \
	src/image/img-zpool.c src/image/img-zpool.h \
	src/image/img-read.c \
	src/image/img-walk.c \
	src/image/img-meta.c \
	src/image/img-validate.c \
	src/image/img-decode.c \
	src/image/img-ipool.c src/image/img-ipool.h \
	src/image/img-crc.c src/image/img-crc.h \
	src/image/img-restore.c \
	src/image/img-chain.h src/image/img-chain.c \
	src/image/img-chain-write.c \
	src/image/restore-check.c \
	include/dmtcp/image.h include/dmtcp/restore-check.h
# users of the library link $(IMG_LIBS)
IMG_LIBS = lib/libdmtcpimage.a $(ZLIB_LIBS)
