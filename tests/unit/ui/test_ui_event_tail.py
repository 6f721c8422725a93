"""Run events tailed across runs, with ids that resume after a reconnect without loss or repeats."""

from __future__ import annotations

import json
from pathlib import Path

from pipeyard.runner.records import RUNS_DIR
from pipeyard.ui.sse import Cursor, EventTail, format_message, parse_event_id


def _append(root: Path, run_id: str, *types: str, partial: str = "") -> None:
    path = root / RUNS_DIR / run_id / "events.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        handle.write("".join(json.dumps({"type": t}) + "\n" for t in types) + partial)


def _types(found) -> list[str]:
    return [event["type"] for _, event in found]


def test_a_new_reader_starts_after_what_is_there(tmp_path: Path):
    _append(tmp_path, "r1", "A", "B")
    tail = EventTail(tmp_path)
    assert tail.poll() == []
    _append(tmp_path, "r1", "C")
    assert tail.poll() == [("r1:2", {"type": "C"})]


def test_events_follow_across_runs_and_skip_runs_without_events(tmp_path: Path):
    tail = EventTail(tmp_path)
    _append(tmp_path, "r1", "A")
    (tmp_path / RUNS_DIR / "r0-old-run-without-events").mkdir(parents=True)
    _append(tmp_path, "r2", "B", "C")
    assert [i for i, _ in tail.poll()] == ["r1:0", "r2:0", "r2:1"]


def test_a_half_written_line_waits_for_its_end(tmp_path: Path):
    tail = EventTail(tmp_path, Cursor())
    _append(tmp_path, "r1", "A", partial='{"type": "B"')
    assert _types(tail.poll()) == ["A"]
    _append(tmp_path, "r1", partial="}\n")
    assert tail.poll() == [("r1:1", {"type": "B"})]


def test_resuming_from_an_id_gives_everything_after_it_once(tmp_path: Path):
    _append(tmp_path, "r1", "A", "B", "C")
    _append(tmp_path, "r2", "D")
    resumed = EventTail(tmp_path, parse_event_id("r1:0"))
    assert [i for i, _ in resumed.poll()] == ["r1:1", "r1:2", "r2:0"]
    assert resumed.poll() == []
    assert resumed.cursor.last_id == "r2:0"
    assert parse_event_id(resumed.cursor.last_id).line == 1


def test_bad_ids_are_ignored():
    for text in (None, "", "nonsense", "r1:x", "../../etc:1", ":3", ".hidden:2"):
        assert parse_event_id(text) is None
    assert parse_event_id("r1:-1") == Cursor("r1", 0)


def test_message_format():
    assert format_message({"a": 1}, "run", "r1:0") == 'event: run\nid: r1:0\ndata: {"a":1}\n\n'
    assert format_message({"changed": True}, "pipeline") == 'event: pipeline\ndata: {"changed":true}\n\n'
