# gdb/Makefile.mk - the gdb Python helpers (`dmtcp` commands), installed
# into $(datadir)/dmtcp/gdb: the loader dmtcp-gdb.py and the package
# dmtcp_gdb/ next to it.  Load with `source $(datadir)/dmtcp/gdb/dmtcp-gdb.py`
# (see doc/gdb.md).  Also util/gdb-add-symbol-file, a standalone script.
gdbhelpersdir = $(datadir)/dmtcp/gdb
dist_gdbhelpers_DATA = gdb/dmtcp-gdb.py
gdbhelperspkgdir = $(gdbhelpersdir)/dmtcp_gdb
dist_gdbhelperspkg_DATA = gdb/dmtcp_gdb/__init__.py \
	gdb/dmtcp_gdb/util.py \
	gdb/dmtcp_gdb/info.py \
	gdb/dmtcp_gdb/threads.py \
	gdb/dmtcp_gdb/checkpoint.py \
	gdb/dmtcp_gdb/rewind.py \
	gdb/dmtcp_gdb/debuginfo.py \
	gdb/dmtcp_gdb/session.py \
	gdb/dmtcp_gdb/frames.py \
	gdb/dmtcp_gdb/timeline.py \
	gdb/dmtcp_gdb/bisect.py \
	gdb/dmtcp_gdb/processes.py \
	gdb/dmtcp_gdb/restored.py
dist_bin_SCRIPTS = util/gdb-add-symbol-file
EXTRA_DIST += doc/gdb.md

# gdb's auto-load script of libdmtcp.so (gdb/libdmtcp.so-gdb.py.in): the
# helpers load in any gdb that sees the library mapped.  Installed under
# gdb's scripts-directory, named after the library's path; in the build
# tree next to lib/libdmtcp.so, pointing at the source tree's helpers.
gdbautoloaddir = $(datadir)/gdb/auto-load$(dmtcplibdir)
gdbautoload_DATA = gdb/libdmtcp.so-gdb.py
noinst_DATA = lib/libdmtcp.so-gdb.py
EXTRA_DIST += gdb/libdmtcp.so-gdb.py.in
CLEANFILES += gdb/libdmtcp.so-gdb.py lib/libdmtcp.so-gdb.py
gdb/libdmtcp.so-gdb.py: $(top_srcdir)/gdb/libdmtcp.so-gdb.py.in Makefile
	$(AM_V_GEN)$(MKDIR_P) gdb && \
	sed 's|@HELPERS_DIR[@]|$(gdbhelpersdir)|' \
		$(top_srcdir)/gdb/libdmtcp.so-gdb.py.in > $@.tmp && mv $@.tmp $@
lib/libdmtcp.so-gdb.py: $(top_srcdir)/gdb/libdmtcp.so-gdb.py.in Makefile
	$(AM_V_GEN)$(MKDIR_P) lib && \
	sed 's|@HELPERS_DIR[@]|$(abs_top_srcdir)/gdb|' \
		$(top_srcdir)/gdb/libdmtcp.so-gdb.py.in > $@.tmp && mv $@.tmp $@
