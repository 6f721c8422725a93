"""Run records round-trip through JSON; listing is newest first; metrics are flattened."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from pipeyard.model import Resources
from pipeyard.runner.records import (
    RunRecord,
    flatten,
    list_records,
    load_record,
    logs_dir,
    new_run_id,
    read_metrics,
    step_log_path,
    write_record,
)
from pipeyard.runner.summary import RunSummary, StepOutcome


def summary(run_id: str, root) -> RunSummary:
    log = step_log_path(logs_dir(root, run_id), "train")
    return RunSummary(
        run_id=run_id,
        status="failed",
        steps={
            "train": StepOutcome(
                "train",
                "failed",
                1.5,
                ("exit code 2",),
                1,
                log,
                "local",
                Resources(cpus=2, gpus=1),
                ("0",),
                2,
            ),
            "eval": StepOutcome("eval", "skipped", 0.0, ("upstream 'train' failed",)),
        },
        duration_s=2.0,
        started_at=1000.0,
        finished_at=1002.0,
    )


def test_a_record_round_trips(tmp_path):
    run_id = new_run_id()
    record = RunRecord.from_summary(
        summary(run_id, tmp_path),
        root=tmp_path,
        commit="abc123",
        dirty=True,
        overrides=("train.lr=0.1",),
        pipeline_file="pipeline.yml",
        metrics={"metrics.json": {"acc": 0.9}},
    )
    path = write_record(tmp_path, record)
    assert path == tmp_path / ".pipeyard" / "runs" / run_id / "record.json"
    assert load_record(path) == record
    assert record.duration_s == 2.0
    train = record.steps["train"]
    assert train["log_path"] == f".pipeyard/runs/{run_id}/logs/train.log"
    assert train["resources"] == {"cpus": 2.0, "memory_mb": 0, "gpus": 1}
    assert train["gpu_ids"] == ["0"] and train["returncode"] == 2
    assert json.loads(path.read_text())["overrides"] == ["train.lr=0.1"]
    assert not list(path.parent.glob("*.tmp"))


def test_records_are_listed_newest_first(tmp_path):
    start = datetime(2024, 1, 31, 12, 0, tzinfo=timezone.utc)
    ids = [new_run_id(start + timedelta(seconds=s)) for s in (5, 1, 30)]
    for run_id in ids:
        write_record(tmp_path, RunRecord.from_summary(summary(run_id, tmp_path), root=tmp_path))
    (tmp_path / ".pipeyard" / "runs" / "99999999-broken").mkdir()
    listed = [r.run_id for r in list_records(tmp_path)]
    assert listed == sorted(ids, reverse=True)
    assert [r.run_id for r in list_records(tmp_path, limit=2)] == listed[:2]
    assert list_records(tmp_path / "elsewhere") == []


def test_run_ids_sort_by_time():
    early = datetime(2024, 1, 31, 12, 0, 0, 1000, tzinfo=timezone.utc)
    late = datetime(2024, 1, 31, 12, 0, 0, 2000, tzinfo=timezone.utc)
    assert new_run_id(early) < new_run_id(late)
    assert new_run_id(early).startswith("20240131-120000-001-")


def test_metrics_files_are_read_and_flattened(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps({"acc": 0.9, "per_class": {"a": 1, "b": [2, 3]}}))
    (tmp_path / "m.yaml").write_text("loss: 0.1\nname: run\n")
    (tmp_path / "bad.json").write_text("{not json")
    found = read_metrics(tmp_path, ["m.json", "m.yaml", "bad.json", "missing.json", "m.csv"])
    assert found == {
        "m.json": {"acc": 0.9, "per_class.a": 1, "per_class.b.0": 2, "per_class.b.1": 3},
        "m.yaml": {"loss": 0.1, "name": "run"},
    }
    assert flatten(3) == {"value": 3}


def test_metrics_come_from_the_stages_metrics_outputs(tmp_path):
    from pipeyard.model import OutputRole, Stage, StageOutput

    (tmp_path / "scores.json").write_text('{"acc": 0.75}')
    (tmp_path / "model.json").write_text('{"weights": [1]}')
    stages = [
        Stage(
            "eval",
            ("true",),
            outs=(
                StageOutput("scores.json", OutputRole.METRICS, is_dir=False),
                StageOutput("model.json", is_dir=False),
            ),
        )
    ]
    record = RunRecord.from_summary(summary(new_run_id(), tmp_path), root=tmp_path, stages=stages)
    assert record.metrics == {"scores.json": {"acc": 0.75}}
