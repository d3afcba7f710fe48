#
# dmtcp_gdb/util.py - shared helpers of the `dmtcp` gdb commands: where the
# toolkit's binaries are, the current inferior's pid and environment, the
# images that belong to it, and `dmtcp_inspect --json`.
#
# Nothing here changes gdb's state; the commands do that.
#

import contextlib
import glob
import json
import os
import re
import shutil
import subprocess

import gdb

# Remembered between commands: the image the last `dmtcp rewind` or
# `dmtcp checkpoint` used, the coordinator environment of the last
# inferior, and the dmtcp_restart process `dmtcp rewind` started.
state = {
    "last_image": None,
    "env": {},
    "restart_proc": None,
    "restart_log": None,
    "rewinds": 0,
}

# Variables of the inferior's environment a restart or a checkpoint needs.
COORD_VARS = ("DMTCP_COORD_HOST", "DMTCP_COORD_PORT", "DMTCP_CHECKPOINT_DIR",
              "DMTCP_TMPDIR", "DMTCP_GZIP", "DMTCP_SIGCKPT")

# The directory of this package: .../gdb/dmtcp_gdb (source tree) or
# $(datadir)/dmtcp/gdb/dmtcp_gdb (install tree).
PKGDIR = os.path.dirname(os.path.abspath(__file__))


class Error(gdb.GdbError):
    """A failure the user sees as one message, without a Python trace."""


def _bindir_candidates():
    env = os.environ.get("DMTCP_BINDIR")
    if env:
        yield env
    # next to the library the inferior runs with: <builddir>/lib/libdmtcp.so
    # -> <builddir>/bin, $(libdir)/dmtcp/libdmtcp.so -> $(prefix)/bin
    lib = inferior_libdmtcp()
    if lib:
        d = os.path.dirname(lib)
        yield os.path.join(d, "..", "bin")
        yield os.path.join(d, "..", "..", "bin")
    if state.get("bindir"):
        yield state["bindir"]
    # install tree: $(prefix)/share/dmtcp/gdb/dmtcp_gdb -> $(prefix)/bin
    yield os.path.join(PKGDIR, "..", "..", "..", "..", "bin")


def find_tool(name):
    """Absolute path of a toolkit binary (dmtcp_restart, ...).

    Looks in $DMTCP_BINDIR, next to the libdmtcp.so the inferior has
    mapped, in the install tree this script belongs to, then on PATH."""
    for d in _bindir_candidates():
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(p) and os.access(p, os.X_OK):
            # remembered: the next inferior may be gone when asked
            state["bindir"] = os.path.dirname(p)
            return p
    p = shutil.which(name)
    if p:
        return p
    raise Error("%s not found: set DMTCP_BINDIR to the toolkit's bin "
                "directory (or put it on PATH)" % name)


def inferior_pid():
    """Pid of the selected inferior as gdb sees it, 0 when none runs."""
    inf = gdb.selected_inferior()
    return inf.pid if inf and inf.is_valid() else 0


def inferior_libdmtcp(pid=None):
    """Path of the libdmtcp.so the inferior has mapped, or None."""
    pid = pid or inferior_pid()
    if not pid:
        return None
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                fields = line.split(None, 5)
                if len(fields) == 6 and \
                        os.path.basename(fields[5].strip()) == "libdmtcp.so":
                    return fields[5].strip()
    except OSError:
        pass
    return None


def proc_environ(pid):
    """The environment of a live process as a dict ({} if unreadable)."""
    env = {}
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return env
    for item in data.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode(errors="replace")] = v.decode(errors="replace")
    return env


def remember_inferior_env(pid=None):
    """Stores the coordinator variables of the inferior for later
    restarts (the inferior may be gone by then)."""
    pid = pid or inferior_pid()
    if not pid:
        return state["env"]
    env = proc_environ(pid)
    got = {k: env[k] for k in COORD_VARS if k in env}
    if got:
        state["env"] = got
    return state["env"]


def tool_env():
    """Environment for dmtcp_restart / dmtcp_command: gdb's own, with the
    inferior's coordinator variables where gdb lacks them."""
    env = dict(os.environ)
    for k, v in state["env"].items():
        env.setdefault(k, v)
    return env


def ckpt_dirs(pid=None):
    """Directories where the inferior's images may be, best first."""
    pid = pid or inferior_pid()
    dirs = []
    env = proc_environ(pid) if pid else {}
    for src in (env, state["env"], os.environ):
        d = src.get("DMTCP_CHECKPOINT_DIR")
        if d:
            if not os.path.isabs(d) and pid:
                d = os.path.join("/proc/%d/cwd" % pid, d)
            dirs.append(d)
    if pid:
        try:
            dirs.append(os.readlink("/proc/%d/cwd" % pid))
        except OSError:
            pass
    dirs.append(os.getcwd())
    out = []
    for d in dirs:
        if d not in out:
            out.append(d)
    return out


def program_name(pid=None):
    pid = pid or inferior_pid()
    if pid:
        try:
            return os.path.basename(os.readlink("/proc/%d/exe" % pid))
        except OSError:
            pass
    prog = gdb.current_progspace()
    if prog and prog.filename:
        return os.path.basename(prog.filename)
    return None


def newest_image(pid=None):
    """The newest ckpt_<prog>_*.dmtcp of the inferior's program in its
    checkpoint directory, or None."""
    prog = program_name(pid)
    pattern = "ckpt_%s_*.dmtcp" % prog if prog else "ckpt_*.dmtcp"
    best = None
    for d in ckpt_dirs(pid):
        for p in glob.glob(os.path.join(d, pattern)):
            try:
                m = os.stat(p).st_mtime
            except OSError:
                continue
            if best is None or m > best[0]:
                best = (m, p)
        if best:
            break
    return best[1] if best else None


def find_image(arg=None, pid=None, di=None):
    """An explicit image, else the image the process came from (its
    dmtcp_debug_info: newest committed image, else the one it was
    restored from), else the last one used, else the newest one."""
    if arg:
        p = os.path.expanduser(arg)
        if not os.path.isfile(p):
            raise Error("image %s does not exist" % arg)
        return os.path.abspath(p)
    if di:
        for k in ("last_image", "image"):
            if di.get(k) and os.path.isfile(di[k]):
                return di[k]
    img = state["last_image"]
    if img and os.path.isfile(img):
        return img
    img = newest_image(pid)
    if img:
        return img
    raise Error("no checkpoint image found (looked in %s): name one, or "
                "set DMTCP_CHECKPOINT_DIR" % ", ".join(ckpt_dirs(pid)))


def inspect_json(img, what=None):
    """`dmtcp_inspect [WHAT] --json IMG` as a Python object."""
    cmd = [find_tool("dmtcp_inspect")]
    if what:
        cmd.append(what)
    cmd += ["--json", img]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, env=tool_env())
    except subprocess.TimeoutExpired:
        raise Error("%s timed out" % " ".join(cmd))
    if r.returncode != 0:
        raise Error("%s failed (status %d): %s" % (
            " ".join(cmd), r.returncode,
            r.stderr.decode(errors="replace").strip()))
    try:
        return json.loads(r.stdout.decode(errors="replace"))
    except ValueError as e:
        raise Error("%s printed no valid JSON: %s" % (" ".join(cmd), e))


def signal_frame_child(thread):
    """For a parked thread, the frame just below `<signal handler called>`
    (where the checkpoint interrupted it), else None."""
    try:
        frame = gdb.newest_frame()
    except gdb.error:
        return None
    while frame is not None:
        if frame.type() == gdb.SIGTRAMP_FRAME:
            return frame.older()
        try:
            frame = frame.older()
        except gdb.error:
            return None
    return None


def frame_level(frame):
    """Level of a frame (its distance from the newest frame)."""
    if hasattr(frame, "level"):
        return frame.level()
    n = 0
    f = gdb.newest_frame()
    while f is not None and f != frame:
        f = f.older()
        n += 1
    return n


def describe_frame(frame):
    """'func (file:line) at 0xpc' for a frame."""
    pc = frame.pc()
    name = frame.name() or "??"
    sal = frame.find_sal()
    where = ""
    if sal and sal.symtab:
        where = " at %s:%d" % (sal.symtab.filename, sal.line)
    else:
        solib = gdb.solib_name(pc)
        if solib:
            where = " from %s" % solib
    return "0x%x in %s ()%s" % (pc, name, where)


def arm_release():
    """Makes the parked threads of a process restored with
    --stop-for-debugger run on when gdb continues (or detaches).

    The library releases them when its checkpoint thread sees a tracer in
    /proc/thread-self/status, but a debugger outside the process's pid
    namespace shows there as TracerPid 0, so it never does.  Its other
    release condition is the file dmtcp_restart --gdb creates when its gdb
    exits, named in the restored process's dmtcp_handoff.gdb_done: create
    it now.  The checkpoint thread is stopped by ptrace until gdb resumes
    the process, so the threads stay parked until then.  Returns the path,
    or None when the process has no such file name (not parked)."""
    try:
        path = gdb.parse_and_eval("dmtcp_handoff.gdb_done").string()
    except (gdb.error, UnicodeDecodeError):
        return None
    if not path:
        return None
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC,
                         0o600))
    except OSError as e:
        gdb.write("dmtcp: cannot create %s (the threads may stay parked "
                  "after continue): %s\n" % (path, e), gdb.STDERR)
        return None
    return path


def prepare_attach(pid):
    """Before `attach pid`: when gdb cannot enter the process's mount
    namespace (unprivileged, the restored process has its own user
    namespace), gdb's default sysroot "target:" fails with "could not open
    as an executable file: Operation not permitted" and no symbols load.
    The restored process sees the same files as the host, so read them
    from the host: `set sysroot /`.  Done once, with a note."""
    if os.geteuid() == 0:
        return
    try:
        same = os.readlink("/proc/%d/ns/mnt" % pid) == \
            os.readlink("/proc/self/ns/mnt")
    except OSError:
        return
    if same:
        return
    sysroot = gdb.parameter("sysroot") or ""
    if sysroot not in ("target:", "target"):
        return
    gdb.execute("set sysroot /", to_string=True)
    gdb.write("dmtcp: 'set sysroot /' (gdb cannot read files through the "
              "restored process's mount namespace)\n")


def program_frame(frame):
    """The first frame at or above frame (towards main) whose code is in
    the main executable and has a name: the program's own function, past
    libc and the toolkit's wrappers.  None if there is none."""
    while frame is not None:
        try:
            pc = frame.pc()
            if frame.name() and gdb.solib_name(pc) is None and \
                    frame.type() in (gdb.NORMAL_FRAME, gdb.INLINE_FRAME):
                return frame
            frame = frame.older()
        except gdb.error:
            return None
    return None


_IMG_NAME = re.compile(
    r"^ckpt_(?P<prog>.+)_(?P<uid>[0-9a-f]+-(?P<vpid>\d+)-[0-9a-f]+)_"
    r"(?P<gen>\d+)(?P<crash>_crash)?\.dmtcp$")


def image_name_fields(path):
    """{prog, uid, vpid, gen, crash} from an image's name
    (ckpt_PROG_HOSTID-PID-TIME_GENERATION[_crash].dmtcp), None if not so
    named."""
    m = _IMG_NAME.match(os.path.basename(path))
    if not m:
        return None
    return {"prog": m.group("prog"), "uid": m.group("uid"),
            "vpid": int(m.group("vpid")), "gen": int(m.group("gen")),
            "crash": bool(m.group("crash"))}


def ns_tid(tid):
    """The tid a host tid has in its own pid namespace."""
    return ns_pids(tid)[-1]


def quiet_ckpt_signal():
    """`handle SIG nostop noprint pass` for the inferior's checkpoint
    signal: the checkpoints of a restored computation (a timeline's
    interval snapshots) run without stopping gdb each time."""
    from . import debuginfo
    di = debuginfo.read()
    n = (di or {}).get("ckpt_signal") or 0
    if not n:
        try:
            n = int(proc_environ(inferior_pid()).get("DMTCP_SIGCKPT") or 12)
        except ValueError:
            n = 12
    import signal
    try:
        name = signal.Signals(n).name
    except ValueError:
        name = "SIG%d" % n          # a real-time signal: gdb's SIG34...
    try:
        gdb.execute("handle %s nostop noprint pass" % name, to_string=True)
    except gdb.error:
        pass


@contextlib.contextmanager
def quiet_cli():
    """gdb's stop reports off ("Thread 1 received signal SIGINT", the
    toolkit's handler frame after an attach): the commands show the
    frame that matters themselves."""
    try:
        old = gdb.parameter("suppress-cli-notifications")
        gdb.execute("set suppress-cli-notifications on", to_string=True)
    except (gdb.error, RuntimeError):
        old = None
    try:
        yield
    finally:
        if old is False:
            gdb.execute("set suppress-cli-notifications off",
                        to_string=True)


def ns_pids(pid):
    """NSpid of /proc/PID/status: [pid here, ..., pid in its own pid
    namespace]; [pid] when unreadable."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("NSpid:"):
                    return [int(x) for x in line.split()[1:]]
    except (OSError, ValueError):
        pass
    return [pid]
