"""CLI: `pipeyard run -m` (sweeps)."""

from __future__ import annotations

import click


def run_sweep_command(options, *, sort_by: str | None, as_json: bool) -> None:
    """Run every point of a sweep (`pipeyard run -m ...`) and print the ranked table."""
    raise click.UsageError("sweeps (-m) are not available yet")
