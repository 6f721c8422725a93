"""Shared fixtures: a git identity for every test, and helpers to make real projects."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _git_identity():
    """Give git an identity and keep user/global config out of the tests."""
    saved = {k: os.environ.get(k) for k in _GIT_ENV}
    os.environ.update(_GIT_ENV)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True, scope="session")
def _template_snapshots(tmp_path_factory):
    """Keep the per-user repository of built-in template snapshots out of the user's home."""
    saved = os.environ.get("PIPEYARD_TEMPLATE_SNAPSHOTS")
    os.environ["PIPEYARD_TEMPLATE_SNAPSHOTS"] = str(tmp_path_factory.mktemp("snapshots") / "templates.git")
    yield
    if saved is None:
        os.environ.pop("PIPEYARD_TEMPLATE_SNAPSHOTS", None)
    else:
        os.environ["PIPEYARD_TEMPLATE_SNAPSHOTS"] = saved


@pytest.fixture
def project(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """write(files) puts {relative path: text} under tmp_path (text dedented); returns the root.

    The definition tests (tests/unit/sdk, tests/unit/azure_yaml, ...) build their small projects
    with it; folders with a `project` fixture of their own override it.
    """

    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return tmp_path

    return write


_GIT_ENV = {
    "GIT_AUTHOR_NAME": "pipeyard tests",
    "GIT_AUTHOR_EMAIL": "tests@pipeyard.invalid",
    "GIT_COMMITTER_NAME": "pipeyard tests",
    "GIT_COMMITTER_EMAIL": "tests@pipeyard.invalid",
    "DVC_NO_ANALYTICS": "1",
    "DVC_NO_UPDATER": "1",
}
