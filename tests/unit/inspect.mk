# tests/unit/inspect.mk: build fragment (owned by the inspect helper)
