"""Fixtures of the history integration tests: a fresh copy of a small committed project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from history_projects import COMPONENT, PIPELINE, SCRIPT, git, write

from pipeyard import session


@pytest.fixture(scope="session")
def _initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    session.init(root)
    write(root, "components/train.yml", COMPONENT)
    write(root, "components/src/train.py", SCRIPT)
    write(root, "pipeline.yml", PIPELINE.format(lr=0.1))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "train pipeline")
    return root


@pytest.fixture
def project(tmp_path: Path, _initialised: Path) -> Path:
    """A committed project (lr 0.1, never run), copied fresh for each test."""
    root = tmp_path / "project"
    shutil.copytree(_initialised, root, symlinks=True)
    return root
