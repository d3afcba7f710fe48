# src/launch: build fragment (filled in by its owner)
