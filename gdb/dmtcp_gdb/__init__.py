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
dmtcp checkpoint [TAG]  checkpoint the inferior, exactly as shown
dmtcp rewind [IMAGE]    restart the inferior from a snapshot, stopped there
dmtcp timeline          the snapshots of the inferior's timeline
dmtcp goto N|TAG|-1|+1  restore the computation at a snapshot
dmtcp bisect EXPR       go to the last snapshot before EXPR became true
dmtcp processes         the processes of the computation goto restored
dmtcp attach PID        debug another of them (a new gdb inferior)
dmtcp restored          select the program's frame after a restore
dmtcp show-toolkit-frames on|off   the toolkit's frames in `bt`

The toolkit's binaries are looked up in $DMTCP_BINDIR, next to the
libdmtcp.so the inferior runs with, in the install tree, then on PATH.
See doc/gdb.md."""

    def __init__(self):
        super().__init__("dmtcp", gdb.COMMAND_USER, gdb.COMPLETE_COMMAND,
                         True)


def register():
    from . import (bisect, checkpoint, frames, info, processes, restored,
                   rewind, session, threads, timeline)

    Dmtcp()
    info.DmtcpInfo()
    threads.DmtcpThreads()
    threads.DmtcpFrame()
    checkpoint.DmtcpCheckpoint()
    rewind.DmtcpRewind()
    timeline.DmtcpTimeline()
    timeline.DmtcpGoto()
    bisect.DmtcpBisect()
    processes.DmtcpProcesses()
    processes.DmtcpAttach()
    restored.DmtcpRestored()
    frames.DmtcpShowToolkitFrames()
    frames.register()
    session.register()
