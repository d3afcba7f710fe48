# tests/progs/progs.mk: test build fragment (filled in by its owner)
