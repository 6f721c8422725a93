"""CLI commands used by the pre-commit hooks (checks that guard a commit)."""

from __future__ import annotations

import click


def register(app: click.Group) -> None:
    """Add this module's commands to the pipeyard command group."""
