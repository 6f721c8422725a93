"""A past revision re-run in a temporary worktree sharing the DVC cache, checked against its dvc.lock."""

from __future__ import annotations

from pathlib import Path

import pytest
from history_projects import git, run

from pipeyard import session
from pipeyard.errors import RepositoryError
from pipeyard.history.reproduce import committed_lock, reproduce, verify_outputs


def run_there(project):
    return session.run(session.load(project), session.RunOptions(), lambda event: None)


def test_a_version_run_before_is_restored_and_matches_its_lock(project, tmp_path):
    run(project, commit="lr 0.1")
    run(project, lr=0.3, commit="lr 0.3")
    result = reproduce(project, "HEAD~1", run_there, out_dir=tmp_path / "out")
    assert {s.status for s in result.summary.steps.values()} == {"restored"}
    assert result.ok and result.verification.checked == 3
    assert result.worktree is None and len(git(project, "worktree", "list").splitlines()) == 1
    assert (tmp_path / "out/results/metrics.json").read_text() == '{"accuracy": 0.9, "loss": 0.2}'
    assert (project / ".pipeyard/runs" / result.summary.run_id / "record.json").is_file()


def test_a_changed_output_is_a_mismatch_and_the_worktree_stays(project):
    run(project, commit="lr 0.1")
    result = reproduce(project, "HEAD", run_there, keep_worktree=True)
    try:
        (result.worktree / "results/metrics.json").write_text("{}")
        check = verify_outputs(result.worktree, committed_lock(project, result.commit))
        assert [(m.step, m.path) for m in check.mismatches] == [("train", "results/metrics.json")]
        assert "results/metrics.json is" in check.mismatches[0].text
    finally:
        git(project, "worktree", "remove", "--force", str(result.worktree))


def test_an_error_keeps_the_worktree_and_says_where(project):
    def broken(where):
        raise RepositoryError("boom")

    with pytest.raises(RepositoryError) as raised:
        reproduce(project, "HEAD", broken)
    kept = raised.value.hint.split("kept at ", 1)[1]
    assert (Path(kept) / "pipeline.yml").is_file()
    assert (Path(kept) / ".dvc/config.local").read_text().strip().endswith("cache")
    git(project, "worktree", "remove", "--force", kept)


def test_an_unknown_revision_is_a_user_error(project):
    with pytest.raises(RepositoryError, match="not a commit"):
        reproduce(project, "no-such-branch", run_there)
