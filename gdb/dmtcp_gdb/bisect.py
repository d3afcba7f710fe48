#
# dmtcp_gdb/bisect.py - `dmtcp bisect EXPR`: find offline the first
# snapshot of the timeline where EXPR is true (or changes), with
# `dmtcp_inspect bisect DIR EXPR --json`, then `dmtcp goto` the snapshot
# before it: a `watch` on the culprit and `continue` then stop at the
# write that made EXPR true.
#

import json
import os
import subprocess

import gdb

from . import debuginfo, timeline, util
from .util import Error, state

BISECT_TIMEOUT = 300


def _snap_of(d):
    """(number, image, value) of one side of bisect's answer."""
    if not isinstance(d, dict):
        return None
    return {"number": d.get("number", d.get("snapshot")),
            "image": d.get("image") or d.get("path"),
            "value": d.get("value")}


def run_bisect(d, expr, changes=False, linear=False, vpid=0):
    inspect = util.find_tool("dmtcp_inspect")
    cmd = [inspect, "--json", "bisect"]
    if changes:
        cmd.append("--changes")
    if linear:
        cmd.append("--linear")
    if vpid:
        cmd += ["--pid", str(vpid)]     # the process gdb debugs
    cmd += [d, expr]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=BISECT_TIMEOUT,
                           env=util.tool_env())
    except subprocess.TimeoutExpired:
        raise Error("dmtcp bisect: %s did not finish within %d s" %
                    (" ".join(cmd), BISECT_TIMEOUT))
    err = r.stderr.decode(errors="replace").strip()
    if r.returncode != 0 and "unknown command" in err:
        raise Error("dmtcp bisect: %s has no 'bisect' command (a toolkit "
                    "older than the timeline): set DMTCP_BINDIR to a newer "
                    "one" % inspect)
    try:
        doc = json.loads(r.stdout.decode(errors="replace") or "null")
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise Error("dmtcp bisect: %s failed (status %d): %s" % (
            " ".join(cmd), r.returncode, err or "no JSON output"))
    if doc.get("error"):
        raise Error("dmtcp bisect: %s" % doc["error"])
    if doc.get("found") is False:
        return None, None, doc
    bad = _snap_of(doc.get("first_bad") or doc.get("first") or
                   doc.get("bad"))
    good = _snap_of(doc.get("before") or doc.get("last_good") or
                    doc.get("good"))
    for side in (bad, good):
        if side and side["image"] and not os.path.isabs(side["image"]):
            side["image"] = os.path.join(os.getcwd(), side["image"])
    return bad, good, doc


class DmtcpBisect(gdb.Command):
    """Find the first snapshot where EXPR is true, go to the one before it.

Usage: dmtcp bisect [--changes] [--linear] [--pid PID] EXPR

Evaluates the C expression EXPR offline in the snapshots of the inferior's
timeline, in the images of the process gdb debugs (`dmtcp_inspect --json
bisect --pid PID DIR EXPR`: globals, members,
pointers followed) and finds the first one where it is true (--changes:
where its value differs from the first snapshot's; --linear: scan every
snapshot instead of bisecting, for conditions that do not stay true;
--pid: in the images of that process of the computation, default the one
gdb debugs, else the first).
Prints that snapshot and the one before with EXPR's value in each, then
`dmtcp goto`es the one before: set a `watch` on what EXPR reads and
`continue` to stop at the write."""

    def __init__(self):
        super().__init__("dmtcp bisect", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        changes = linear = False
        want = 0
        rest = arg.strip()
        while rest.startswith("--"):
            word, _, rest = rest.partition(" ")
            rest = rest.strip()
            if word == "--changes":
                changes = True
            elif word == "--linear":
                linear = True
            elif word == "--pid":
                num, _, rest = rest.partition(" ")
                rest = rest.strip()
                if not num.isdigit() or int(num) <= 0:
                    raise Error("dmtcp bisect: --pid takes a pid (as in "
                                "'dmtcp timeline')")
                want = int(num)
            else:
                raise Error("dmtcp bisect: unknown option %s" % word)
        expr = rest
        if not expr:
            raise Error("usage: dmtcp bisect [--changes] [--linear] "
                        "[--pid PID] EXPR")
        di = debuginfo.read()
        d = timeline.timeline_dir(di=di)
        state["timeline_dir"] = d
        pid = util.inferior_pid()
        vpid = want or (di or {}).get("vpid") or \
            (util.ns_pids(pid)[-1] if pid else state.get("goto_vpid") or 0)
        bad, good, _doc = run_bisect(d, expr, changes, linear, vpid)
        if bad is None:
            gdb.write("dmtcp bisect: %s is %s in no snapshot of %s\n" % (
                expr, "changing" if changes else "true", d))
            return
        gdb.write("first bad: snapshot %s  %s = %s  (%s)\n" % (
            bad["number"], expr, bad["value"], bad["image"]))
        if good is None:
            gdb.write("dmtcp bisect: already %s in the first snapshot: "
                      "nothing to go back to\n" %
                      ("changed" if changes else "true"))
            return
        gdb.write("last good: snapshot %s  %s = %s  (%s)\n" % (
            good["number"], expr, good["value"], good["image"]))
        snaps = timeline.load(d)
        target = None
        for s in snaps:
            if good["number"] is not None and \
                    str(s["number"]) == str(good["number"]):
                target = s
        if target is None and good["image"]:
            want = os.path.realpath(good["image"])
            for s in snaps:
                if any(os.path.realpath(p["image"]) == want
                       for p in s["processes"]):
                    target = s
        if target is None:
            raise Error("dmtcp bisect: snapshot %s is not in the timeline "
                        "of %s" % (good["number"], d))
        timeline.goto_and_report(target, want=vpid)
