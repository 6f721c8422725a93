"""The git state of a run, from a real repository."""

from __future__ import annotations

import subprocess

from pipeyard.vcs.git import GitState, git_state


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_outside_a_repository_there_is_no_commit(tmp_path):
    assert git_state(tmp_path) == GitState(commit=None, dirty=False)


def test_commit_and_dirty_flag(tmp_path):
    git(tmp_path, "init", "-q")
    assert git_state(tmp_path).commit is None
    (tmp_path / "a.txt").write_text("one")
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "first")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    sub = tmp_path / "sub"
    sub.mkdir()
    assert git_state(sub) == GitState(commit=head, dirty=False)
    (tmp_path / "a.txt").write_text("two")
    assert git_state(tmp_path) == GitState(commit=head, dirty=True)
