#
# dmtcp_gdb/frames.py - the program's own frames first: a gdb frame
# filter that hides the toolkit's frames (libdmtcp.so, and the checkpoint
# handler's libc frames and `<signal handler called>` of a parked thread)
# in `bt`, `dmtcp show-toolkit-frames on|off`, and the choice of the frame
# to select after a restore (the thread that crashed, or the main thread;
# its innermost frame of the program's own code).
#
# `bt -no-filters` shows every frame whatever the setting.  Frame numbers
# stay gdb's, so `frame N` selects what `bt` printed as #N.
#

import os

import gdb

from . import util
from .util import Error

LIBNAMES = ("libdmtcp.so",)


def _in_toolkit(pc):
    name = gdb.solib_name(pc)
    return bool(name) and os.path.basename(name) in LIBNAMES


def toolkit_levels(newest):
    """Levels (from the newest frame) to hide: the innermost run of
    frames that ends with a libdmtcp.so frame and holds only frames of
    libdmtcp.so, of other libraries (libc called by the toolkit) and
    signal frames (`<signal handler called>` of the checkpoint handler).
    The program's own frames and what they call directly stay."""
    frames = []
    f = newest
    try:
        while f is not None and len(frames) < 64:
            frames.append(f)
            f = f.older()
    except gdb.error:
        pass
    last = -1
    for i, fr in enumerate(frames):
        try:
            pc = fr.pc()
            if _in_toolkit(pc):
                last = i
            elif fr.type() == gdb.SIGTRAMP_FRAME:
                if last == i - 1 and last >= 0:
                    last = i    # the signal the toolkit's handler took
            elif gdb.solib_name(pc) is None:
                break
        except gdb.error:
            break
    try:
        program = any(gdb.solib_name(fr.pc()) is None
                      for fr in frames[last + 1:])
    except gdb.error:
        program = False
    if not program:
        return set()    # the library's own thread: show it as it is
    return set(range(last + 1))


class ToolkitFrameFilter:
    """Hides the checkpoint toolkit's frames (see dmtcp show-toolkit-frames)."""

    def __init__(self):
        self.name = "dmtcp-toolkit-frames"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frame_iter):
        hide = None
        for dec in frame_iter:
            if hide is None:
                try:
                    hide = toolkit_levels(dec.inferior_frame())
                except gdb.error:
                    hide = set()
                level = 0
            if level not in hide:
                yield dec
            level += 1


_filter = None


def register():
    global _filter
    _filter = ToolkitFrameFilter()


def interrupted_or_newest(thread):
    """The frame where the checkpoint (or the crash) interrupted thread,
    else its newest frame."""
    thread.switch()
    f = util.signal_frame_child(thread)
    if f is None:
        f = gdb.newest_frame()
    return f


def program_frame_of(thread):
    """The innermost frame of the program's own code in thread: below
    the toolkit's frames, past libc; the interrupted frame when no
    frame of the main executable has a name."""
    f = interrupted_or_newest(thread)
    return util.program_frame(f) or f


def thread_by_tid(tid):
    inf = gdb.selected_inferior()
    for t in inf.threads():
        if t.ptid[1] == tid or util.ns_tid(t.ptid[1]) == tid:
            return t
    return None


def select_program_frame(tid=None, quiet=False):
    """Selects thread tid (default: the main thread) and its program
    frame; gdb then takes that frame's language (C++ for a C++
    program).  Returns the frame or None."""
    inf = gdb.selected_inferior()
    if not inf or not inf.pid:
        return None
    t = thread_by_tid(tid) if tid else None
    if t is None:
        ts = sorted(inf.threads(), key=lambda x: x.num)
        if not ts:
            return None
        t = ts[0]
    try:
        f = program_frame_of(t)
        f.select()
    except gdb.error:
        return None
    if not quiet:
        gdb.execute("frame", to_string=False)
    return f


class DmtcpShowToolkitFrames(gdb.Command):
    """Show or hide the toolkit's frames in backtraces.

Usage: dmtcp show-toolkit-frames [on|off]

By default `bt` hides the frames of libdmtcp.so and, in a thread parked by
a checkpoint, the handler's frames down to "<signal handler called>": the
first frame shown is where the program was interrupted.  `on` shows them
(as `bt -no-filters` does once); without argument: the current setting."""

    def __init__(self):
        super().__init__("dmtcp show-toolkit-frames", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        a = arg.strip()
        if a in ("on", "1", "yes"):
            _filter.enabled = False
        elif a in ("off", "0", "no"):
            _filter.enabled = True
        elif a:
            raise Error("dmtcp show-toolkit-frames: on or off, not %s" % a)
        gdb.write("toolkit frames are %s in backtraces\n" %
                  ("hidden" if _filter.enabled else "shown"))
