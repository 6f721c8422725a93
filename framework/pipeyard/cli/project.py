"""The project a command works on: its root, its pipeline loaded, and what killed sweeps left."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import session as sess
from ._output import err
from .commands import REMOVE_STALE_SWEEPS, load_function


def project_root() -> Path:
    """The root of the project the current folder is in."""
    return sess.find_root()


def load_project(
    pipeline: str | None,
    overrides: Sequence[str] = (),
    *,
    reset_params: bool = False,
    root: Path | None = None,
) -> sess.Loaded:
    """Load the pipeline of the project at root (default: the current one) and print its notes."""
    # Loading makes tens of thousands of objects (1,000 steps: the parsed YAML, the pipeline,
    # its stages) that the command keeps to its end: the cyclic collector would walk them again
    # and again for nothing (a tenth of a 1,000-step no-op). It runs as usual afterwards, with
    # what the load kept frozen out of its walks.
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = sess.load(root or project_root(), pipeline, tuple(overrides), reset_params=reset_params)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    print_notes(loaded.notes)
    return loaded


def print_notes(notes: Iterable[str]) -> None:
    """Each note as 'note: ...' on stderr."""
    for note in notes:
        err.print(f"note: {note}", style="yellow", markup=False)


def remove_what_killed_sweeps_left() -> None:
    """End the workers and remove the worktrees of sweeps that were killed (every command does)."""
    root = project_root()
    if (root / sess.SWEEPS_DIR).is_dir():  # a stat when no sweep ever ran: nothing to import or scan
        load_function(REMOVE_STALE_SWEEPS)(root)
