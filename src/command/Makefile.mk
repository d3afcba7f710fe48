# src/command: dmtcp_command (talks to the coordinator, prints its replies)
bin_PROGRAMS += bin/dmtcp_command
bin_dmtcp_command_SOURCES = \
	src/command/command.c \
	src/command/cmd-opts.c src/command/cmd-opts.h \
	src/command/cmd-json.c src/command/cmd-json.h
bin_dmtcp_command_LDADD = lib/libdmtcpcommon.a
