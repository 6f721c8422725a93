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


_GIT_ENV = {
    "GIT_AUTHOR_NAME": "pipeyard tests",
    "GIT_AUTHOR_EMAIL": "tests@pipeyard.invalid",
    "GIT_COMMITTER_NAME": "pipeyard tests",
    "GIT_COMMITTER_EMAIL": "tests@pipeyard.invalid",
    "DVC_NO_ANALYTICS": "1",
    "DVC_NO_UPDATER": "1",
}
