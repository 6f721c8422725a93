"""Run records stored as git notes: appended per run, read back, shared and merged between clones."""

from __future__ import annotations

import subprocess
from pathlib import Path

from history_projects import git, run

from pipeyard.history.notes import NOTES_REF, read_notes, store_record
from pipeyard.history.runs import load_history
from pipeyard.runner.records import RunRecord


def record(run_id: str, commit: str | None) -> RunRecord:
    return RunRecord(run_id=run_id, status="succeeded", started_at=1.0, finished_at=2.0, commit=commit)


def empty_repo(root: Path) -> str:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("a")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return git(root, "rev-parse", "HEAD").strip()


def test_each_run_appends_one_line_to_the_note_of_its_commit(tmp_path):
    sha = empty_repo(tmp_path / "r")
    assert store_record(tmp_path / "r", record("r1", sha), params={"train": {"lr": 0.1}}) is None
    assert store_record(tmp_path / "r", record("r2", sha)) is None
    note = git(tmp_path / "r", "notes", f"--ref={NOTES_REF}", "show", sha)
    assert len([line for line in note.splitlines() if line.strip()]) == 2
    runs = read_notes(tmp_path / "r")[sha]
    assert [r["run_id"] for r in runs] == ["r1", "r2"]
    assert runs[0]["params"] == {"train": {"lr": 0.1}}


def test_a_run_without_a_commit_stays_local(tmp_path):
    (tmp_path / "r").mkdir()
    git(tmp_path / "r", "init", "-q")
    assert "no commit" in store_record(tmp_path / "r", record("r1", None))
    assert read_notes(tmp_path / "r") == {}


def test_notes_are_written_without_a_configured_identity(tmp_path, monkeypatch):
    sha = empty_repo(tmp_path / "r")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    assert store_record(tmp_path / "r", record("r1", sha)) is None
    assert [r["run_id"] for r in read_notes(tmp_path / "r")[sha]] == ["r1"]


def test_clones_share_runs_through_push_and_fetch_and_merge_them(tmp_path):
    sha = empty_repo(tmp_path / "a")
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(tmp_path / "a"), str(tmp_path / "remote.git")], check=True
    )
    git(tmp_path / "a", "remote", "add", "origin", str(tmp_path / "remote.git"))
    subprocess.run(["git", "clone", "-q", str(tmp_path / "remote.git"), str(tmp_path / "b")], check=True)
    store_record(tmp_path / "a", record("from-a", sha))
    store_record(tmp_path / "b", record("from-b", sha))
    git(tmp_path / "a", "push", "-q", "origin", NOTES_REF)

    git(tmp_path / "b", "fetch", "-q", "origin", f"+{NOTES_REF}:refs/notes/remotes/origin/pipeyard")
    assert {r["run_id"] for r in read_notes(tmp_path / "b")[sha]} == {"from-a", "from-b"}  # read together
    git(
        tmp_path / "b",
        "notes",
        f"--ref={NOTES_REF}",
        "merge",
        "-q",
        "-s",
        "cat_sort_uniq",
        "refs/notes/remotes/origin/pipeyard",
    )
    note = git(tmp_path / "b", "notes", f"--ref={NOTES_REF}", "show", sha)
    assert "from-a" in note and "from-b" in note


def test_a_pipeline_run_is_noted_on_its_commit_and_marked_dirty_when_the_tree_was(project):
    head = git(project, "rev-parse", "HEAD").strip()
    first = run(project)  # dvc.yaml etc. are new, untracked files: the tree is clean
    second = run(project, lr=0.2)  # pipeline.yml changed, not committed: dirty
    noted = {r.run_id: r for r in load_history(project).of_commit(head)}
    assert set(noted) == {first.run_id, second.run_id}
    assert noted[first.run_id].in_git and not noted[first.run_id].record.dirty
    assert noted[second.run_id].record.dirty
    assert noted[second.run_id].params["train"]["lr"] == 0.2
