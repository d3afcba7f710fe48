# src/command: build fragment (filled in by its owner)
