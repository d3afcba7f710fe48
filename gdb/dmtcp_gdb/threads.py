#
# dmtcp_gdb/threads.py - `dmtcp threads` and `dmtcp frame`: where each
# parked thread of a restored process was interrupted by the checkpoint.
#
# A restored thread waits in the checkpoint signal handler; the frame just
# below `<signal handler called>` is the application's own interrupted
# frame.  The checkpoint thread (named "dmtcp:ckpt") has no such frame.
#

import gdb

from . import util
from .util import Error


def _threads():
    inf = gdb.selected_inferior()
    if not inf or not inf.pid:
        raise Error("no process: start one with 'dmtcp rewind' or attach")
    return sorted(inf.threads(), key=lambda t: t.num)


def interrupted_frames():
    """[(thread, frame or None)] for every thread of the inferior.  Leaves
    the selected thread and frame as they were."""
    old_thread = gdb.selected_thread()
    try:
        old_frame = gdb.selected_frame()
    except gdb.error:
        old_frame = None
    out = []
    try:
        for t in _threads():
            t.switch()
            f = util.signal_frame_child(t)
            pf = util.program_frame(f) if f else None
            out.append((t, f, util.frame_level(f) if f else None,
                        util.describe_frame(f) if f else None,
                        _newest_desc(),
                        (util.frame_level(pf), util.describe_frame(pf))
                        if pf else None))
    finally:
        if old_thread is not None and old_thread.is_valid():
            old_thread.switch()
            if old_frame is not None and old_frame.is_valid():
                old_frame.select()
    return out


def _newest_desc():
    try:
        return util.describe_frame(gdb.newest_frame())
    except gdb.error as e:
        return "(%s)" % e


class DmtcpThreads(gdb.Command):
    """List the threads of a restored process and where each was interrupted.

Usage: dmtcp threads

For every thread: gdb's thread number, the tid, the name, and the frame just
below "<signal handler called>", that is the place the checkpoint
interrupted the application (with its frame level: `dmtcp frame N` or
`thread N` then `frame LEVEL` selects it), and when that frame is in a
library, the first frame of the program itself ("program:").  A thread that is not parked in
the checkpoint handler (the library's "dmtcp:ckpt" thread, or any thread
once the process ran on) shows its innermost frame instead, marked
"(not parked)"."""

    def __init__(self):
        super().__init__("dmtcp threads", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise Error("dmtcp threads takes no argument")
        sel = gdb.selected_thread()
        for t, f, level, desc, newest, prog in interrupted_frames():
            mark = "*" if sel is not None and t.ptid == sel.ptid else " "
            name = t.name or ""
            if f is not None:
                gdb.write("%s %-3d LWP %-7d %-14s frame #%d: %s\n" %
                          (mark, t.num, t.ptid[1], name, level, desc))
                if prog and prog[0] != level:
                    gdb.write("%34s program: #%d: %s\n" % ("", prog[0],
                                                           prog[1]))
            else:
                gdb.write("%s %-3d LWP %-7d %-14s (not parked) %s\n" %
                          (mark, t.num, t.ptid[1], name, newest))


class DmtcpFrame(gdb.Command):
    """Select the frame where the checkpoint interrupted a thread.

Usage: dmtcp frame [THREAD-NUMBER]

Switches to the thread (default: the selected one) and selects the frame
just below "<signal handler called>": the application's own frame at the
moment of the checkpoint, so `info locals`, `up`, `finish`... apply there."""

    def __init__(self):
        super().__init__("dmtcp frame", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg:
            try:
                num = int(arg, 0)
            except ValueError:
                raise Error("dmtcp frame: %s is not a thread number" % arg)
            found = [t for t in _threads() if t.num == num]
            if not found:
                raise Error("dmtcp frame: no thread %d ('dmtcp threads' "
                            "lists them)" % num)
            found[0].switch()
        t = gdb.selected_thread()
        if t is None:
            raise Error("no thread selected")
        f = util.signal_frame_child(t)
        if f is None:
            raise Error("thread %d is not parked in the checkpoint handler "
                        "(no <signal handler called> frame)" % t.num)
        f.select()
        gdb.execute("frame", to_string=False)
