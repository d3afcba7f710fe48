# src/restart: build fragment (filled in by its owner)
