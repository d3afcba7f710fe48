#
# dmtcp_gdb/checkpoint.py - `dmtcp checkpoint`: checkpoint the inferior
# through its coordinator from inside gdb.
#
# A checkpoint needs the inferior running: the coordinator asks its
# checkpoint thread, which signals every thread and waits for all of them.
# A Python command cannot let gdb's event loop run while it waits, and a
# Python thread cannot run while gdb.execute() holds the GIL, so the
# default mode hands the waiting to a small shell: it runs
# `dmtcp_command --bcheckpoint` and then sends SIGINT to the inferior,
# while this command continues the inferior in the foreground, with the
# checkpoint signal passed silently and the breakpoints disabled.  gdb stops
# on the SIGINT (not passed to the program) once the image is written.
# --detach instead detaches, checkpoints and attaches again.
#

import os
import re
import signal
import subprocess
import time

import gdb

from . import util
from .util import Error, state

CKPT_TIMEOUT = 300


def _ckpt_signal_name(env):
    try:
        n = int(env.get("DMTCP_SIGCKPT", "") or signal.SIGUSR2)
        return signal.Signals(n).name
    except ValueError:
        return "SIGUSR2"


def _command_env(env):
    e = dict(os.environ)
    for k in util.COORD_VARS:
        if k in env:
            e[k] = env[k]
    return e


def _pick_image(out, pid):
    imgs = re.findall(r"^\s*IMAGE=(.+)$", out, re.M)
    mine = "-%d-" % util.ns_pids(pid)[-1]
    for i in imgs:
        if mine in os.path.basename(i):
            return i
    return imgs[0] if imgs else None


def _with_quiet_signal(sig, fn):
    old = gdb.execute("info signals %s" % sig, to_string=True)
    gdb.execute("handle %s nostop noprint pass" % sig, to_string=True)
    try:
        return fn()
    finally:
        # restore what the user had (columns: Stop Print Pass)
        m = re.search(r"^%s\s+(Yes|No)\s+(Yes|No)\s+(Yes|No)" % sig, old,
                      re.M)
        if m:
            gdb.execute("handle %s %s %s %s" % (
                sig, "stop" if m.group(1) == "Yes" else "nostop",
                "print" if m.group(2) == "Yes" else "noprint",
                "pass" if m.group(3) == "Yes" else "nopass"), to_string=True)


def _enabled_breakpoints():
    return [b for b in (gdb.breakpoints() or ()) if b.enabled]


def _checkpoint_running(pid, cmd, env, logpath):
    """Default mode: a shell waits for the checkpoint and interrupts the
    inferior; gdb runs it meanwhile."""
    script = '"$@" >"$DMTCP_GDB_LOG" 2>&1; rc=$?; ' \
        'echo "RC=$rc" >>"$DMTCP_GDB_LOG"; kill -INT "$DMTCP_GDB_PID"'
    env = dict(env, DMTCP_GDB_LOG=logpath, DMTCP_GDB_PID=str(pid))
    sh = subprocess.Popen(["sh", "-c", script, "sh"] + cmd,
                          stdin=subprocess.DEVNULL, env=env,
                          start_new_session=True)
    bps = _enabled_breakpoints()
    for b in bps:
        b.enabled = False
    try:
        def run():
            gdb.execute("continue", to_string=True)
        _with_quiet_signal(_ckpt_signal_name(util.proc_environ(pid)), run)
    finally:
        for b in bps:
            if b.is_valid():
                b.enabled = True
    try:
        sh.wait(timeout=CKPT_TIMEOUT)
    except subprocess.TimeoutExpired:
        sh.kill()
        sh.wait()
        raise Error("dmtcp_command --bcheckpoint did not finish within "
                    "%d s" % CKPT_TIMEOUT)


def _checkpoint_detached(pid, cmd, env, logpath):
    """--detach: detach, checkpoint, attach again."""
    gdb.execute("detach", to_string=True)
    try:
        with open(logpath, "wb") as log:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT, env=env,
                               timeout=CKPT_TIMEOUT)
        with open(logpath, "a") as log:
            log.write("RC=%d\n" % r.returncode)
    finally:
        util.prepare_attach(pid)
        gdb.execute("attach %d" % pid, to_string=True)


class DmtcpCheckpoint(gdb.Command):
    """Checkpoint the inferior through its coordinator, then stop it again.

Usage: dmtcp checkpoint [--detach]

Runs `dmtcp_command --bcheckpoint` against the coordinator named in the
inferior's environment (DMTCP_COORD_HOST/DMTCP_COORD_PORT, with its
DMTCP_TMPDIR for the coordinator's secret).  A checkpoint needs the
process running, so the inferior is continued until the image is written
(breakpoints disabled meanwhile, the checkpoint signal passed silently),
then interrupted: it stops wherever it was then, not where it stood when
you typed the command.  Every process of the computation is checkpointed.

With --detach, gdb detaches, checkpoints and attaches again instead (use it
when continuing under gdb is not wanted).

The image becomes the default of `dmtcp rewind` and `dmtcp info`."""

    def __init__(self):
        super().__init__("dmtcp checkpoint", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        args = gdb.string_to_argv(arg)
        detach = False
        for a in args:
            if a == "--detach":
                detach = True
            else:
                raise Error("dmtcp checkpoint: unknown argument %s (see "
                            "'help dmtcp checkpoint')" % a)
        pid = util.inferior_pid()
        if not pid:
            raise Error("dmtcp checkpoint: no process")
        env = dict(state["env"])
        env.update(util.remember_inferior_env(pid))
        if "DMTCP_COORD_PORT" not in env:
            raise Error("dmtcp checkpoint: process %d has no "
                        "DMTCP_COORD_PORT in its environment: was it "
                        "started with dmtcp_launch?" % pid)
        cmd = [util.find_tool("dmtcp_command"), "--bcheckpoint"]
        logdir = os.environ.get("TMPDIR", "/tmp")
        logpath = os.path.join(logdir, "dmtcp-gdb-ckpt.%d.%d.log" %
                               (os.getpid(), int(time.time() * 1000)))
        tenv = _command_env(env)
        if detach:
            _checkpoint_detached(pid, cmd, tenv, logpath)
        else:
            _checkpoint_running(pid, cmd, tenv, logpath)
        try:
            with open(logpath, errors="replace") as f:
                out = f.read()
            os.unlink(logpath)
        except OSError:
            out = ""
        m = re.search(r"^RC=(\d+)$", out, re.M)
        if not m or m.group(1) != "0":
            raise Error("dmtcp_command --bcheckpoint failed (coordinator "
                        "port %s): %s" % (env.get("DMTCP_COORD_PORT"),
                                          out.strip()))
        img = _pick_image(out, pid)
        if img:
            state["last_image"] = img
        gdb.write("dmtcp checkpoint: %s\n" % (img or "(no IMAGE= line)"))
        try:
            gdb.execute("frame", to_string=False)
        except gdb.error:
            pass
