"""Fixtures of the registry tests: real bare git repositories to serve as registries."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def bare_registry(tmp_path) -> Path:
    """An empty bare git repository to serve as a git registry."""
    path = tmp_path / "registry.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path
