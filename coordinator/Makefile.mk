# coordinator: build fragment (filled in by its owner)
