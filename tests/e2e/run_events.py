"""Wait for what a running `pipeyard run` does, read from its event log, instead of sleeping.

A test that stops a run "while a step runs" waits here for the step's event in
`.pipeyard/runs/<id>/events.jsonl`, the file `pipeyard ui` follows, then acts. The wait has a
deadline and fails saying what never happened and what the log held; it also fails at once
when the run ends first.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeyard.runner.eventlog import events_path, read_events
from pipeyard.runner.records import RUNS_DIR


def newest_run_id(root: Path) -> str | None:
    """The id of the newest run under root (run ids sort by their start time), or None."""
    runs = Path(root) / RUNS_DIR
    ids = sorted(p.name for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []
    return ids[-1] if ids else None


def wait_for_event(
    process: subprocess.Popen[Any],
    root: Path,
    kind: str,
    step: str | tuple[str, ...] | None = None,
    *,
    after: str | None = None,
    timeout_s: float = 60.0,
) -> dict[str, Any]:
    """The first event of type kind (e.g. "StepStarted"), of step (or one of steps) when given,
    that the run of process logs; its run is the newest one, newer than the run id after when
    given. Fails after timeout_s, or when process exits before the event, with what the log held.
    """
    steps = (step,) if isinstance(step, str) else step
    seen: list[dict[str, Any]] = []

    def logged() -> bool:
        run_id = newest_run_id(root)
        if run_id is None or (after is not None and run_id <= after):
            return False
        seen[:] = [event for _, event in read_events(events_path(root, run_id))]
        return any(_matches(event, kind, steps) for event in seen)

    what = f"a {kind} event" + (f" of {' or '.join(steps)}" if steps else "")
    wait_until(
        logged,
        what,
        process,
        timeout_s,
        explain=lambda: (
            "; the run's events: " + ", ".join(f"{e.get('type')} {e.get('name', '')}" for e in seen)
        ),
    )
    return next(event for event in seen if _matches(event, kind, steps))


def wait_until(
    predicate: Callable[[], bool],
    what: str,
    process: subprocess.Popen[Any],
    timeout_s: float = 60.0,
    explain: Callable[[], str] = str,
) -> None:
    """Return once predicate() holds; fail after timeout_s, or when process exits first,
    naming what never happened (and what explain() adds)."""
    deadline = time.monotonic() + timeout_s
    while True:
        exited = process.poll() is not None  # asked first: all it did before exiting counts
        if predicate():
            return
        if exited:
            raise AssertionError(f"the process exited ({process.returncode}) before {what}{explain()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout_s:.0f}s{explain()}")
        time.sleep(0.02)


def _matches(event: dict[str, Any], kind: str, steps: tuple[str, ...] | None) -> bool:
    return event.get("type") == kind and (steps is None or event.get("name") in steps)
