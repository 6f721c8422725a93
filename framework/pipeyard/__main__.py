"""`python -m pipeyard` runs the CLI."""

from .cli.main import entry

entry()
