"""The scheduler's bookkeeping of one run: each step's notes, which steps are ready, how each ended."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ..executors.base import StepResult
from ..model import Stage
from .events import StepStatus
from .plan import downstream_of
from .summary import StepOutcome


@dataclass
class StepState:
    """What the scheduler knows of one step so far in a run (mutable, one per step)."""

    stage: Stage
    index: int  # its place in pipeline order: ready and queued steps start in this order
    waiting_on: int  # upstream steps not finished yet
    reasons: tuple[str, ...] = ()
    attempts: int = 0
    duration_s: float = 0.0
    gpu_ids: tuple[str, ...] = ()
    last: StepResult | None = None
    failure: list[str] = field(default_factory=list)
    timeout_s: float | None = None  # of the last attempt: its own, or what its group had left

    def outcome(self, status: StepStatus, reasons: tuple[str, ...], executor: str) -> StepOutcome:
        """How the step ended; executor names the executor that ran it (unused when it never ran)."""
        ran = self.attempts > 0
        last = self.last
        return StepOutcome(
            name=self.stage.name,
            status=status,
            duration_s=self.duration_s,
            reasons=reasons,
            attempts=self.attempts,
            log_path=last.log_path if last else None,
            executor=executor if ran else None,
            resources=self.stage.resources,
            gpu_ids=self.gpu_ids if ran else (),
            returncode=last.returncode if last else None,
            timed_out=last.timed_out if last else False,
            host=last.host if last else None,
            node_id=last.node_id if last else None,
        )


class StepBook:
    """The steps of one run: each one's state, which are ready, and how each one ended.

    Ready steps come out in pipeline order; a step becomes ready when its last upstream step
    has an outcome.
    """

    def __init__(self, stages: tuple[Stage, ...]) -> None:
        self.order = tuple(stage.name for stage in stages)
        self.upstream = {stage.name: stage.upstream for stage in stages}
        self.steps = {
            stage.name: StepState(stage=stage, index=i, waiting_on=len(set(stage.upstream)))
            for i, stage in enumerate(stages)
        }
        self.children: dict[str, list[str]] = {name: [] for name in self.order}
        for stage in stages:
            for parent in set(stage.upstream):
                self.children[parent].append(stage.name)
        self.ready = [step.index for step in self.steps.values() if step.waiting_on == 0]
        self.outcomes: dict[str, StepOutcome] = {}

    def __getitem__(self, name: str) -> StepState:
        return self.steps[name]

    def at(self, index: int) -> StepState:
        """The step at index in pipeline order."""
        return self.steps[self.order[index]]

    def next_ready(self) -> str | None:
        """The first ready step without an outcome, taken off the ready set; None when none is."""
        while self.ready:
            name = self.order[heapq.heappop(self.ready)]
            if name not in self.outcomes:
                return name
        return None

    def record(self, outcome: StepOutcome) -> None:
        """Note how a step ended; the steps below it that waited only for it become ready."""
        self.outcomes[outcome.name] = outcome
        for child in self.children[outcome.name]:
            child_step = self.steps[child]
            child_step.waiting_on -= 1
            if child_step.waiting_on == 0 and child not in self.outcomes:
                heapq.heappush(self.ready, child_step.index)

    def open_downstream(self, name: str) -> list[str]:
        """The steps below name, directly or not, without an outcome yet, in pipeline order."""
        below = sorted(downstream_of([name], self.upstream), key=self.order.index)
        return [child for child in below if child not in self.outcomes]

    def unfinished(self) -> list[str]:
        """The steps without an outcome, in pipeline order."""
        return [name for name in self.order if name not in self.outcomes]

    def any_failed(self) -> bool:
        """True when a step failed."""
        return any(outcome.status == "failed" for outcome in self.outcomes.values())

    def summary_steps(self) -> dict[str, StepOutcome]:
        """Every step's outcome in pipeline order (all steps must have one)."""
        return {name: self.outcomes[name] for name in self.order}
