"""The run's events kept as JSON lines: held until the run id is known, flushed line by line."""

from __future__ import annotations

import json
from pathlib import Path

from pipeyard.model import Capacity, Resources
from pipeyard.runner import events as ev
from pipeyard.runner.eventlog import EventLog, event_to_dict, events_path, read_events


def _run(log: EventLog, run_id: str = "20240101-000000-000-abcd") -> None:
    log(ev.Notice("before the run id is known"))
    log(ev.RunStarted(run_id, ("a", "b"), Capacity(2.0, 1024)))
    log(ev.StepStarted("a", "local", Resources(cpus=1.0)))
    log(
        ev.StepFinished(
            "a", "ran", 0.5, ("params a.x changed: 1 -> 2",), log_path=log.root / "logs" / "a.log"
        )
    )
    log(ev.RunFinished("succeeded", 1.0, {"ran": 1}))


def test_every_event_goes_to_the_file_and_to_the_reporter(tmp_path: Path):
    passed = ev.RecordingReporter()
    _run(EventLog(tmp_path, passed))
    lines = (events_path(tmp_path, "20240101-000000-000-abcd")).read_text().splitlines()
    kinds = [json.loads(line)["type"] for line in lines]
    assert kinds == ["Notice", "RunStarted", "StepStarted", "StepFinished", "RunFinished"]
    assert [type(e).__name__ for e in passed.events] == kinds
    finished = json.loads(lines[3])
    assert finished["reasons"] == ["params a.x changed: 1 -> 2"]
    assert finished["log_path"] == "logs/a.log"  # relative to the project root
    capacity = json.loads(lines[1])["capacity"]
    assert (capacity["cpus"], capacity["memory_mb"], capacity["gpu_ids"], capacity["gpus"]) == (
        2.0,
        1024,
        [],
        0,
    )


def test_each_line_is_on_disk_before_the_next_event(tmp_path: Path):
    log = EventLog(tmp_path, ev.ignore)
    log(ev.RunStarted("r1", ("a",), Capacity(1.0, 0)))
    log(ev.StepQueued("a"))
    assert [e["type"] for _, e in read_events(events_path(tmp_path, "r1"))] == ["RunStarted", "StepQueued"]


def test_a_second_run_gets_its_own_file(tmp_path: Path):
    log = EventLog(tmp_path, ev.ignore)
    _run(log, "r1")
    _run(log, "r2")
    assert len(list(read_events(events_path(tmp_path, "r2")))) == 5


def test_a_line_being_written_is_left_for_later(tmp_path: Path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"type": "A"}\n{"type": "B"}\n{"type": "C"')
    assert [(n, e["type"]) for n, e in read_events(path)] == [(0, "A"), (1, "B")]
    assert [n for n, _ in read_events(path, start=1)] == [1]
    assert list(read_events(tmp_path / "missing.jsonl")) == []


def test_an_unwritable_folder_does_not_fail_the_run(tmp_path: Path):
    (tmp_path / ".pipeyard").write_text("a file where the folder should be")
    passed = ev.RecordingReporter()
    _run(EventLog(tmp_path, passed))
    assert len(passed.events) == 5


def test_event_dicts_are_json(tmp_path: Path):
    data = event_to_dict(ev.StepStarted("a", "local", Resources(cpus=2.0, gpus=1), gpu_ids=("0",)), tmp_path)
    assert json.loads(json.dumps(data))["resources"]["gpus"] == 1
    assert data["gpu_ids"] == ["0"] and data["type"] == "StepStarted" and data["time"] > 0
