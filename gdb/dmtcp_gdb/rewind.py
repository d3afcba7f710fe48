#
# dmtcp_gdb/rewind.py - `dmtcp rewind`: go back to a snapshot.
#
# The current inferior is killed (or detached with --keep), the image is
# restored with `dmtcp_restart --stop-for-debugger --pid-file F IMG` in the
# background, and gdb attaches to the pid it reports.  Every thread is then
# parked in the checkpoint signal handler, one `<signal handler called>`
# frame above where the checkpoint interrupted it, exactly as in the
# snapshot; the threads run again when gdb continues the process.
#

import os
import signal
import subprocess
import time

import gdb

from . import debuginfo, frames, session, util
from .util import Error, state

# seconds to wait for dmtcp_restart to report the pid (it gives up at 30)
READY_TIMEOUT = 40


def reap_restart(timeout=10):
    """Waits for the dmtcp_restart a previous rewind started (it exits
    when its process is gone); kills it if it does not."""
    proc = state.get("restart_proc")
    if proc is None:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    state["restart_proc"] = None


def _log_tail(path, n=8):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).rstrip()
    except OSError:
        return ""


def _read_pid(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return 0
    if not text.endswith("\n"):
        return 0
    try:
        return int(text.strip())
    except ValueError:
        return 0


def _children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        pass
    return out


def image_vpid(img):
    """The pid (in its namespace) of the process an image holds, 0 if
    unknown: from the image's name ckpt_PROG_HOSTID-PID-TIME_GEN.dmtcp,
    else from dmtcp_inspect."""
    n = util.image_name_fields(img)
    if n:
        return n["vpid"]
    try:
        return int(util.inspect_json(img).get("pid") or 0)
    except (Error, ValueError):
        return 0


def find_restored(pid, img, want=0):
    """The restored process itself at or below the pid dmtcp_restart
    reported: the process whose pid inside its namespace is the image's
    pid (or want).  (dmtcp_restart may report a stand-in parent it created
    to keep getppid(); then the program is one of its descendants.)"""
    want = want or image_vpid(img)
    if not want:
        return pid
    todo = [(pid, 0)]
    while todo:
        p, depth = todo.pop(0)
        ns = util.ns_pids(p)
        if len(ns) > 1 and ns[-1] == want:
            if p != pid:
                gdb.write("dmtcp: dmtcp_restart reported pid %d; the "
                          "restored process is its descendant %d\n" %
                          (pid, p))
            return p
        if depth < 4:
            todo += [(c, depth + 1) for c in _children(p)]
    return pid


def _shares_pid_namespace(pid):
    """True when gdb is in the inferior's pid namespace and that
    namespace's init is dmtcp_restart (gdb started by --gdb)."""
    try:
        if os.readlink("/proc/self/ns/pid") != \
                os.readlink("/proc/%d/ns/pid" % pid):
            return False
        init = os.path.basename(os.readlink("/proc/1/exe"))
    except OSError:
        return False
    return init.startswith("dmtcp_restart") or init.startswith("mtcp_restart")


def _without_confirm(cmd):
    old = gdb.parameter("confirm")
    gdb.execute("set confirm off", to_string=True)
    try:
        return gdb.execute(cmd, to_string=True)
    finally:
        if old:
            gdb.execute("set confirm on", to_string=True)


def drop_inferior(keep=False):
    """Kills (or, with keep, detaches) the current inferior, if any."""
    if not util.inferior_pid():
        return
    _without_confirm("detach" if keep else "kill")


def kill_restored_computation():
    """Kills every process of the computation the last rewind/goto
    restored: SIGKILL to the init of its pid namespace (the child of
    dmtcp_restart) ends them all; then dmtcp_restart exits."""
    proc = state.get("restart_proc")
    if proc is None or proc.poll() is not None:
        return
    for c in _children(proc.pid):
        try:
            os.kill(c, signal.SIGKILL)
        except OSError:
            pass
    reap_restart()


def _use_index_cache():
    """Each restore attaches anew, and gdb reads the symbols of the
    program and of every library again: its index cache halves the time
    of a goto (330 -> 160 ms for a small program).  Turned on once when
    off and its directory is writable (DMTCP_GDB_NO_INDEX_CACHE=1: never)."""
    if state.get("index_cache_checked") or \
            os.environ.get("DMTCP_GDB_NO_INDEX_CACHE"):
        return
    state["index_cache_checked"] = True
    try:
        if gdb.parameter("index-cache enabled"):
            return
        d = gdb.parameter("index-cache directory")
        parent = d
        while parent and not os.path.isdir(parent):
            parent = os.path.dirname(parent)
        if not parent or not os.access(parent, os.W_OK):
            return
        gdb.execute("set index-cache enabled on", to_string=True)
    except (gdb.error, RuntimeError):
        pass


def _quiet_attach(pid):
    """`attach pid` without gdb's stop report (the toolkit's handler
    frame: the caller selects and shows the program's frame)."""
    with util.quiet_cli():
        return gdb.execute("attach %d" % pid, to_string=True)


def restore_and_attach(img, quiet=False, others=(), vpid=0):
    """Runs dmtcp_restart --stop-for-debugger on img (and the images of the
    other processes of its computation: --debug-pid picks img's process,
    --pids-file lists them all) and attaches gdb to the restored process
    of img (pid vpid in its namespace).  Its threads run on once gdb
    continues it; the other processes then too, unless a debugger
    attached to them meanwhile (dmtcp_restart sees to that).  Returns the
    pid gdb attached to."""
    restart = util.find_tool("dmtcp_restart")
    d = session.session_dir()
    state["rewinds"] += 1
    n = state["rewinds"]
    pidfile = os.path.join(d, "rewind.%d.pid" % n)
    logpath = os.path.join(d, "rewind.%d.log" % n)
    others = [o for o in others if o != img]
    cmd = [restart, "--stop-for-debugger", "--pid-file", pidfile]
    state["pids_file"] = None
    if others:
        pidsfile = os.path.join(d, "rewind.%d.pids" % n)
        cmd += ["--pids-file", pidsfile]
        state["pids_file"] = pidsfile
        if vpid:
            cmd += ["--debug-pid", str(vpid)]
    with open(logpath, "wb") as log:
        # its own session: a Ctrl-C typed at gdb must not reach it
        proc = subprocess.Popen(
            cmd + [img] + others,
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            env=util.tool_env(), start_new_session=True)
    state["restart_proc"] = proc
    state["restart_log"] = logpath
    end = time.monotonic() + READY_TIMEOUT
    pid = 0
    while not pid:
        pid = _read_pid(pidfile)
        if pid:
            break
        if proc.poll() is not None:
            state["restart_proc"] = None
            raise Error("dmtcp_restart %s exited with status %d before "
                        "the process was ready:\n%s" %
                        (img, proc.returncode, _log_tail(logpath)))
        if time.monotonic() > end:
            proc.kill()
            proc.wait()
            state["restart_proc"] = None
            raise Error("dmtcp_restart %s did not report a pid within %d s "
                        "(log %s):\n%s" % (img, READY_TIMEOUT, logpath,
                                           _log_tail(logpath)))
        time.sleep(0.01)
    pid = find_restored(pid, img, vpid)
    util.prepare_attach(pid)
    _use_index_cache()
    out = _quiet_attach(pid)
    if not quiet:
        # "[New LWP ...]" and the thread_db lines are noise here
        for line in out.splitlines():
            if line.startswith(("[New LWP", "[Thread debugging",
                                "Using host libthread_db", "warning: Target "
                                "and debugger are in different PID")):
                continue
            if line.strip():
                gdb.write(line + "\n")
    state["last_image"] = img
    state["snapshot_procs"] = [
        {"image": i, "vpid": image_vpid(i) if i != img else
         (vpid or image_vpid(i)),
         "program": (util.image_name_fields(i) or {}).get("prog", "?")}
        for i in [img] + others]
    util.remember_inferior_env(pid)
    if not others:
        util.arm_release()
    util.quiet_ckpt_signal()
    frames.select_program_frame(quiet=True)
    return pid


class DmtcpRewind(gdb.Command):
    """Restart the inferior from a checkpoint image, stopped at the snapshot.

Usage: dmtcp rewind [--keep] [IMAGE]

Kills the current inferior (with --keep: detaches from it and leaves it
running), restores IMAGE with `dmtcp_restart --stop-for-debugger` in the
background and attaches to the restored process.  Symbols load through the
dynamic linker's link map.  Every thread is parked in the checkpoint
signal handler, one "<signal handler called>" frame above where the
checkpoint interrupted it: `dmtcp threads` lists those places, `dmtcp frame`
selects one.  `continue` lets the program run on from the snapshot.

IMAGE defaults to the image the inferior's state comes from (its newest
committed image, else the one it was restored from: libdmtcp.so's
dmtcp_debug_info), else the image the last rewind used, else the newest
ckpt_<program>_*.dmtcp in the inferior's DMTCP_CHECKPOINT_DIR (or its
working directory, or gdb's).  Repeat `dmtcp rewind` as often as you like:
each time the process is back at the same state.

The restored process joins the coordinator named by the inferior's
DMTCP_COORD_HOST/DMTCP_COORD_PORT (remembered from the first inferior),
so `dmtcp checkpoint` works on it.  dmtcp_restart's output goes to a log
in a temporary directory (shown by `dmtcp info`)."""

    def __init__(self):
        super().__init__("dmtcp rewind", gdb.COMMAND_RUNNING,
                         gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        args = gdb.string_to_argv(arg)
        keep = False
        img_arg = None
        for a in args:
            if a in ("--keep", "-k"):
                keep = True
            elif a.startswith("-"):
                raise Error("dmtcp rewind: unknown option %s (see "
                            "'help dmtcp rewind')" % a)
            elif img_arg is None:
                img_arg = a
            else:
                raise Error("dmtcp rewind: one image at most")
        pid = util.inferior_pid()
        util.remember_inferior_env(pid)
        img = util.find_image(img_arg, pid, debuginfo.read())
        util.find_tool("dmtcp_restart")  # before the inferior is gone
        if pid and not keep and _shares_pid_namespace(pid):
            raise Error("dmtcp rewind: this gdb runs inside the restored "
                        "process's pid namespace (dmtcp_restart --gdb): "
                        "killing the process would end the namespace and "
                        "this gdb with it.  Use 'dmtcp rewind --keep' (the "
                        "process runs on, detached), or debug from outside "
                        "with dmtcp_restart --stop-for-debugger / gdb -p")
        drop_inferior(keep)
        if not keep:
            reap_restart()
        newpid = restore_and_attach(img)
        gdb.write("dmtcp rewind #%d: %s restored as pid %d; every thread "
                  "is parked where the checkpoint interrupted it ('dmtcp "
                  "threads', 'dmtcp frame', 'continue')\n" %
                  (state["rewinds"], img, newpid))
        gdb.execute("frame", to_string=False)
