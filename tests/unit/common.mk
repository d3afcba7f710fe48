# tests/unit/common.mk: test build fragment (filled in by its owner)
