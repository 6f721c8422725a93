"""Fixtures of the cache integration tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cache_dvc_repo import dvc, make_repo


@pytest.fixture(scope="session")
def empty_dvc_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty git + DVC repository, made once and copied by each test (dvc init is slow)."""
    root = tmp_path_factory.mktemp("template") / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    dvc(root, "init", "-q")
    return root


@pytest.fixture
def repo(tmp_path: Path, empty_dvc_repo: Path) -> Path:
    """A fresh git + DVC repository with data, code, params.yaml and dvc.yaml."""
    return make_repo(tmp_path / "repo", template=empty_dvc_repo)
