"""CLI commands: `pipeyard log`, `show`, `diff`, `report`, and `run --rev`."""

from __future__ import annotations

import click


def register(app: click.Group) -> None:
    """Add this module's commands to the pipeyard command group."""


def run_at_rev_command(options, *, rev: str, as_json: bool) -> None:
    """Reproduce the pipeline of a past revision (`pipeyard run --rev REV`)."""
    raise click.UsageError("--rev is not available yet")
