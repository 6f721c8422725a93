"""What the scheduler hands an executor (a StepTask) and gets back (a StepResult).

An executor is anything with a `name`, a `capacity`, and three methods; the scheduler never
looks at its concrete type. New executors prove themselves by passing
`pipeyard.testing.executor_contract.ExecutorContract`.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..model import Capacity, Resources


@dataclass(frozen=True)
class StepTask:
    """One attempt of one step, ready to run.

    command runs in a POSIX shell from cwd; env holds the variables set on top of the
    executor's own environment; gpu_ids are the devices the scheduler allocated (empty for a
    CPU step); log_path receives stdout and stderr together.
    """

    name: str
    command: str
    cwd: Path
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    resources: Resources = field(default_factory=Resources)
    gpu_ids: tuple[str, ...] = ()
    timeout_s: float | None = None


@dataclass(frozen=True)
class StepResult:
    """How one attempt ended: returncode is negative when a signal ended it (-9: killed)."""

    name: str
    returncode: int
    duration_s: float
    timed_out: bool
    log_path: Path
    started_at: float  # seconds since the epoch

    @property
    def ok(self) -> bool:
        """True when the command exited 0 within its time limit."""
        return self.returncode == 0 and not self.timed_out


@runtime_checkable
class Executor(Protocol):
    """Runs step commands; the scheduler keeps within `capacity` and assigns GPU ids."""

    name: str
    capacity: Capacity

    def submit(self, task: StepTask) -> Future[StepResult]:
        """Start the task now and return a future that resolves when it ends.

        A command that fails is a StepResult with a non-zero returncode, never an exception.
        """
        ...

    def cancel_all(self) -> None:
        """Stop every running task (their futures still resolve, with a non-zero returncode)."""
        ...

    def shutdown(self) -> None:
        """Wait for running tasks to end and release what the executor holds."""
        ...
