"""A worktree's DVC set-up that shares the main repository's cache.

A past revision run again (`reproduce.py`) and each sweep point (`pipeyard.sweeps`) work in a
git worktree of their own; pointing its `.dvc/config.local` at the main repository's cache
makes them all read and fill one object cache and one run-cache.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from ..cache.workspace import cache_dir_of


def share_cache(root: Path, project: Path) -> None:
    """Point the DVC cache of project (in a worktree) at root's, keeping root's local settings."""
    config = configparser.ConfigParser(interpolation=None)
    local = root / ".dvc" / "config.local"
    if local.is_file():
        config.read(local, encoding="utf-8")
    if not config.has_section("cache"):
        config.add_section("cache")
    config.set("cache", "dir", str(Path(cache_dir_of(root)).resolve()))
    target = project / ".dvc" / "config.local"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        config.write(handle)
