#
# dmtcp-gdb.py - loader of the DMTCP toolkit's gdb helpers (`dmtcp ...`).
#
# Load it with `source /path/to/dmtcp-gdb.py` (or -x on gdb's command line,
# or from ~/.gdbinit).  It works from the source tree (gdb/) and from the
# install tree ($(datadir)/dmtcp/gdb): the package dmtcp_gdb/ sits next to
# this file.  `help dmtcp` lists the commands.
#

import os
import sys

import gdb

_dir = os.path.dirname(os.path.abspath(os.path.realpath(__file__)))
if _dir not in sys.path:
    sys.path.insert(0, _dir)

try:
    import dmtcp_gdb
except ImportError as e:
    gdb.write("dmtcp-gdb: cannot load the dmtcp_gdb package from %s: %s\n"
              % (_dir, e), gdb.STDERR)
else:
    # sourcing the loader twice must not register the commands twice
    if not getattr(dmtcp_gdb, "_registered", False):
        dmtcp_gdb.register()
        dmtcp_gdb._registered = True
