"""Run events kept on disk, one JSON object a line, so another process can follow a run live.

    .pipeyard/runs/<run_id>/events.jsonl

`EventLog` wraps the reporter a run is given: every event goes on to that reporter and is also
appended to the run's events file, flushed line by line. The run id is only known from the
`RunStarted` event, so the notices a run gives before it are held and written first. `pipeyard
ui` tails these files (it reads exactly what the terminal's progress view is shown), and a
file that ends mid-line is read up to its last whole line.

Each line is `{"type": "StepFinished", "time": 1712.5, ...the event's fields}`; paths are
kept as strings, relative to the project root when they are inside it.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .events import Event, Reporter, RunFinished, RunStarted
from .records import run_dir

EVENTS_FILE = "events.jsonl"


def event_to_dict(event: Event, root: Path | None = None) -> dict[str, Any]:
    """The JSON-ready dict of one event: its type name, the time now, and its fields."""
    data: dict[str, Any] = {"type": type(event).__name__, "time": time.time()}
    for item in dataclasses.fields(event):
        data[item.name] = _plain(getattr(event, item.name), root)
    return data


def events_path(root: Path, run_id: str) -> Path:
    """The events file of one run."""
    return run_dir(root, run_id) / EVENTS_FILE


class EventLog:
    """A reporter that appends each event to the run's events file, then passes it on."""

    def __init__(self, root: Path, reporter: Reporter) -> None:
        self.root = Path(root)
        self.reporter = reporter
        self._held: list[dict[str, Any]] = []
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        try:
            self._write(event)
        except OSError:
            pass  # a full disk or a removed folder must not fail the run; the terminal still shows it
        self.reporter(event)

    def _write(self, event: Event) -> None:
        data = event_to_dict(event, self.root)
        with self._lock:
            if isinstance(event, RunStarted):
                self.close_file()
                path = events_path(self.root, event.run_id)
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(path, "a", encoding="utf-8")  # closed on RunFinished
                for held in self._held:
                    self._line(held)
                self._held.clear()
            if self._file is None:
                self._held.append(data)
                return
            self._line(data)
            if isinstance(event, RunFinished):
                self.close_file()

    def _line(self, data: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.write(json.dumps(data, separators=(",", ":"), default=str) + "\n")
        self._file.flush()

    def close_file(self) -> None:
        """Close the current events file (a later RunStarted opens the next one)."""
        if self._file is not None:
            self._file.close()
            self._file = None


def read_events(path: Path, start: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, event dict) for each whole line of an events file from line start on."""
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if number < start:
                    continue
                if not line.endswith("\n"):
                    return  # being written: read it next time
                try:
                    yield number, json.loads(line)
                except ValueError:
                    continue
    except OSError:
        return


def _plain(value: Any, root: Path | None) -> Any:
    if isinstance(value, Path):
        if root is not None:
            try:
                return value.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                pass
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _plain(getattr(value, f.name), root) for f in dataclasses.fields(value)}
        if hasattr(value, "gpus"):
            data["gpus"] = value.gpus
        return data
    if isinstance(value, (tuple, list)):
        return [_plain(v, root) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v, root) for k, v in value.items()}
    return value
