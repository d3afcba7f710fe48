# tests/unit/image.mk: test build fragment (filled in by its owner)
