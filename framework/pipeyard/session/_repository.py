"""The project's repository: setting it up for pipeyard, and checking that it is."""

from __future__ import annotations

from pathlib import Path

from ..errors import RepositoryError
from ..vcs.dvc import run_dvc


def init(root: Path) -> list[str]:
    """Set up DVC and pipeyard in the git repository at root; return what was done."""
    done: list[str] = []
    if not (root / ".git").exists():
        raise RepositoryError(
            f"{root} is not a git repository",
            hint="run `git init` first (pipeyard versions pipelines with git)",
        )
    if not (root / ".dvc").is_dir():
        run_dvc(root, "init", "--quiet", hint="check that DVC is installed in this environment")
        done.append("initialised DVC (.dvc/)")
    gitignore = root / ".gitignore"
    lines = gitignore.read_text().splitlines() if gitignore.exists() else []
    if "/.pipeyard/" not in lines:
        lines.append("/.pipeyard/")
        gitignore.write_text("\n".join(lines) + "\n")
        done.append("ignored .pipeyard/ in .gitignore")
    return done


def require_dvc(root: Path) -> None:
    """RepositoryError, saying what to run, unless root holds a DVC repository."""
    if not (root / ".dvc").is_dir():
        first = "" if (root / ".git").exists() else "`git init`, then "
        raise RepositoryError(
            f"{root} has no DVC repository (.dvc/ is missing)",
            hint=f"run {first}`pipeyard init` in the project root",
        )
