# src/launch: dmtcp_launch (checks the program, ensures a coordinator,
# preloads libdmtcp.so and execs)
bin_PROGRAMS += bin/dmtcp_launch
bin_dmtcp_launch_SOURCES = \
	src/launch/launch.c \
	src/launch/launch-opts.c src/launch/launch-opts.h \
	src/launch/launch-check.c src/common/sizearg.h
bin_dmtcp_launch_LDADD = lib/libdmtcpcommon.a
