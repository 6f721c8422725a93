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

from ..model import Capacity, Distribution, Resources


@dataclass(frozen=True)
class StepTask:
    """One attempt of one step, ready to run.

    command runs in a POSIX shell from cwd; env holds the variables set on top of the
    executor's own environment; gpu_ids are the devices the scheduler allocated (empty for a
    CPU step); log_path receives stdout and stderr together. distribution is set for a step
    whose command runs its ranks through `pipeyard.launch`: an executor that spreads instances
    over nodes runs one instance per node; others run the command as it is. inputs and outputs
    are the paths (relative to cwd) the command reads and writes, for an executor that copies
    them to and from a node without the project folder.
    """

    name: str
    command: str
    cwd: Path
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    resources: Resources = field(default_factory=Resources)
    gpu_ids: tuple[str, ...] = ()
    timeout_s: float | None = None
    distribution: Distribution | None = None
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepResult:
    """How one attempt ended: returncode is negative when a signal ended it (-9: killed).

    host and node_id say where it ran when the executor knows (a cluster node); None otherwise.
    """

    name: str
    returncode: int
    duration_s: float
    timed_out: bool
    log_path: Path
    started_at: float  # seconds since the epoch
    host: str | None = None
    node_id: str | None = None

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


def append_log(task: StepTask, text: str) -> None:
    """Add a line of pipeyard's own to the step's log (best effort)."""
    try:
        task.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(task.log_path, "a", encoding="utf-8") as log:
            log.write(text)
    except OSError:
        pass
