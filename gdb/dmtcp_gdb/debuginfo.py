#
# dmtcp_gdb/debuginfo.py - read (and write `hold` of) the inferior's
# `dmtcp_debug_info`, the object libdmtcp.so exports for debuggers
# (include/dmtcp/debuginfo.h): the image the process was restored from,
# its newest committed image, its generation, its pid in its namespace,
# the checkpoint (timeline) directory and the checkpoint signal.
#
# Read with plain memory reads at the symbol's address and the fixed
# offsets of the contract, never through its type: libdmtcp.so may have
# no debug info.  A library without the symbol (older builds) gives None,
# and the callers fall back to what they did before.
#

import struct

import gdb

VERSION = 1
PATH_MAX = 4096
F_RESTORED = 0x1
F_TIMELINE = 0x2
OFF_HOLD = 16
OFF_IMAGE = 64
SIZE = OFF_IMAGE + 3 * PATH_MAX


def _address():
    try:
        v = gdb.parse_and_eval("(unsigned long)&dmtcp_debug_info")
        return int(v)
    except gdb.error:
        return 0


def _cstr(raw):
    return raw.split(b"\0", 1)[0].decode(errors="replace")


def read():
    """dict(flags, generation, vpid, hold, ckpt_signal, image, last_image,
    ckpt_dir, restored, timeline) of the selected inferior, or None when
    no process runs, the symbol is missing or the version is unknown."""
    inf = gdb.selected_inferior()
    if not inf or not inf.is_valid() or not inf.pid:
        return None
    addr = _address()
    if not addr:
        return None
    try:
        raw = bytes(inf.read_memory(addr, SIZE))
    except gdb.MemoryError:
        return None
    version, flags, gen, vpid, hold, sig = struct.unpack_from("<6I", raw, 0)
    if version != VERSION:
        return None
    d = {
        "flags": flags, "generation": gen, "vpid": vpid, "hold": hold,
        "ckpt_signal": sig,
        "image": _cstr(raw[OFF_IMAGE:OFF_IMAGE + PATH_MAX]),
        "last_image": _cstr(raw[OFF_IMAGE + PATH_MAX:
                                OFF_IMAGE + 2 * PATH_MAX]),
        "ckpt_dir": _cstr(raw[OFF_IMAGE + 2 * PATH_MAX:SIZE]),
    }
    d["restored"] = bool(flags & F_RESTORED)
    d["timeline"] = bool(flags & F_TIMELINE)
    return d


def set_hold(value=1):
    """Writes dmtcp_debug_info.hold; False when the symbol is missing."""
    addr = _address()
    inf = gdb.selected_inferior()
    if not addr or not inf or not inf.pid:
        return False
    try:
        inf.write_memory(addr + OFF_HOLD, struct.pack("<I", value))
    except gdb.MemoryError:
        return False
    return True


def origin_image(di=None):
    """The image the inferior's state comes from: its newest committed
    image if it checkpointed since, else the image it was restored from;
    None if not known (no debug info, or launched and never
    checkpointed)."""
    di = di if di is not None else read()
    if not di:
        return None
    return di["last_image"] or di["image"] or None
