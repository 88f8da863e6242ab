"""Qt-free HTTP layer: the capture record, the sans-IO request parser, responses."""
