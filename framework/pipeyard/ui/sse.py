"""Run events as server-sent events: the runs' events files tailed, each event with a resumable id.

An event's id is `<run_id>:<line>`, its place in `.pipeyard/runs/<run_id>/events.jsonl`. A
page that loses its connection reconnects with `Last-Event-ID` (the browser sends it) and gets
every event after that one, from the same run and from any run that started since; so nothing
is lost and nothing is sent twice. A page that connects fresh says where its snapshot of the
graph ended (`?after=<id>`, from /api/graph) and gets what came after.

Besides run events the stream says `pipeline` when a pipeline source file changed on disk
(so the page reloads the graph), and `launch` when a run started from the page has ended.
Files are polled (every 100 ms by default): it works on every file system and platform, and
costs one directory listing and one stat per poll.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runner.eventlog import EVENTS_FILE
from ..runner.records import RUNS_DIR
from .project import newest_run, pipeline_signature, run_folders

HEARTBEAT_S = 15.0
SIGNATURE_EVERY = 5  # polls between checks of the pipeline's files


@dataclass
class Cursor:
    """Where a reader is: the run it reads and the next line of that run's events file."""

    run_id: str = ""
    line: int = 0
    offset: int = 0  # bytes of the file already read (for run_id)

    @property
    def last_id(self) -> str:
        """The id of the last event read: `<run_id>:<line>`, line -1 before the run's first; '' before any run."""
        return f"{self.run_id}:{self.line - 1}" if self.run_id else ""


def parse_event_id(text: str | None) -> Cursor | None:
    """The cursor just after the event id text names, or None when text is not an event id."""
    if not text or ":" not in text:
        return None
    run_id, _, line = text.rpartition(":")
    try:
        number = int(line)
    except ValueError:
        return None
    if not run_id or "/" in run_id or run_id.startswith("."):
        return None
    return Cursor(run_id, number + 1)


class EventTail:
    """Reads the events of every run after a cursor, across runs, a poll at a time."""

    def __init__(self, root: Path, cursor: Cursor | None = None) -> None:
        self.root = Path(root)
        self.cursor = cursor if cursor is not None else self.end()

    def end(self) -> Cursor:
        """A cursor after the last event written so far."""
        run_id = newest_run(self.root)
        if run_id is None:
            return Cursor()
        path = self._file(run_id)
        data = path.read_bytes() if path.is_file() else b""
        whole = data[: data.rfind(b"\n") + 1]
        return Cursor(run_id, whole.count(b"\n"), len(whole))

    def poll(self) -> list[tuple[str, dict[str, Any]]]:
        """The (id, event) pairs written since the last poll, oldest first."""
        found: list[tuple[str, dict[str, Any]]] = []
        if self.cursor.run_id:
            found.extend(self._read_current())
        for run_id in run_folders(self.root, after=self.cursor.run_id):
            self.cursor = Cursor(run_id, 0, 0)
            found.extend(self._read_current())
        return found

    def _file(self, run_id: str) -> Path:
        return self.root / RUNS_DIR / run_id / EVENTS_FILE

    def _read_current(self) -> list[tuple[str, dict[str, Any]]]:
        cursor = self.cursor
        path = self._file(cursor.run_id)
        try:
            size = os.stat(path).st_size
        except OSError:
            return []
        if cursor.offset and size <= cursor.offset:
            return []
        with open(path, "rb") as handle:
            if cursor.offset:
                handle.seek(cursor.offset)
                data = handle.read()
                skip = 0
            else:  # resuming by line number: count lines from the start
                data = handle.read()
                skip = cursor.line
        end = data.rfind(b"\n") + 1
        lines = data[:end].split(b"\n")[:-1] if end else []
        found = []
        number = cursor.line - skip
        for raw in lines:
            if number >= cursor.line:
                try:
                    found.append((f"{cursor.run_id}:{number}", json.loads(raw)))
                except ValueError:
                    pass
            number += 1
        self.cursor = Cursor(cursor.run_id, number, cursor.offset + end)
        return found


def format_message(data: Any, event: str | None = None, event_id: str | None = None) -> str:
    """One server-sent event: optional event name and id, then the JSON data."""
    head = (f"event: {event}\n" if event else "") + (f"id: {event_id}\n" if event_id else "")
    return f"{head}data: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


async def event_stream(
    root: Path,
    cursor: Cursor | None,
    launches: Callable[[int], tuple[int, list[dict[str, Any]]]] | None = None,
    poll_s: float = 0.1,
) -> AsyncIterator[str]:
    """The messages of one connection, until the client goes away (the server cancels it)."""
    tail = EventTail(root, cursor)
    yield f"retry: 1000\n: resuming after {tail.cursor.last_id or 'the start'}\n\n"
    signature = pipeline_signature(root)
    seen_launches = launches(-1)[0] if launches else 0
    polls, quiet = 0, 0.0
    while True:
        messages = [format_message(event, "run", event_id) for event_id, event in tail.poll()]
        polls += 1
        if polls % SIGNATURE_EVERY == 0:
            now = pipeline_signature(root)
            if now != signature:
                signature = now
                messages.append(format_message({"changed": True}, "pipeline"))
        if launches is not None:
            seen_launches, ended = launches(seen_launches)
            messages.extend(format_message(item, "launch") for item in ended)
        if messages:
            quiet = 0.0
            yield "".join(messages)
        else:
            quiet += poll_s
            if quiet >= HEARTBEAT_S:
                quiet = 0.0
                yield ": still here\n\n"
        await asyncio.sleep(poll_s)
