#
# dmtcp_gdb/restored.py - `dmtcp restored`: after a restore (run by
# `dmtcp_restart --gdb` once gdb attached), say which image the process
# came from, and for a crash snapshot the recorded signal, fault address
# and thread; select the thread that crashed (else the main thread) and
# its program frame, so gdb shows the program's code and takes its
# language, not the toolkit's checkpoint handler.
#

import signal
import struct

import gdb

from . import debuginfo, frames, util
from .util import Error


def crash_of(info):
    """{signo, code, addr, tid} of a crash snapshot from
    `dmtcp_inspect --json` (its SNAP record), None if not a crash."""
    for key in ("snap", "snapshot", "crash"):
        s = info.get(key)
        if not isinstance(s, dict):
            continue
        c = s.get("crash") if isinstance(s.get("crash"), dict) else s
        signo = c.get("sig_signo", c.get("signo", c.get("signal")))
        if isinstance(signo, str) and not signo.isdigit():
            try:
                signo = int(signal.Signals[signo])
            except KeyError:
                signo = None
        try:
            signo = int(signo or 0)
        except (TypeError, ValueError):
            signo = 0
        if signo > 0:
            addr = c.get("sig_addr", c.get("addr", c.get("fault_addr", 0)))
            if isinstance(addr, str):
                try:
                    addr = int(addr, 0)
                except ValueError:
                    addr = 0
            return {"signo": signo,
                    "code": c.get("sig_code", c.get("code", 0)),
                    "addr": addr or 0,
                    "tid": int(c.get("sig_tid", c.get("tid", 0)) or 0)}
    return None


FATAL = (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE,
         signal.SIGABRT)
# x86-64: at a signal trampoline frame, sp points to the kernel's struct
# ucontext (304 bytes: flags, link, stack, sigcontext, sigmask), followed
# by the siginfo the kernel delivered
UCONTEXT_SIZE = 304


def _siginfo_at_sigtramp(frame):
    """(signo, code, addr) of the signal whose trampoline frame this is,
    read from the signal frame the kernel pushed (it is in the image)."""
    try:
        arch = frame.architecture().name()
        if "x86-64" not in arch:
            return None
        sp = int(frame.read_register("rsp"))
        raw = bytes(gdb.selected_inferior().read_memory(sp + UCONTEXT_SIZE,
                                                        24))
    except (gdb.error, gdb.MemoryError, ValueError):
        return None
    signo, _errno, code, _pad, addr = struct.unpack("<iiiiQ", raw)
    return signo, code, addr


def crash_from_frames():
    """{signo, code, addr, tid} of a crash found in the threads' stacks:
    a fatal signal's frame under the toolkit's crash handler (a crash
    snapshot's thread keeps it), None if no thread has one."""
    from . import debuginfo
    di = debuginfo.read() or {}
    ckpt = di.get("ckpt_signal") or signal.SIGUSR2
    old = gdb.selected_thread()
    try:
        for t in gdb.selected_inferior().threads():
            t.switch()
            f = gdb.newest_frame()
            hidden = frames.toolkit_levels(f)
            level = 0
            while f is not None and level in hidden:
                if f.type() == gdb.SIGTRAMP_FRAME:
                    si = _siginfo_at_sigtramp(f)
                    if si and si[0] != ckpt and si[0] in FATAL:
                        return {"signo": si[0], "code": si[1],
                                "addr": si[2],
                                "tid": util.ns_tid(t.ptid[1])}
                f = f.older()
                level += 1
    except gdb.error:
        return None
    finally:
        if old is not None and old.is_valid():
            old.switch()
    return None


def signame(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


def report(quiet=False):
    """Prints the origin (and crash) of the inferior, selects its frame."""
    di = debuginfo.read()
    img = debuginfo.origin_image(di)
    if img is None:
        try:
            img = util.find_image(None, util.inferior_pid())
        except Error:
            img = None
    crash = None
    if img:
        try:
            crash = crash_of(util.inspect_json(img))
        except Error as e:
            gdb.write("dmtcp: %s\n" % e, gdb.STDERR)
        gdb.write("dmtcp: restored from %s%s\n" % (
            img, " (generation %d)" % di["generation"]
            if di and di.get("generation") else ""))
    if crash is None:
        crash = crash_from_frames()
    if crash:
        gdb.write("dmtcp: the snapshot is a crash: %s (code %s) at address "
                  "0x%x in thread %d; 'continue' runs the faulting "
                  "instruction again\n" % (
                      signame(crash["signo"]), crash["code"],
                      crash["addr"], crash["tid"]))
    util.quiet_ckpt_signal()
    return frames.select_program_frame(crash["tid"] if crash else None,
                                       quiet=quiet)


class DmtcpRestored(gdb.Command):
    """Show where a restored process comes from and select its frame.

Usage: dmtcp restored

Prints the image the inferior was restored from (and, for a crash
snapshot, the signal, fault address and thread the image recorded), then
selects the thread that crashed (else the main thread) and its innermost
frame of the program's own code.  `dmtcp_restart --gdb` runs it once gdb
is attached."""

    def __init__(self):
        super().__init__("dmtcp restored", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise Error("dmtcp restored takes no argument")
        if not util.inferior_pid():
            raise Error("dmtcp restored: no process")
        report()
