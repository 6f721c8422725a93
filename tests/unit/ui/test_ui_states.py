"""Values the server computes: step states from a run's events, and its JSON answers."""

from __future__ import annotations

from pipeyard.ui.project import states_from_events


def test_states_follow_the_events_in_order():
    events = [
        {"type": "RunStarted", "steps": ["a", "b", "c"]},
        {"type": "StepFinished", "name": "a", "status": "cached", "reasons": []},
        {"type": "StepQueued", "name": "b"},
        {"type": "StepStarted", "name": "b", "executor": "local", "attempt": 1},
        {"type": "Notice", "text": "anything"},
    ]
    states = states_from_events(events)
    assert {name: s["state"] for name, s in states.items()} == {"a": "cached", "b": "running", "c": "queued"}
    assert states["b"]["executor"] == "local"
    events.append(
        {
            "type": "StepFinished",
            "name": "b",
            "status": "failed",
            "reasons": ["code x.py changed"],
            "duration_s": 1.5,
            "log_path": ".pipeyard/runs/r/logs/b.log",
        }
    )
    events.append({"type": "StepFinished", "name": "c", "status": "skipped"})
    states = states_from_events(events)
    assert states["b"] == {
        "state": "failed",
        "executor": "local",
        "attempt": 1,
        "reasons": ["code x.py changed"],
        "duration_s": 1.5,
        "log_path": ".pipeyard/runs/r/logs/b.log",
    }
    assert states["c"]["state"] == "skipped"


def test_no_events_no_states():
    assert states_from_events([]) == {}


def test_json_answers_take_nan_and_dates():
    import datetime
    import json

    from pipeyard.ui.routes import JSON

    body = JSON(
        {"loss": float("nan"), "best": float("inf"), "when": datetime.date(2024, 1, 31), "n": [1.5]}
    ).body
    assert json.loads(body) == {"loss": "NaN", "best": "Infinity", "when": "2024-01-31", "n": [1.5]}


def test_a_run_without_its_end_is_live_only_while_its_process_is(tmp_path):
    import os

    from pipeyard.runner.lock import LOCK_FILE
    from pipeyard.runner.records import RUNS_DIR
    from pipeyard.ui.project import live_run

    events = tmp_path / RUNS_DIR / "r1" / "events.jsonl"
    events.parent.mkdir(parents=True)
    events.write_text('{"type": "RunStarted", "run_id": "r1", "steps": ["a"]}\n')
    (tmp_path / LOCK_FILE).write_text(f"{os.getpid()} 0\n")  # held by a live process
    assert live_run(tmp_path)[0] == "r1"
    (tmp_path / LOCK_FILE).write_text("")  # released: the run was killed before RunFinished
    assert live_run(tmp_path) is None
    (tmp_path / LOCK_FILE).write_text(f"{os.getpid()} 0\n")
    with open(events, "a") as handle:
        handle.write('{"type": "RunFinished", "status": "succeeded"}\n')
    assert live_run(tmp_path) is None
