"""What a run reports while it goes: frozen event values passed to a reporter callable.

A reporter is any callable taking one event; the CLI's progress view, JSON output and tests
all consume the same stream. Step statuses:

    ran       the step's command ran and succeeded
    cached    the step was up to date; nothing was done
    restored  its outputs came back from the cache
    failed    its command failed (after its retries) or timed out
    skipped   not run, because an upstream step failed or the run stopped
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from ..model import Capacity, Resources

StepStatus = Literal["ran", "cached", "restored", "failed", "skipped"]
RunStatus = Literal["succeeded", "failed", "interrupted"]
STEP_STATUSES: tuple[str, ...] = ("ran", "cached", "restored", "failed", "skipped")


@dataclass(frozen=True)
class RunStarted:
    """A run began: its id, every step in pipeline order, and the capacity it may use."""

    run_id: str
    steps: tuple[str, ...]
    capacity: Capacity


@dataclass(frozen=True)
class StepQueued:
    """A step was found stale and waits for capacity to run."""

    name: str


@dataclass(frozen=True)
class StepStarted:
    """An attempt of a step started on an executor (attempt counts from 1)."""

    name: str
    executor: str
    resources: Resources
    gpu_ids: tuple[str, ...] = ()
    attempt: int = 1


@dataclass(frozen=True)
class StepFinished:
    """A step reached its final status; attempt is how many times its command started."""

    name: str
    status: StepStatus
    duration_s: float = 0.0
    reasons: tuple[str, ...] = ()
    log_path: Path | None = None
    returncode: int | None = None
    attempt: int = 0
    timed_out: bool = False


@dataclass(frozen=True)
class RunFinished:
    """The run ended; counts maps each step status to how many steps ended with it."""

    status: RunStatus
    duration_s: float
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Notice:
    """Something the user should know about the run that is not a step's status."""

    text: str


Event = RunStarted | StepQueued | StepStarted | StepFinished | RunFinished | Notice
Reporter = Callable[[Event], None]
E = TypeVar("E")


def ignore(event: Event) -> None:
    """A reporter that drops every event."""


class RecordingReporter:
    """A reporter that keeps every event, for tests and for building summaries afterwards."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, kind: type[E]) -> list[E]:
        """The recorded events of one type, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    def statuses(self) -> dict[str, str]:
        """Step name -> final status, from the StepFinished events."""
        return {e.name: e.status for e in self.of_type(StepFinished)}
