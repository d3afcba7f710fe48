# tests/unit/protocol.mk: test build fragment (filled in by its owner)
