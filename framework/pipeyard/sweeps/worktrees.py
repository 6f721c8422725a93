"""The isolated workspace of each sweep point: a git worktree sharing the main DVC cache.

    .pipeyard/sweeps/<sweep id>/<point>/     `git worktree add --detach` of HEAD

Into each worktree go the uncommitted changes of the main workspace (so a sweep runs what
`pipeyard run` would), `.dvc/config.local` pointing `cache.dir` at the main repository's
cache (so every point reads and fills one object cache and one run-cache), and hard links to
the input files git does not track (e.g. data added with `dvc add`).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from ..cache.workspace import cache_dir_of
from ..errors import RepositoryError

SWEEPS_DIR = Path(".pipeyard") / "sweeps"


def git(folder: Path, *args: str, env: dict | None = None) -> str:
    """Run git in folder and return its stdout; a failure is a RepositoryError."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=False, env=env, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RepositoryError(
            f"`git {args[0]}` could not run: {exc}", hint="check that git is installed"
        ) from None
    if done.returncode != 0:
        raise RepositoryError(
            f"`git {' '.join(args)}` failed in {folder}: {(done.stderr or done.stdout).strip()}",
            hint="check the repository with `git status`",
        )
    return done.stdout


def baseline_commit(root: Path) -> str:
    """The commit the sweep branches from (HEAD); RepositoryError without git or a commit."""
    if not (root / ".git").exists():
        raise RepositoryError(
            f"{root} is not a git repository", hint="run `git init`, then commit the project"
        )
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RepositoryError(
            "a sweep runs each point in a git worktree of HEAD, and this repository has no commit yet",
            hint="commit the project first: git add -A && git commit -m 'pipeline'",
        )
    return done.stdout.strip()


def add_worktree(root: Path, folder: Path, commit: str) -> None:
    """Check out commit, detached, into the new worktree folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "--detach", "--quiet", str(folder), commit)


def remove_worktree(root: Path, folder: Path) -> None:
    """Remove a point's worktree, outputs included (they are in the cache)."""
    git(root, "worktree", "remove", "--force", str(folder))


def uncommitted_changes(root: Path) -> tuple[str, ...]:
    """The paths that differ from HEAD in the main workspace: changed, new (not ignored), deleted."""
    text = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    paths = [entry[3:] for entry in text.split("\0") if len(entry) > 3]
    return tuple(p for p in paths if not p.startswith(".pipeyard/"))


def carry_changes(root: Path, folder: Path, paths: Iterable[str]) -> None:
    """Make each path in the worktree what it is in the main workspace (copy, or delete)."""
    for relpath in paths:
        source, target = root / relpath, folder / relpath
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            shutil.copy2(source, target, follow_symlinks=False)
        elif not source.exists() and (target.is_symlink() or target.is_file()):
            target.unlink()


def share_cache(root: Path, folder: Path) -> None:
    """Point the worktree's DVC cache at the main repository's, keeping main's local settings."""
    config = configparser.ConfigParser(interpolation=None)
    local = root / ".dvc" / "config.local"
    if local.is_file():
        config.read(local, encoding="utf-8")
    if not config.has_section("cache"):
        config.add_section("cache")
    config.set("cache", "dir", str(cache_dir_of(root)))
    target = folder / ".dvc" / "config.local"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        config.write(handle)


def link_inputs(root: Path, folder: Path, paths: Iterable[str]) -> None:
    """Hard-link (or copy) each input present in the main workspace but not in the worktree."""
    for relpath in paths:
        source, target = root / relpath, folder / relpath
        if target.exists() or not source.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(source, target)


def _link_or_copy(source, target) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
