# tests/progs/txn.mk - checkpoints as transactions (doc/design.md): the
# two-process program whose images only fit together, and a plugin that
# holds a checkpoint with every process frozen
# (tests/e2e/test-ckpt-txn-*.sh).
check_PROGRAMS += tests/progs/txn_pair tests/plugin/libckpt_hold.so
tests_plugin_libckpt_hold_so_SOURCES = tests/plugin/ckpt_hold.c
tests_plugin_libckpt_hold_so_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugin_libckpt_hold_so_LDFLAGS = $(PLUGIN_SO_FLAGS)
