# src/preload: build fragment (filled in by its owner)
