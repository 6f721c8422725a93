"""Run the real `git` for template work; failures become RepositoryError with git's own words."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..errors import RepositoryError


def git(
    cwd: Path, *args: str, check: bool = True, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run `git ARGS` in cwd without prompting; raise RepositoryError when check and it fails."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(extra_env or {})}
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise RepositoryError(
            f"`git {' '.join(args)}` failed in {cwd}: {detail[-1] if detail else 'no output'}",
            hint="check that the repository or URL exists and that git can reach it",
        )
    return result


def git_bytes(cwd: Path, *args: str) -> bytes:
    """The raw stdout of `git ARGS` (which must succeed), e.g. an archive."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if result.returncode != 0:
        raise RepositoryError(
            f"`git {' '.join(args)}` failed in {cwd}: {result.stderr.decode(errors='replace').strip()}",
            hint="check that the repository is intact (`git fsck`)",
        )
    return result.stdout


def output(cwd: Path, *args: str, extra_env: dict[str, str] | None = None) -> str:
    """The stripped stdout of `git ARGS` (which must succeed)."""
    return git(cwd, *args, extra_env=extra_env).stdout.strip()


def has_identity(root: Path) -> bool:
    """Whether a commit in root has an author (from git config or GIT_AUTHOR_* variables)."""
    if os.environ.get("GIT_AUTHOR_NAME") and os.environ.get("GIT_AUTHOR_EMAIL"):
        return True
    name = git(root, "config", "user.name", check=False).stdout.strip()
    email = git(root, "config", "user.email", check=False).stdout.strip()
    return bool(name and email)


def dirty_paths(root: Path) -> list[str]:
    """Changed, staged or untracked paths in the work tree (ignored files excluded)."""
    lines = git(root, "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    return [line[3:] for line in lines if line.strip()]


def is_repository_root(path: Path) -> bool:
    """Whether path is the top of a git work tree or a bare repository (not just inside one)."""
    if not path.is_dir():
        return False
    bare = git(path, "rev-parse", "--is-bare-repository", check=False)
    if bare.returncode != 0:
        return False
    if bare.stdout.strip() == "true":
        return True
    top = git(path, "rev-parse", "--show-toplevel", check=False)
    return top.returncode == 0 and Path(top.stdout.strip()).resolve() == path.resolve()
