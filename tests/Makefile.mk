# tests: unit tests (cmocka) and the programs the end-to-end tests run.
# Each area keeps its own fragment.
include tests/unit/common.mk
include tests/unit/protocol.mk
include tests/unit/image.mk
include tests/unit/preload.mk
include tests/progs/progs.mk
include tests/progs/ipc.mk
include tests/unit/inspect.mk
include tests/progs/inspect.mk
include tests/progs/gdb.mk
include tests/plugin/plugin.mk
include tests/progs/exec.mk
include tests/progs/txn.mk
include tests/progs/chain.mk
