"""The command-line interface (the top layer)."""
