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
	gdb/dmtcp_gdb/rewind.py
dist_bin_SCRIPTS = util/gdb-add-symbol-file
EXTRA_DIST += doc/gdb.md
