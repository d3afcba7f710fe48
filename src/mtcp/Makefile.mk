# src/mtcp: mtcp_restart, static and freestanding (no libc), linked
# inside the address range every launched process keeps free
# (DMTCP_RESERVE_ADDR in include/dmtcp/restore.h).
bin_PROGRAMS += bin/mtcp_restart
# src/image/restore-check.c: the restore checks, freestanding, shared
# with the image library (dmtcp_restart runs them too)
bin_mtcp_restart_SOURCES = src/mtcp/start.S src/mtcp/mtcp_restart.c \
	src/mtcp/mtcp-util.c src/mtcp/mtcp-sys.h include/dmtcp/rawsys.h \
	src/image/restore-check.c include/dmtcp/restore-check.h
bin_mtcp_restart_CPPFLAGS = -I$(top_srcdir)/include
bin_mtcp_restart_CFLAGS = -std=gnu11 $(WARN_CFLAGS) -O2 -g \
	-ffreestanding -fno-stack-protector -fpie -fvisibility=hidden \
	-fno-builtin -fno-tree-loop-distribute-patterns \
	-fcf-protection=none -mno-red-zone
bin_mtcp_restart_CCASFLAGS = -fpie
bin_mtcp_restart_LDFLAGS = -static -nostdlib -nostartfiles -no-pie \
	-Wl,-Ttext-segment=0x3d0000000000 -Wl,-z,noexecstack \
	-Wl,-z,max-page-size=4096 -Wl,--build-id
bin_mtcp_restart_LDADD = -lgcc
