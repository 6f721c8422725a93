"""The isolated workspace of each sweep point: a git worktree sharing the main DVC cache.

    .pipeyard/sweeps/<sweep id>/<point>/     `git worktree add --detach` of HEAD

Into each worktree go the uncommitted changes of the main workspace (so a sweep runs what
`pipeyard run` would), `.dvc/config.local` pointing `cache.dir` at the main repository's
cache (history/shared_cache.py: every point reads and fills one object cache and one
run-cache), and hard links to the input files git does not track (e.g. data added with
`dvc add`).

While a sweep runs, its folder holds `.sweep.lock`, flocked by the sweep and listing its
worker processes; a sweep that ends removes it. A folder whose marker is still there but no
longer locked belongs to a sweep that was killed: the next sweep removes its worktrees and
ends its workers (`remove_stale_sweeps`). Folders without a marker (a finished sweep keeps
the worktrees of failed points for inspection) are left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import psutil

from ..errors import RepositoryError
from ..session import SWEEPS_DIR
from ..vcs.git import changed_paths, head_commit, remove_worktree, run_git

LIVE_MARKER = ".sweep.lock"


def baseline_commit(root: Path) -> str:
    """The commit the sweep branches from (HEAD); RepositoryError without git or a commit."""
    if not (root / ".git").exists():
        raise RepositoryError(
            f"{root} is not a git repository", hint="run `git init`, then commit the project"
        )
    commit = head_commit(root)
    if commit is None:
        raise RepositoryError(
            "a sweep runs each point in a git worktree of HEAD, and this repository has no commit yet",
            hint="commit the project first: git add -A && git commit -m 'pipeline'",
        )
    return commit


def uncommitted_changes(root: Path) -> tuple[str, ...]:
    """The paths that differ from HEAD in the main workspace: changed, new (not ignored), deleted."""
    return tuple(p for p in changed_paths(root) if not p.startswith(".pipeyard/"))


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


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class LiveSweep:
    """The marker of a running sweep in its folder: an flock on `.sweep.lock` held until close.

    Each worker process is listed in it (pid and start time) for the sweep that cleans up
    after this one, should it be killed.
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / LIVE_MARKER
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)  # a new folder: nobody else holds it

    def add_process(self, pid: int) -> None:
        """List a worker process of the sweep."""
        with contextlib.suppress(psutil.Error):
            self._handle.write(f"{pid} {psutil.Process(pid).create_time()!r}\n")
            self._handle.flush()

    def close(self, finished: bool = True) -> None:
        """Let the marker go: removed when the sweep finished, kept (unlocked) when it did not,
        so that the next sweep removes what is left of this one."""
        if self._handle.closed:
            return
        if finished:
            self.path.unlink(missing_ok=True)
        self._handle.close()


def remove_stale_sweeps(root: Path) -> list[Path]:
    """Remove the folders of sweeps that were killed: their worktrees, workers and files.

    Returns the folders removed. Live sweeps (their marker is locked) and finished ones (no
    marker) are left alone.
    """
    sweeps = root / SWEEPS_DIR
    try:
        folders = sorted(p for p in sweeps.iterdir() if (p / LIVE_MARKER).is_file())
    except FileNotFoundError:
        return []
    removed = []
    for folder in folders:
        marker = folder / LIVE_MARKER
        try:
            handle = open(marker, encoding="utf-8")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            continue  # the sweep just finished
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # alive
            if not _same_file(handle, marker):
                continue  # finished while we looked: its kept worktrees stay
            _end_processes(handle.read())
            for point in folder.iterdir():
                if point.is_dir() and (point / ".git").exists():
                    with contextlib.suppress(RepositoryError):
                        remove_worktree(root, point)
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        with contextlib.suppress(RepositoryError):
            run_git(root, "worktree", "prune")
    return removed


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _end_processes(listing: str) -> None:
    """SIGKILL each listed process that still runs (same pid and start time)."""
    for line in listing.splitlines():
        try:
            pid, started = line.split()
            process = psutil.Process(int(pid))
            if abs(process.create_time() - float(started)) < 0.01:
                process.kill()
        except (ValueError, psutil.Error):
            continue
