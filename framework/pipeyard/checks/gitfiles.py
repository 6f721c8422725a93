"""The files git knows of in a repository: staged for the next commit, or in the work tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import RepositoryError


def staged_files(root: Path) -> list[str]:
    """Files added, copied, modified or renamed in git's index (what the next commit adds)."""
    return _split(_git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"))


def git_files(root: Path, *pathspecs: str) -> list[str]:
    """Files matching pathspecs that git tracks or would add (ignored files are left out)."""
    return _split(
        _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs)
    )


def _split(listing: str) -> list[str]:
    return sorted({path for path in listing.split("\0") if path})


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RepositoryError(
            "git is not installed", hint="install git; pipeyard versions pipelines with it"
        ) from None
    if done.returncode != 0:
        raise RepositoryError(
            f"`git {args[0]}` failed in {root}: {done.stderr.strip()}",
            hint="run the check inside a git repository",
        )
    return done.stdout
