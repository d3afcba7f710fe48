#
# dmtcp_gdb/session.py - the session folder of this gdb
# (dmtcp-gdb.XXXXXX in $DMTCP_TMPDIR or the temporary directory): pid
# files and dmtcp_restart logs of `dmtcp rewind` / `dmtcp goto`.
#
# The folder holds an `owner` file (this gdb's pid and start time); it is
# removed when gdb exits, and folders whose owner gdb is gone (killed,
# crashed) are removed when the next session starts.
#

import atexit
import glob
import os
import shutil
import tempfile

import gdb

from .util import state

PREFIX = "dmtcp-gdb."


def _start_time(pid):
    """Field 22 of /proc/PID/stat (start time in ticks), None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return None
    try:
        return int(st.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def _owner_alive(d):
    try:
        with open(os.path.join(d, "owner")) as f:
            pid, start = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None     # not ours to judge (old layout, other tool)
    return _start_time(pid) == start


def _base():
    base = os.environ.get("DMTCP_TMPDIR") or state["env"].get("DMTCP_TMPDIR")
    if base and os.path.isdir(base):
        return base
    return tempfile.gettempdir()


def clean_stale(base=None):
    """Removes the session folders of dead gdbs (ours only) in base."""
    base = base or _base()
    uid = os.geteuid()
    for d in glob.glob(os.path.join(base, PREFIX + "*")):
        try:
            if os.lstat(d).st_uid != uid or os.path.islink(d):
                continue
        except OSError:
            continue
        if d != state.get("session_dir") and _owner_alive(d) is False:
            shutil.rmtree(d, ignore_errors=True)


def remove():
    d = state.get("session_dir")
    state["session_dir"] = None
    if d and os.path.isdir(d):
        shutil.rmtree(d, ignore_errors=True)


def session_dir():
    """This gdb's session folder, created on first use."""
    d = state.get("session_dir")
    if d and os.path.isdir(d):
        return d
    base = _base()
    clean_stale(base)
    d = tempfile.mkdtemp(prefix=PREFIX, dir=base)
    with open(os.path.join(d, "owner"), "w") as f:
        f.write("%d %d\n" % (os.getpid(), _start_time(os.getpid()) or 0))
    state["session_dir"] = d
    return d


def _on_exit(_event=None):
    remove()


def register():
    atexit.register(remove)
    ev = getattr(gdb.events, "gdb_exiting", None)    # gdb >= 13
    if ev is not None:
        ev.connect(_on_exit)
