"""Point workspaces and experiment refs, on real git repositories."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import pytest

from pipeyard.errors import RepositoryError
from pipeyard.history.shared_cache import share_cache
from pipeyard.sweeps.experiments import experiment_ref, record_experiment
from pipeyard.sweeps.worktrees import (
    baseline_commit,
    carry_changes,
    link_inputs,
    uncommitted_changes,
)
from pipeyard.vcs.git import add_worktree, remove_worktree


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("/.pipeyard/\n/data/\n")
    (root / ".dvc").mkdir()
    (root / ".dvc" / "config").write_text("[core]\n    autostage = false\n")
    (root / "train.py").write_text("print(1)\n")
    (root / "old.py").write_text("gone\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_a_sweep_needs_git_and_a_commit(tmp_path):
    with pytest.raises(RepositoryError, match="not a git repository"):
        baseline_commit(tmp_path)
    git(tmp_path, "init", "-q")
    with pytest.raises(RepositoryError, match="no commit yet") as caught:
        baseline_commit(tmp_path)
    assert "git commit" in caught.value.hint


def test_a_point_workspace_is_head_plus_the_uncommitted_changes(repo):
    (repo / "train.py").write_text("print(2)\n")
    (repo / "new.py").write_text("new\n")
    (repo / "old.py").unlink()
    (repo / "data").mkdir()
    (repo / "data" / "raw.csv").write_text("a,b\n")  # ignored by git, read by a step
    changes = uncommitted_changes(repo)
    assert sorted(changes) == ["new.py", "old.py", "train.py"]

    folder = repo / ".pipeyard" / "sweeps" / "s1" / "point-1"
    add_worktree(repo, folder, baseline_commit(repo))
    carry_changes(repo, folder, changes)
    share_cache(repo, folder)
    link_inputs(repo, folder, ["data/raw.csv", "data/missing.csv", "train.py"])

    assert (folder / "train.py").read_text() == "print(2)\n"
    assert (folder / "new.py").read_text() == "new\n"
    assert not (folder / "old.py").exists()
    assert os.path.samefile(folder / "data" / "raw.csv", repo / "data" / "raw.csv")
    config = configparser.ConfigParser()
    config.read(folder / ".dvc" / "config.local")
    assert Path(config["cache"]["dir"]) == (repo / ".dvc" / "cache").resolve()
    assert uncommitted_changes(repo) == changes  # the worktree stays out of the main workspace

    remove_worktree(repo, folder)
    assert not folder.exists()
    assert git(repo, "worktree", "list").count("\n") == 1


def test_an_experiment_is_a_commit_on_the_baseline_under_dvc_refs(repo, monkeypatch):
    baseline = baseline_commit(repo)
    folder = repo / ".pipeyard" / "sweeps" / "s1" / "point-1"
    add_worktree(repo, folder, baseline)
    (folder / "params.yaml").write_text("train:\n  lr: 0.1\n")
    (folder / ".pipeyard").mkdir()
    (folder / ".pipeyard" / "run.lock").write_text("")
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)  # no identity: pipeyard brings its own
    monkeypatch.setenv("HOME", str(repo.parent))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    commit = record_experiment(folder, baseline, "s1-p1", "point 1")

    ref = experiment_ref(baseline, "s1-p1")
    assert ref == f"refs/exps/{baseline[:2]}/{baseline[2:]}/s1-p1"
    assert git(repo, "rev-parse", ref).strip() == commit
    assert git(repo, "rev-parse", f"{commit}^").strip() == baseline
    files = git(repo, "show", "--name-only", "--format=", commit).split()
    assert files == ["params.yaml"]
    assert git(repo, "rev-parse", "HEAD").strip() == baseline  # the main workspace did not move
