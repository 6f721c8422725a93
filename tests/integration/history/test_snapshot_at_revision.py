"""Snapshots of past revisions: dvc.lock and params from git, metrics and plots from the DVC cache."""

from __future__ import annotations

from history_projects import git, run

from pipeyard import session
from pipeyard.history.diff import diff_snapshots
from pipeyard.history.snapshot import snapshot_at, workspace_snapshot


def test_metrics_of_a_revision_come_from_the_cache_when_git_does_not_track_them(project):
    run(project, commit="lr 0.1")
    run(project, lr=0.5, commit="lr 0.5")
    assert "results/metrics.json" not in git(project, "ls-files")

    old = snapshot_at(project, "HEAD~1", with_plots=True)
    new = snapshot_at(project, "HEAD", with_plots=True)
    assert old.metrics == {"results/metrics.json": {"accuracy": 0.9, "loss": 0.2}}
    assert new.metrics["results/metrics.json"]["accuracy"] == 0.5
    assert old.plots["results/curve.csv"].startswith("epoch,loss\n1,0.1\n")
    assert old.kinds["components/src/train.py"] == "code"  # the script, not its whole folder

    diff = diff_snapshots(old, new)
    assert {s.step: s.reasons for s in diff.steps}["train"][1] == "params train.lr changed: 0.1 -> 0.5"
    assert [p.text for p in diff.params] == ["train.lr: 0.1 -> 0.5"]
    accuracy = next(m for m in diff.metrics if m.key == "accuracy")
    assert (accuracy.old, accuracy.new) == (0.9, 0.5)


def test_the_workspace_snapshot_predicts_a_code_change_not_yet_run(project):
    run(project, commit="lr 0.1")
    script = project / "components/src/train.py"
    script.write_text(script.read_text() + "\n# tuned\n")
    loaded = session.load(project)
    current = workspace_snapshot(project, loaded.compiled.stages, loaded.compiled.params)
    diff = diff_snapshots(snapshot_at(project, "HEAD"), current)
    assert diff.steps[0].reasons == ("code components/src/train.py changed",)
    assert current.kinds["components/src/train.py"] == "code"


def test_a_revision_before_any_run_has_no_lock_entries(project):
    before = snapshot_at(project, "HEAD")
    assert before.lock == {} and before.metrics == {}
    run(project, commit="ran")
    diff = diff_snapshots(before, snapshot_at(project, "HEAD"))
    assert diff.steps[0].state == "added"
