"""The git state a run started from: commit and whether tracked files had changes.

Asked of the git command directly: two quick calls, and none of GitPython's import cost on
the path of every run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import NamedTuple


class GitState(NamedTuple):
    """The HEAD commit (None outside a repository or before the first commit) and dirtiness.

    A named tuple, so `commit, dirty = git_state(root)` works too.
    """

    commit: str | None = None
    dirty: bool = False


def git_state(root: Path) -> GitState:
    """The git state of the repository holding root; never fails (outside git: no commit)."""
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None or head.returncode != 0:
        return GitState()
    changes = _git(root, "status", "--porcelain", "--untracked-files=no")
    dirty = bool(changes and changes.returncode == 0 and changes.stdout.strip())
    return GitState(commit=head.stdout.strip() or None, dirty=dirty)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
