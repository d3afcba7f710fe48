#
# dmtcp_gdb/timeline.py - `dmtcp timeline` and `dmtcp goto`: the
# snapshots of the inferior's timeline and a jump to any of them.
#
# The timeline is `dmtcp_inspect timeline DIR --json` on the inferior's
# timeline directory (dmtcp_debug_info.ckpt_dir, else its checkpoint
# directory).  A dmtcp_inspect without that command gives a timeline made
# here from the image names (ckpt_PROG_ID-PID-TIME_GEN.dmtcp): one
# snapshot per generation, untagged.  `goto` restores every process of the
# snapshot with `dmtcp_restart --stop-for-debugger` (rewind.py) and
# attaches to the process with the inferior's pid; the others stay parked
# until gdb continues it (`dmtcp processes`, `dmtcp attach`).
#

import glob
import json
import os
import subprocess

import gdb

from . import debuginfo, rewind, util
from .util import Error, state


def timeline_dir(pid=None, di=None):
    """The timeline directory of the inferior (or the last one used)."""
    di = di if di is not None else debuginfo.read()
    if di and di.get("ckpt_dir") and os.path.isdir(di["ckpt_dir"]):
        return di["ckpt_dir"]
    if state.get("timeline_dir"):
        return state["timeline_dir"]
    for d in util.ckpt_dirs(pid or util.inferior_pid()):
        if glob.glob(os.path.join(d, "ckpt_*.dmtcp")):
            return os.path.realpath(d)
    raise Error("no timeline directory: the inferior has no checkpoint "
                "directory with images (DMTCP_CHECKPOINT_DIR, dmtcp_launch "
                "--timeline DIR)")


def _proc_entry(p, base):
    if isinstance(p, str):
        p = {"image": p}
    img = p.get("image") or p.get("path") or ""
    if img and not os.path.isabs(img):
        img = os.path.join(base, img)
    f = util.image_name_fields(img) or {}
    vpid = p.get("vpid", p.get("pid", f.get("vpid", 0)))
    try:
        vpid = int(vpid)
    except (TypeError, ValueError):
        vpid = 0
    return {"image": img, "vpid": vpid,
            "program": p.get("program") or f.get("prog") or "?"}


def _int(v, default=0):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _normalize(doc, base):
    """dmtcp_inspect timeline --json: a list of snapshots {number,
    generation, prev_generation, trigger, tag, images: [path], ...}
    (paths relative to base, the directory it ran in)."""
    snaps = doc.get("snapshots", []) if isinstance(doc, dict) else doc
    out = []
    for i, s in enumerate(snaps or []):
        if not isinstance(s, dict):
            continue
        procs = s.get("images")
        if not isinstance(procs, list):
            procs = s.get("processes")
        if not isinstance(procs, list):
            procs = [s["image"]] if isinstance(s.get("image"), str) else []
        out.append({
            "number": _int(s.get("number", s.get("index")), i + 1),
            "generation": _int(s.get("generation")),
            "prev_generation": _int(s.get("prev_generation"), -1),
            "tag": str(s.get("tag") or ""),
            "trigger": str(s.get("trigger") or ""),
            "time": s.get("time_s", s.get("time", "")),
            "processes": sorted((_proc_entry(p, base) for p in procs),
                                key=lambda x: x["vpid"]),
        })
    return out


def _from_names(d):
    """One snapshot per generation from the image names in d."""
    gens = {}
    crash = set()
    for p in glob.glob(os.path.join(d, "ckpt_*.dmtcp")):
        f = util.image_name_fields(p)
        if f:
            gens.setdefault(f["gen"], []).append(
                {"image": p, "vpid": f["vpid"], "program": f["prog"]})
            if f["crash"]:
                crash.add(f["gen"])
    out = []
    for i, g in enumerate(sorted(gens)):
        out.append({"number": i + 1, "generation": g, "tag": "",
                    "prev_generation": -1,
                    "trigger": "crash" if g in crash else "", "time": "",
                    "processes": sorted(gens[g], key=lambda x: x["vpid"])})
    return out


def load(d):
    """[snapshot] of timeline directory d, oldest first."""
    inspect = util.find_tool("dmtcp_inspect")
    cmd = [inspect, "--json", "timeline", d]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60,
                           env=util.tool_env())
    except subprocess.TimeoutExpired:
        raise Error("%s timed out" % " ".join(cmd))
    err = r.stderr.decode(errors="replace").strip()
    if r.returncode != 0 and "unknown command" in err:
        if not state.get("timeline_note"):
            gdb.write("dmtcp: %s has no 'timeline' command: snapshots "
                      "listed from the image names of %s\n" % (inspect, d))
            state["timeline_note"] = True
        return _from_names(d)
    if r.returncode != 0:
        raise Error("%s failed (status %d): %s" % (" ".join(cmd),
                                                   r.returncode, err))

    try:
        return _normalize(json.loads(r.stdout.decode(errors="replace")),
                          os.getcwd())
    except (ValueError, TypeError, AttributeError) as e:
        raise Error("%s printed no valid timeline: %s" % (" ".join(cmd), e))


def current_snapshot(snaps, di=None):
    """The snapshot the inferior's state comes from, or None."""
    di = di if di is not None else debuginfo.read()
    want = []
    img = debuginfo.origin_image(di)
    if img:
        want.append(os.path.realpath(img))
    if state.get("last_image"):
        want.append(os.path.realpath(state["last_image"]))
    for w in want:
        for s in snaps:
            for p in s["processes"]:
                if p["image"] and os.path.realpath(p["image"]) == w:
                    return s
    if di and di.get("generation"):
        for s in snaps:
            if s["generation"] == di["generation"]:
                return s
    return None


def pick(snaps, arg, cur):
    """The snapshot named by N, TAG, -1 or +1."""
    if not snaps:
        raise Error("the timeline has no snapshot")
    if arg in ("-1", "+1"):
        if cur is None:
            raise Error("dmtcp goto %s: the process does not come from a "
                        "snapshot of this timeline (give a number)" % arg)
        # along the branch: the state cur continues, or one continuing it
        if arg == "-1":
            near = [s for s in snaps
                    if s["generation"] == cur["prev_generation"]]
        else:
            near = [s for s in snaps
                    if s["prev_generation"] == cur["generation"]]
        if near:
            return near[0]
        i = snaps.index(cur) + int(arg)
        if i < 0 or i >= len(snaps):
            raise Error("dmtcp goto %s: snapshot %d is the %s one" % (
                arg, cur["number"], "first" if i < 0 else "last"))
        return snaps[i]
    if arg.lstrip("-").isdigit():
        n = int(arg)
        for s in snaps:
            if s["number"] == n:
                return s
        raise Error("dmtcp goto: no snapshot %d (the timeline has %d..%d)"
                    % (n, snaps[0]["number"], snaps[-1]["number"]))
    tagged = [s for s in snaps if s["tag"] == arg]
    if not tagged:
        raise Error("dmtcp goto: no snapshot tagged '%s' ('dmtcp timeline' "
                    "lists them%s)" % (arg, "; this dmtcp_inspect has no "
                                       "timeline command, which reads the "
                                       "tags" if state.get("timeline_note")
                                       else ""))
    return tagged[-1]


def describe(s):
    return "snapshot %d (generation %d%s)" % (
        s["number"], s["generation"],
        ", tag '%s'" % s["tag"] if s["tag"] else "")


class DmtcpTimeline(gdb.Command):
    """List the snapshots of the inferior's timeline.

Usage: dmtcp timeline [DIR]

One line per snapshot: number, generation, tag, trigger, processes (pid
and program) from `dmtcp_inspect timeline DIR --json`.  "*" marks the
snapshot the inferior's state comes from.  DIR defaults to the inferior's
timeline directory (dmtcp_launch --timeline, its dmtcp_debug_info), else
its checkpoint directory.  `dmtcp goto N` goes to snapshot N."""

    def __init__(self):
        super().__init__("dmtcp timeline", gdb.COMMAND_STATUS,
                         gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) > 1:
            raise Error("dmtcp timeline: one directory at most")
        di = debuginfo.read()
        d = os.path.abspath(args[0]) if args else timeline_dir(di=di)
        if not os.path.isdir(d):
            raise Error("dmtcp timeline: %s is not a directory" % d)
        snaps = load(d)
        cur = current_snapshot(snaps, di)
        gdb.write("timeline %s: %d snapshot%s\n" % (
            d, len(snaps), "" if len(snaps) == 1 else "s"))
        for s in snaps:
            procs = " ".join("%d:%s" % (p["vpid"], p["program"])
                             for p in s["processes"])
            gdb.write("%s %3d  gen %-4d %-16s %-9s %s\n" % (
                "*" if s is cur else " ", s["number"], s["generation"],
                s["tag"] or "-", s["trigger"] or "-", procs))


def goto(s, keep=False, want=0):
    """Restores every process of snapshot s and attaches to the one with
    pid want, else the inferior's pid, else the first.  Returns the host
    pid."""
    di = debuginfo.read()
    pid = util.inferior_pid()
    want = want or (di or {}).get("vpid") or \
        (util.ns_pids(pid)[-1] if pid else state.get("goto_vpid"))
    procs = s["processes"]
    if not procs:
        raise Error("%s has no image" % describe(s))
    target = next((p for p in procs if p["vpid"] == want), procs[0])
    if want and target["vpid"] != want:
        gdb.write("dmtcp goto: process %d is not in %s; attaching to %d "
                  "(%s)\n" % (want, describe(s), target["vpid"],
                              target["program"]))
    util.remember_inferior_env(pid)
    util.find_tool("dmtcp_restart")
    if pid and not keep and rewind._shares_pid_namespace(pid):
        raise Error("dmtcp goto: this gdb runs inside the restored "
                    "process's pid namespace (dmtcp_restart --gdb): use "
                    "'dmtcp goto --keep ...' or debug from outside")
    restored = state.get("restart_proc") is not None
    drop_all_inferiors(keep)
    if not keep:
        rewind.kill_restored_computation()
        if len(procs) > 1 and not restored and pid:
            _kill_launched_peers()
    others = [p["image"] for p in procs if p is not target]
    newpid = rewind.restore_and_attach(target["image"], quiet=True,
                                       others=others, vpid=target["vpid"])
    state["goto_vpid"] = target["vpid"]
    state["snapshot_procs"] = procs
    return newpid, target


def drop_all_inferiors(keep=False):
    """Kills (keep: detaches) the process of every gdb inferior (a goto
    replaces the whole computation), then selects inferior 1 for the
    next attach; the other inferiors stay, empty."""
    with util.quiet_cli():
        for inf in sorted(gdb.inferiors(), key=lambda i: -i.num):
            if inf.pid:
                gdb.execute("inferior %d" % inf.num, to_string=True)
                rewind.drop_inferior(keep)
        first = min(gdb.inferiors(), key=lambda i: i.num)
        gdb.execute("inferior %d" % first.num, to_string=True)


def _kill_launched_peers():
    """A launched computation of several processes: its coordinator kills
    them before the snapshot's processes are restored (two copies of a
    computation must not share the coordinator)."""
    env = util.tool_env()
    if "DMTCP_COORD_PORT" not in env:
        return
    try:
        subprocess.run([util.find_tool("dmtcp_command"), "--kill"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env, timeout=20)
    except (subprocess.TimeoutExpired, OSError):
        pass


def goto_and_report(s, keep=False, want=0):
    newpid, target = goto(s, keep, want)
    gdb.write("dmtcp goto: %s, process %d (%s) restored as pid %d; every "
              "thread parked at the snapshot\n" % (
                  describe(s), target["vpid"], target["program"], newpid))
    gdb.execute("frame", to_string=False)  # restore_and_attach selected it


class DmtcpGoto(gdb.Command):
    """Go to a snapshot of the timeline: restore the computation there.

Usage: dmtcp goto [--keep] N|TAG|-1|+1

N is a snapshot number of `dmtcp timeline`, TAG a snapshot's tag (the
newest with it), -1 / +1 the snapshot before / after the one the inferior
comes from.  Kills the inferior's computation (every process a previous
goto or rewind restored), restores every process of the snapshot with
`dmtcp_restart --stop-for-debugger`, attaches to the process with the
inferior's pid, and selects the program's frame where the snapshot
interrupted it.  Breakpoints are kept.  Going to the same snapshot twice
gives the same state.  The other processes stay parked until gdb first
continues the attached one: `dmtcp processes`, `dmtcp attach PID`.
With --keep the current computation is detached and runs on instead of
being killed (inside `dmtcp_restart --gdb`, where killing it would end
this gdb's pid namespace, that is the only way)."""

    def __init__(self):
        super().__init__("dmtcp goto", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        args = gdb.string_to_argv(arg)
        keep = "--keep" in args
        args = [a for a in args if a != "--keep"]
        if len(args) != 1:
            raise Error("usage: dmtcp goto [--keep] N|TAG|-1|+1")
        di = debuginfo.read()
        d = timeline_dir(di=di)
        state["timeline_dir"] = d
        snaps = load(d)
        s = pick(snaps, args[0], current_snapshot(snaps, di))
        goto_and_report(s, keep)
