"""The files git knows of in a repository: staged for the next commit, or in the work tree."""

from __future__ import annotations

from pathlib import Path

from ..vcs.git import run_git

_HINT = "run the check inside a git repository"


def staged_files(root: Path) -> list[str]:
    """Files added, copied, modified or renamed in git's index (what the next commit adds)."""
    return _split(
        run_git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", hint=_HINT).stdout
    )


def git_files(root: Path, *pathspecs: str) -> list[str]:
    """Files matching pathspecs that git tracks or would add (ignored files are left out)."""
    return _split(
        run_git(
            root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs, hint=_HINT
        ).stdout
    )


def _split(listing: str) -> list[str]:
    return sorted({path for path in listing.split("\0") if path})
