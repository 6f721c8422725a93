"""The result of a run: one outcome per step, and the run's status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Resources
from .events import RunStatus, StepStatus


@dataclass(frozen=True)
class StepOutcome:
    """How one step ended in a run, and where its log is (None when its command never ran)."""

    name: str
    status: StepStatus
    duration_s: float = 0.0
    reasons: tuple[str, ...] = ()
    attempts: int = 0
    log_path: Path | None = None
    executor: str | None = None
    resources: Resources = field(default_factory=Resources)
    gpu_ids: tuple[str, ...] = ()
    returncode: int | None = None
    timed_out: bool = False
    host: str | None = None  # where its last attempt ran, when the executor says (a cluster node)
    node_id: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """What a run did: status is 'succeeded', 'failed' or 'interrupted'; steps in pipeline order.

    commit is the git commit the run started from; the scheduler does not know it, so it is
    None unless the caller fills it in (`dataclasses.replace(summary, commit=...)`).
    """

    run_id: str
    status: RunStatus
    steps: Mapping[str, StepOutcome]
    duration_s: float
    started_at: float  # seconds since the epoch
    finished_at: float
    commit: str | None = None

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the steps that failed, in pipeline order."""
        return tuple(name for name, s in self.steps.items() if s.status == "failed")

    @property
    def counts(self) -> dict[str, int]:
        """Step status -> how many steps ended with it."""
        counts: dict[str, int] = {}
        for outcome in self.steps.values():
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts
