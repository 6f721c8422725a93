"""Pure parts of the run history: note lines, the run index, the per-run summaries."""

from __future__ import annotations

import json

import pytest

from pipeyard.errors import RepositoryError
from pipeyard.history.log import params_changed, step_counts, steps_rerun
from pipeyard.history.notes import note_line, parse_note
from pipeyard.history.runs import RunHistory, StoredRun
from pipeyard.runner.records import RunRecord


def record(run_id: str, started: float, commit: str | None = "c1", **steps: str) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        status="succeeded",
        started_at=started,
        finished_at=started + 2.5,
        commit=commit,
        steps={
            name: {
                "status": status,
                "reasons": [f"params {name}.lr changed: 1 -> 2"] if status == "ran" else [],
            }
            for name, status in steps.items()
        },
    )


def test_a_note_line_is_one_line_of_json_with_the_params():
    line = note_line(record("r1", 10.0, prep="ran"), params={"prep": {"lr": 0.1}})
    assert "\n" not in line
    data = json.loads(line)
    assert data["run_id"] == "r1" and data["params"] == {"prep": {"lr": 0.1}}
    assert RunRecord.from_dict(data).steps["prep"]["status"] == "ran"


def test_parse_note_reads_appended_and_merged_notes_skipping_noise():
    a, b = note_line(record("r1", 1.0)), note_line(record("r2", 2.0))
    text = f'{a}\n\n{b}\nnot json\n{{broken\n{{"no": "run id"}}\n'
    assert [r["run_id"] for r in parse_note(text)] == ["r1", "r2"]


def test_history_finds_runs_by_id_prefix_and_commit():
    history = RunHistory(
        (
            StoredRun(record("20240102-000000-000-aaaa", 3.0, commit="c2")),
            StoredRun(record("20240101-000000-000-bbbb", 2.0)),
            StoredRun(record("20240101-000000-000-cccc", 1.0)),
        )
    )
    assert history.find("20240102").run_id == "20240102-000000-000-aaaa"
    assert history.find("nope") is None
    with pytest.raises(RepositoryError, match="matches 2 runs"):
        history.find("20240101")
    assert [r.run_id[-4:] for r in history.of_commit("c1")] == ["bbbb", "cccc"]
    assert history.latest_of("c1").run_id.endswith("bbbb")
    assert history.previous(history.runs[0]).run_id.endswith("bbbb")
    assert history.previous(history.runs[-1]) is None


def test_run_summaries_count_steps_and_say_what_reran_and_why():
    run = record("r", 1.0, prep="cached", train="ran", score="restored")
    assert step_counts(run) == {"cached": 1, "ran": 1, "restored": 1}
    assert steps_rerun(run) == ["train: params train.lr changed: 1 -> 2"]


def test_params_changed_compares_with_the_previous_run():
    before = StoredRun(record("a", 1.0), params={"train": {"lr": 0.1, "epochs": 3}})
    after = StoredRun(record("b", 2.0), params={"train": {"lr": 0.01, "epochs": 3, "seed": 1}})
    assert params_changed(after, before) == ["train.lr: 0.1 -> 0.01", "train.seed: added 1"]
    assert params_changed(after, None) == []
    assert params_changed(after, StoredRun(record("c", 0.5))) == []
