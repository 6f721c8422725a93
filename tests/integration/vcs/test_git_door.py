"""pipeyard.vcs.git on real repositories: one error style, raw output, questions, identity."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeyard.errors import RepositoryError
from pipeyard.vcs.git import (
    changed_paths,
    git_bytes,
    git_output,
    identity_env,
    is_repository_root,
    run_git,
    succeeds,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "a.txt").write_text("one\n")
    subprocess.run(["git", "add", "a.txt"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "first"], cwd=root, check=True)
    return root


def test_a_failure_is_a_repository_error_with_gits_words_and_the_hint(repo):
    with pytest.raises(RepositoryError) as caught:
        run_git(repo, "rev-parse", "--verify", "no-such-branch", hint="name a branch that exists")
    assert caught.value.message.startswith(f"`git rev-parse --verify no-such-branch` failed in {repo}: ")
    assert "fatal: Needed a single revision" in caught.value.message
    assert caught.value.hint == "name a branch that exists"


def test_unchecked_calls_return_the_result(repo):
    result = run_git(repo, "rev-parse", "--verify", "--quiet", "no-such-branch", check=False)
    assert result.returncode != 0 and result.stdout == ""


def test_output_bytes_and_questions(repo):
    head = git_output(repo, "rev-parse", "HEAD")
    assert len(head) == 40
    assert git_bytes(repo, "show", f"{head}:a.txt") == b"one\n"
    assert succeeds(repo, "merge-base", "--is-ancestor", head, "HEAD")
    assert not succeeds(repo, "merge-base", "--is-ancestor", "0" * 40, "HEAD")
    with pytest.raises(RepositoryError, match="failed in") as caught:
        git_bytes(repo, "show", "HEAD:missing.txt", hint="check the path")
    assert caught.value.hint == "check the path"


def test_env_adds_to_the_environment(repo):
    assert git_output(repo, "var", "GIT_AUTHOR_IDENT", env={"GIT_AUTHOR_NAME": "Ada"}).startswith("Ada <")


def test_changed_paths_and_repository_roots(repo):
    assert changed_paths(repo) == ()
    (repo / "a.txt").write_text("two\n")
    (repo / "new dir").mkdir()
    (repo / "new dir" / "b.txt").write_text("b")
    assert sorted(changed_paths(repo)) == ["a.txt", "new dir/b.txt"]
    assert is_repository_root(repo)
    assert not is_repository_root(repo / "new dir")
    assert not is_repository_root(repo.parent)


def test_a_commit_without_identity_uses_the_fallback(repo, monkeypatch):
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(repo.parent))  # no ~/.gitconfig
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    env = identity_env(repo)
    assert env["GIT_AUTHOR_NAME"] == "pipeyard"
    run_git(repo, "commit", "--quiet", "--allow-empty", "-m", "second", env=env)
    assert git_output(repo, "log", "-1", "--format=%an") == "pipeyard"
