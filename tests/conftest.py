"""Shared fixtures: a git identity for every test, and helpers to make real projects."""

from __future__ import annotations

import os

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


_GIT_ENV = {
    "GIT_AUTHOR_NAME": "pipeyard tests",
    "GIT_AUTHOR_EMAIL": "tests@pipeyard.invalid",
    "GIT_COMMITTER_NAME": "pipeyard tests",
    "GIT_COMMITTER_EMAIL": "tests@pipeyard.invalid",
    "DVC_NO_ANALYTICS": "1",
    "DVC_NO_UPDATER": "1",
}
