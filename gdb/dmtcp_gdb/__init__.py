#
# dmtcp_gdb - gdb helpers for the DMTCP-compatible checkpoint/restart
# toolkit.  One gdb.Command class per command, one module per job; the
# docstring of each class is its `help` text.  Loaded by dmtcp-gdb.py.
#

import gdb


class Dmtcp(gdb.Command):
    """Commands for checkpointed and restored processes (DMTCP toolkit).

dmtcp info [IMAGE]      the inferior's image: threads and memory areas
dmtcp threads           where each parked thread was interrupted
dmtcp frame [THREAD]    select the frame the checkpoint interrupted
dmtcp checkpoint        checkpoint the inferior through its coordinator
dmtcp rewind [IMAGE]    restart the inferior from a snapshot, stopped there

The toolkit's binaries are looked up in $DMTCP_BINDIR, next to the
libdmtcp.so the inferior runs with, in the install tree, then on PATH.
See doc/gdb.md."""

    def __init__(self):
        super().__init__("dmtcp", gdb.COMMAND_USER, gdb.COMPLETE_COMMAND,
                         True)


def register():
    from . import checkpoint, info, rewind, threads

    Dmtcp()
    info.DmtcpInfo()
    threads.DmtcpThreads()
    threads.DmtcpFrame()
    checkpoint.DmtcpCheckpoint()
    rewind.DmtcpRewind()
