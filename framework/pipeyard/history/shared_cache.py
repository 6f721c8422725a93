"""A worktree's DVC set-up that shares the main repository's cache.

A past revision run again (`reproduce.py`) and each sweep point (`pipeyard.sweeps`) work in a
git worktree of their own; pointing its `.dvc/config.local` at the main repository's cache
makes them all read and fill one object cache and one run-cache.
"""

from __future__ import annotations

from pathlib import Path

from ..cache.workspace import cache_dir_of
from ..vcs.dvc import read_config, write_local_config


def share_cache(root: Path, project: Path) -> None:
    """Point the DVC cache of project (in a worktree) at root's, keeping root's local settings."""
    config = read_config(root, ("local",))
    if not config.has_section("cache"):
        config.add_section("cache")
    config.set("cache", "dir", str(Path(cache_dir_of(root)).resolve()))
    write_local_config(project, config)
