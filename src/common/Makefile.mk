# src/common: helpers linked into every libc-world component (PIC so the
# preload library can use them too).
noinst_LIBRARIES += lib/libdmtcpcommon.a
lib_libdmtcpcommon_a_CFLAGS = $(AM_CFLAGS) -fPIC -fvisibility=hidden
lib_libdmtcpcommon_a_SOURCES = \
	src/common/log.c src/common/log.h \
	src/common/util.c src/common/util.h src/common/fullio.h \
	src/common/safefile.c src/common/safefile.h \
	src/common/escape.c src/common/escape.h \
	src/common/protocol.c \
	src/common/maps.c src/common/maps.h \
	src/common/coord-client.c src/common/coord-client.h \
	src/common/coord-start.c src/common/coord-start.h \
	src/common/fdplace.c include/dmtcp/fds.h \
	src/common/common-opts.c src/common/common-opts.h \
	include/dmtcp/protocol.h include/dmtcp/image.h include/dmtcp/restore.h
