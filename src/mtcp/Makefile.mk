# src/mtcp: build fragment (filled in by its owner)
