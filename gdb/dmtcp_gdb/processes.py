#
# dmtcp_gdb/processes.py - `dmtcp processes` and `dmtcp attach VPID`: the
# processes of the computation the last `dmtcp goto` restored (from the
# snapshot's images: pid in the computation, program, host pid) and gdb
# attached to one of them as a new inferior, so a child can be debugged
# after a goto.
#

import os

import gdb

from . import frames, rewind, util
from .util import Error, state


def _pids_file():
    """{vpid: host pid} from dmtcp_restart --pids-file (VPID HOSTPID
    PROGRAM a line), {} without one."""
    out = {}
    path = state.get("pids_file")
    if not path:
        return out
    try:
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0].isdigit() and w[1].isdigit():
                    out[int(w[0])] = int(w[1])
    except OSError:
        pass
    return out


def host_pids():
    """{pid in the restored namespace: host pid} of the computation the
    last goto/rewind restored ({} if none runs): dmtcp_restart's pids
    file, else the processes of its pid namespace."""
    proc = state.get("restart_proc")
    if proc is None or proc.poll() is not None:
        return {}
    out = {v: h for v, h in _pids_file().items()
           if os.path.exists("/proc/%d" % h)}
    if out:
        return out
    inits = []
    for t in os.listdir("/proc/%d/task" % proc.pid):
        try:
            with open("/proc/%d/task/%s/children" % (proc.pid, t)) as f:
                inits += [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            pass
    nss = set()
    for i in inits:
        try:
            nss.add(os.readlink("/proc/%d/ns/pid" % i))
        except OSError:
            pass
    out = {}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/ns/pid" % e) not in nss:
                continue
        except OSError:
            continue
        ns = util.ns_pids(int(e))
        if len(ns) > 1:
            out[ns[-1]] = int(e)
    return out


def _gdb_inferior_of(hostpid):
    for inf in gdb.inferiors():
        if inf.pid == hostpid:
            return inf
    return None


class DmtcpProcesses(gdb.Command):
    """List the processes of the computation restored by `dmtcp goto`.

Usage: dmtcp processes

For each image of the snapshot: the process's pid in the computation, its
program, its host pid now, and the gdb inferior attached to it ("*" the
selected one).  `dmtcp attach PID` debugs one more of them."""

    def __init__(self):
        super().__init__("dmtcp processes", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise Error("dmtcp processes takes no argument")
        procs = state.get("snapshot_procs")
        if not procs:
            raise Error("dmtcp processes: no computation restored by "
                        "'dmtcp goto' in this session")
        hp = host_pids()
        sel = gdb.selected_inferior()
        gdb.write("  %-8s %-10s %-20s %s\n" % ("pid", "host pid", "program",
                                              "gdb"))
        for p in procs:
            h = hp.get(p["vpid"])
            inf = _gdb_inferior_of(h) if h else None
            gdb.write("%s %-8d %-10s %-20s %s\n" % (
                "*" if inf is not None and inf == sel else " ", p["vpid"],
                h or "gone", p["program"],
                "inferior %d" % inf.num if inf else "-"))


class DmtcpAttach(gdb.Command):
    """Attach to another process of the computation restored by `goto`.

Usage: dmtcp attach PID

PID is the process's pid in the computation (`dmtcp processes`).  A new
gdb inferior is added and attached to it (its threads parked at the
snapshot, as the first one's) and selected; `inferior N` switches
between them, `info inferiors` lists them."""

    def __init__(self):
        super().__init__("dmtcp attach", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        try:
            vpid = int(arg.strip())
        except ValueError:
            raise Error("usage: dmtcp attach PID (see 'dmtcp processes')")
        hp = host_pids()
        h = hp.get(vpid)
        if not h:
            raise Error("dmtcp attach: no process %d in the restored "
                        "computation (%s)" % (vpid, ", ".join(
                            str(v) for v in sorted(hp)) or "none runs"))
        inf = _gdb_inferior_of(h)
        if inf is not None:
            with util.quiet_cli():
                gdb.execute("inferior %d" % inf.num, to_string=True)
            gdb.write("dmtcp attach: process %d is inferior %d\n" %
                      (vpid, inf.num))
            return
        free = [i for i in gdb.inferiors() if not i.pid]
        if free:
            num = min(i.num for i in free)
        else:
            gdb.execute("add-inferior", to_string=True)
            num = max(i.num for i in gdb.inferiors())
        with util.quiet_cli():
            gdb.execute("inferior %d" % num, to_string=True)
        util.prepare_attach(h)
        rewind._quiet_attach(h)
        util.quiet_ckpt_signal()
        gdb.write("dmtcp attach: process %d (host pid %d) is inferior %d\n"
                  % (vpid, h, num))
        frames.select_program_frame()
