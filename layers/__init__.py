"""Lambda layers, each built by a script of its own (see layers/*/README.md)."""
