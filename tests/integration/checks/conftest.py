"""Fixtures of the pre-commit hook tests: a git repository serving this checkout's hooks file,
and projects (built with tests/e2e/projects.py) whose .pre-commit-config.yaml uses it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PIPEYARD_REPO = Path(__file__).resolve().parents[3]
HOOKS_FILE = PIPEYARD_REPO / ".pre-commit-hooks.yaml"
sys.path.insert(0, str(PIPEYARD_REPO / "tests" / "e2e"))


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding a committed copy of .pre-commit-hooks.yaml, and its commit.

    pre-commit clones hook repositories at a commit; this checkout's hooks file may be
    uncommitted (or the checkout shallow), so the tests serve a one-commit copy of it.
    """
    root = tmp_path_factory.mktemp("pipeyard-hooks")
    shutil.copy(HOOKS_FILE, root / HOOKS_FILE.name)
    for args in (["init", "-q", "-b", "main"], ["add", HOOKS_FILE.name], ["commit", "-q", "-m", "hooks"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()
    return root, rev


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache for these tests, apart from the user's ~/.cache/pre-commit."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def compiled_diamond(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The diamond project (tests/e2e/projects.py), compiled and committed, made once per session;
    tests take a copy with `copy_project` (git init, dvc init and compile take seconds)."""
    from projects import diamond_project

    project = diamond_project(tmp_path_factory.mktemp("template") / "diamond")
    project.pipeyard("compile", check=True)
    project.commit_all("compile")
    return project.root
