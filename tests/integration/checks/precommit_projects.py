"""Drive the real `pre-commit` on projects made by tests/e2e/projects.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml
from projects import BIN, Project, _env


def copy_project(template: Path, root: Path) -> Project:
    """A copy of the project at template (its git and DVC repositories included) at root."""
    shutil.copytree(template, root, symlinks=True)
    return Project(root)


def use_hooks(project: Project, hooks_repo: tuple[Path, str], hooks: list[dict]) -> None:
    """Write and commit a .pre-commit-config.yaml that takes hooks from hooks_repo."""
    repo, rev = hooks_repo
    config = {"repos": [{"repo": repo.as_uri(), "rev": rev, "hooks": hooks}]}
    (project.root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    project.git("add", ".pre-commit-config.yaml")
    project.git("commit", "-q", "-m", "use pipeyard's pre-commit hooks")


def pre_commit_env(home: Path) -> dict:
    """The environment of pre-commit (and git hooks) in a test: pipeyard on PATH, no network.

    GIT_ALLOW_PROTOCOL=file makes any clone from a network remote fail, so a passing test
    shows the hooks need none.
    """
    env = _env()
    env["PRE_COMMIT_HOME"] = str(home)
    env["GIT_ALLOW_PROTOCOL"] = "file"
    env.pop("PRE_COMMIT", None)
    return env


def pre_commit(project: Project, home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real `pre-commit` in the project; stdout and stderr together in .stdout."""
    return subprocess.run(
        [str(BIN / "pre-commit"), *args],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=pre_commit_env(home),
        timeout=300,
    )


def git_commit(project: Project, home: Path, message: str) -> subprocess.CompletedProcess:
    """`git commit`, running the installed pre-commit hook; output in .stdout."""
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=pre_commit_env(home),
        timeout=300,
    )


def write_bytes(project: Project, relpath: str, size: int) -> Path:
    """A file of size bytes (incompressible, like real data) under the project."""
    path = project.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path
