import gdb


class DmtcpInfo(gdb.Command):
    """Image info (not yet)."""

    def __init__(self):
        super().__init__("dmtcp info", gdb.COMMAND_STATUS)
