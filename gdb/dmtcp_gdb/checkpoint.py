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
# So that the image holds exactly the state gdb shows, the command sets
# dmtcp_debug_info.hold and queues the checkpoint signal to every
# application thread before it continues: each thread takes the signal
# before running any instruction of its own and the library parks it
# there.  The wait is bounded: when the checkpoint does not complete in
# time (a peer stopped by another debugger, a coordinator busy with
# another checkpoint), the command stops the inferior and prints the
# coordinator's status (`dmtcp_command -s`) instead of hanging.
#

import os
import re
import signal
import subprocess
import time

import gdb

from . import debuginfo, frames, session, util
from .util import Error, state

CKPT_TIMEOUT = 60


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


def _app_threads():
    """The threads of the program (not the toolkit's, named dmtcp:*)."""
    inf = gdb.selected_inferior()
    return [t for t in inf.threads()
            if t.is_valid() and not (t.name or "").startswith("dmtcp:")]


def _queue_ckpt_signal(sig):
    """Queues the checkpoint signal to every application thread, so each
    takes it (and parks, with hold set) before running on."""
    old = gdb.selected_thread()
    try:
        for t in _app_threads():
            t.switch()
            gdb.execute("queue-signal %s" % sig, to_string=True)
    finally:
        if old is not None and old.is_valid():
            old.switch()


def coordinator_status(env):
    """`dmtcp_command -s` (the coordinator's view), one line."""
    try:
        r = subprocess.run([util.find_tool("dmtcp_command"), "-s"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env, timeout=10)
    except (subprocess.TimeoutExpired, OSError, Error) as e:
        return "(dmtcp_command -s: %s)" % e
    return " ".join(r.stdout.decode(errors="replace").split())


# the checkpoint, retried while the coordinator is busy with another one
# (an interval snapshot), at most $DMTCP_GDB_TIMEOUT s in all
_CKPT_SCRIPT = """
end=$(( $(date +%s) + DMTCP_GDB_TIMEOUT ))
while :; do
    left=$(( end - $(date +%s) )); [ "$left" -ge 1 ] || left=1
    timeout -k 2 "$left" "$@" >"$DMTCP_GDB_LOG" 2>&1; rc=$?
    if [ "$rc" -eq 3 ] && grep -q 'already in progress' "$DMTCP_GDB_LOG" &&
        [ "$(date +%s)" -lt "$end" ]; then
        sleep 0.1; continue
    fi
    break
done
echo "RC=$rc" >>"$DMTCP_GDB_LOG"
kill -STOP "$DMTCP_GDB_PID"
"""

# until the coordinator's computation runs (no checkpoint in progress)
_SETTLE_SCRIPT = """
end=$(( $(date +%s) + DMTCP_GDB_TIMEOUT ))
while [ "$(date +%s)" -lt "$end" ]; do
    "$1" -s 2>/dev/null | grep -q '^RUNNING=yes' && break
    sleep 0.05
done
kill -STOP "$DMTCP_GDB_PID"
"""


def _running_now(command, env):
    try:
        r = subprocess.run([command, "-s"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           env=env, timeout=10)
    except (subprocess.TimeoutExpired, OSError):
        return True
    return not re.search(rb"^RUNNING=no", r.stdout, re.M)


def _run_inferior_while(pid, script, args, env, sig, timeout):
    """Continues the inferior (breakpoints disabled, the checkpoint signal
    passed silently) while a shell runs script, which ends by sending
    SIGINT to the inferior: gdb stops there."""
    sh = subprocess.Popen(["sh", "-c", script, "sh"] + args,
                          stdin=subprocess.DEVNULL, env=env,
                          start_new_session=True)
    bps = _enabled_breakpoints()
    for b in bps:
        b.enabled = False
    try:
        def run():
            with util.quiet_cli():
                gdb.execute("continue", to_string=True)
        _with_quiet_signal(sig, run)
    finally:
        for b in bps:
            if b.is_valid():
                b.enabled = True
    try:
        sh.wait(timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        sh.kill()
        sh.wait()


def _checkpoint_running(pid, cmd, env, logpath, timeout, hold):
    """Default mode: a shell waits (at most timeout s) for the checkpoint
    and interrupts the inferior; gdb runs it meanwhile.  With hold, the
    application threads park on the checkpoint signal first."""
    env = dict(env, DMTCP_GDB_LOG=logpath, DMTCP_GDB_PID=str(pid),
               DMTCP_GDB_TIMEOUT=str(timeout))
    sig = _ckpt_signal_name(util.proc_environ(pid))
    if not _running_now(cmd[0], env):
        # a checkpoint (an interval snapshot) waits for this process,
        # which gdb holds: let it finish first
        gdb.write("dmtcp checkpoint: a checkpoint is in progress; letting "
                  "the inferior run until it completes\n")
        _run_inferior_while(pid, _SETTLE_SCRIPT, [cmd[0]], env, sig,
                            timeout)
        if not _running_now(cmd[0], env):
            raise Error("dmtcp checkpoint: the coordinator's checkpoint in "
                        "progress did not complete within %d s: %s" %
                        (timeout, coordinator_status(env)))
        gdb.write("dmtcp checkpoint: the state is now:\n")
        frames.select_program_frame()
    if hold:
        hold = debuginfo.set_hold(1)
    if hold:
        _queue_ckpt_signal(sig)
    _run_inferior_while(pid, _CKPT_SCRIPT, cmd, env, sig, 2 * timeout)
    return hold


def _checkpoint_detached(pid, cmd, env, logpath, timeout):
    """--detach: detach, checkpoint, attach again."""
    gdb.execute("detach", to_string=True)
    try:
        with open(logpath, "wb") as log:
            try:
                rc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    env=env, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                rc = 124
        with open(logpath, "a") as log:
            log.write("RC=%d\n" % rc)
    finally:
        util.prepare_attach(pid)
        gdb.execute("attach %d" % pid, to_string=True)


def _help_of(command):
    """`command --help`, "" if it cannot run."""
    try:
        r = subprocess.run([command, "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        return r.stdout.decode(errors="replace")
    except (subprocess.TimeoutExpired, OSError):
        return ""


class DmtcpCheckpoint(gdb.Command):
    """Checkpoint the inferior through its coordinator, as gdb shows it.

Usage: dmtcp checkpoint [--detach] [--timeout SECONDS] [TAG]

Runs `dmtcp_command --bcheckpoint` against the coordinator named in the
inferior's environment (DMTCP_COORD_HOST/DMTCP_COORD_PORT, with its
DMTCP_TMPDIR for the coordinator's secret); TAG names the snapshot in the
timeline (`dmtcp timeline`, `dmtcp goto TAG`).  A checkpoint needs the
process running, so the inferior is continued until the image is written
(breakpoints disabled meanwhile, the checkpoint signal passed silently),
then interrupted.  With a library that exports dmtcp_debug_info, every
application thread is sent the checkpoint signal first and parks on it
before running on: the image holds exactly the state gdb showed, and the
threads stand where they stood.  (Older libraries: the inferior runs on a
little.)  Every process of the computation is checkpointed.

When the checkpoint does not complete within SECONDS (default 60: a peer
stopped by another debugger, a busy coordinator), the inferior is stopped
again and the coordinator's status (`dmtcp_command -s`) says why.

With --detach, gdb detaches, checkpoints and attaches again instead (use it
when continuing under gdb is not wanted).

The image becomes the default of `dmtcp rewind` and `dmtcp info`."""

    def __init__(self):
        super().__init__("dmtcp checkpoint", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        args = gdb.string_to_argv(arg)
        detach = False
        tag = None
        timeout = CKPT_TIMEOUT
        while args:
            a = args.pop(0)
            if a == "--detach":
                detach = True
            elif a == "--timeout" and args:
                try:
                    timeout = int(args.pop(0))
                except ValueError:
                    timeout = 0
                if timeout <= 0:
                    raise Error("dmtcp checkpoint: --timeout takes a "
                                "positive number of seconds")
            elif a.startswith("-"):
                raise Error("dmtcp checkpoint: unknown option %s (see "
                            "'help dmtcp checkpoint')" % a)
            elif tag is None:
                tag = a
            else:
                raise Error("dmtcp checkpoint: one TAG at most (quote it)")
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
        helptext = _help_of(cmd[0])
        if "--from-gdb" in helptext:
            cmd.append("--from-gdb")    # the snapshot's trigger: gdb
        if tag is not None:
            if "--tag" not in helptext:
                raise Error("dmtcp checkpoint: %s cannot tag checkpoints "
                            "(no --tag option): checkpoint without TAG, or "
                            "use a newer toolkit" % cmd[0])
            cmd += ["--tag", tag]
        logpath = os.path.join(session.session_dir(), "ckpt.%d.log" %
                               int(time.time() * 1000))
        tenv = _command_env(env)
        # an unreachable coordinator fails here, before the inferior moves
        try:
            st = subprocess.run([cmd[0], "-s"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=tenv,
                                timeout=20)
            rc, sout = st.returncode, st.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired:
            rc, sout = 124, "no answer within 20 s"
        if rc != 0:
            raise Error("dmtcp checkpoint: the coordinator (port %s) does "
                        "not answer: %s" % (env.get("DMTCP_COORD_PORT"),
                                            sout.strip()))
        hold = False
        if detach:
            _checkpoint_detached(pid, cmd, tenv, logpath, timeout)
        else:
            hold = _checkpoint_running(pid, cmd, tenv, logpath, timeout,
                                       debuginfo.read() is not None)
        try:
            with open(logpath, errors="replace") as f:
                out = f.read()
            os.unlink(logpath)
        except OSError:
            out = ""
        m = re.search(r"^RC=(\d+)$", out, re.M)
        if m and m.group(1) in ("124", "137"):
            status = coordinator_status(tenv)
            if hold:
                debuginfo.set_hold(0)
            raise Error("dmtcp checkpoint: the checkpoint did not complete "
                        "within %d s; the inferior is stopped again.  "
                        "Coordinator: %s.  A process of the computation "
                        "stopped (by another debugger, SIGSTOP) or a "
                        "checkpoint already running keeps it from "
                        "completing; it completes once they run" %
                        (timeout, status))
        if not m or m.group(1) != "0":
            if hold:
                debuginfo.set_hold(0)
            raise Error("dmtcp_command --bcheckpoint failed (coordinator "
                        "port %s): %s" % (env.get("DMTCP_COORD_PORT"),
                                          out.strip()))
        img = _pick_image(out, pid)
        di = debuginfo.read()
        if di and di.get("last_image"):
            img = di["last_image"]
        if img:
            state["last_image"] = img
        gdb.write("dmtcp checkpoint: %s\n" % (img or "(no IMAGE= line)"))
        if tag:
            gdb.write("dmtcp checkpoint: tagged '%s'\n" % tag)
        frames.select_program_frame()
