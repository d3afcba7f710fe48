# src/image: build fragment (filled in by its owner)
