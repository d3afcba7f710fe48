#
# dmtcp_gdb/info.py - `dmtcp info`: the current inferior as the toolkit
# sees it, and the checkpoint image it comes from (via dmtcp_inspect
# --json, so the image is read without restoring it).
#

import os
import time

import gdb

from . import debuginfo, util
from .util import Error, state


def _inferior_section(pid):
    w = gdb.write
    if not pid:
        w("inferior     none\n")
        return
    ns = util.ns_pids(pid)
    env = util.proc_environ(pid)
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
    except OSError:
        exe = "?"
    w("inferior     pid %d%s  %s\n" % (
        pid, " (pid %d in its namespace)" % ns[-1] if len(ns) > 1 else "",
        exe))
    for k in ("DMTCP_COORD_HOST", "DMTCP_COORD_PORT", "DMTCP_CHECKPOINT_DIR"):
        v = env.get(k) or state["env"].get(k)
        if v:
            w("%-12s %s\n" % (k[6:].lower(), v))
    lib = util.inferior_libdmtcp(pid)
    w("libdmtcp     %s\n" % (lib or "not mapped (not under the toolkit?)"))
    di = debuginfo.read()
    if di:
        w("origin       %s (generation %d)%s\n" % (
            di["image"] or "launched, not restored", di["generation"],
            ", newest image %s" % di["last_image"]
            if di["last_image"] and di["last_image"] != di["image"] else ""))
        if di["ckpt_dir"]:
            w("%-12s %s%s\n" % ("timeline" if di["timeline"] else "ckpt dir",
                                di["ckpt_dir"], "" if di["timeline"] else
                                " (no timeline: the last generations only)"))
    if state["rewinds"]:
        w("rewinds      %d (last log %s)\n" % (state["rewinds"],
                                              state["restart_log"]))


def _image_section(img, areas):
    w = gdb.write
    info = util.inspect_json(img)
    w("image        %s\n" % img)
    t = info.get("time")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "?"
    w("program      %s (pid %s, generation %s, written %s on %s)\n" % (
        info.get("program"), info.get("pid"), info.get("generation"), when,
        info.get("host")))
    w("coordinator  %s:%s  computation %s\n" % (
        info.get("coordinator"), info.get("coord_port"),
        info.get("computation")))
    w("threads      %s (%s user)  areas %s  fds %s  size %s bytes (%s)\n" % (
        info.get("threads"), info.get("user_threads"), info.get("areas"),
        info.get("fds"), info.get("image_size"), info.get("compression")))
    th = util.inspect_json(img, "threads").get("threads", [])
    for t in th:
        where = t.get("function") or "??"
        if t.get("file"):
            where += " at %s:%s" % (t["file"], t.get("line"))
        w("  thread %-7s %-14s %s pc %s  %s\n" % (
            t.get("tid"), t.get("name", ""), t.get("state", ""),
            t.get("pc"), where))
    maps = util.inspect_json(img, "maps").get("areas", [])
    if areas:
        w("areas:\n")
        for a in maps:
            w("  %s-%s %s %-7s %s\n" % (a.get("start"), a.get("end"),
                                        a.get("perms"), a.get("kind"),
                                        a.get("name") or a.get("path") or ""))
        return
    w("objects (load bias, build-id):\n")
    seen = set()
    for a in maps:
        p = a.get("path")
        if a.get("kind") != "file" or not p or p in seen:
            continue
        if not a.get("build_id"):
            continue
        seen.add(p)
        w("  %-18s %s  %s\n" % (a.get("load_bias"), p, a.get("build_id")))


class DmtcpInfo(gdb.Command):
    """Show the inferior and the checkpoint image it comes from.

Usage: dmtcp info [--areas] [IMAGE]

The inferior: its pid (and pid inside its namespace when restored), the
executable, the coordinator and checkpoint directory from its environment,
the libdmtcp.so it runs with, how many times `dmtcp rewind` restarted it.

The image (read with `dmtcp_inspect --json`, without restoring it): program,
generation, time, coordinator, every thread with its interrupted pc and
function, and the ELF objects with load bias and build-id (with --areas:
every memory area).  IMAGE defaults to the image the last `dmtcp rewind` or
`dmtcp checkpoint` used, else the newest ckpt_<program>_*.dmtcp in the
inferior's DMTCP_CHECKPOINT_DIR."""

    def __init__(self):
        super().__init__("dmtcp info", gdb.COMMAND_STATUS,
                         gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        areas = False
        img_arg = None
        for a in gdb.string_to_argv(arg):
            if a == "--areas":
                areas = True
            elif a.startswith("-"):
                raise Error("dmtcp info: unknown option %s" % a)
            else:
                img_arg = a
        pid = util.inferior_pid()
        util.remember_inferior_env(pid)
        _inferior_section(pid)
        try:
            img = util.find_image(img_arg, pid, debuginfo.read())
        except Error as e:
            if img_arg:
                raise
            gdb.write("image        none: %s\n" % e)
            return
        _image_section(img, areas)
