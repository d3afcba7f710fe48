import gdb


class DmtcpCheckpoint(gdb.Command):
    """Checkpoint the inferior (not yet)."""

    def __init__(self):
        super().__init__("dmtcp checkpoint", gdb.COMMAND_RUNNING)
