"""In-memory stand-ins for the Workspace and an Executor, to test the scheduler's logic."""

from __future__ import annotations

import random
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from pipeyard.errors import UserError
from pipeyard.executors.base import StepResult, StepTask
from pipeyard.model import Capacity, Resources, Stage


@dataclass(frozen=True)
class Check:
    """The shape of pipeyard.cache.StageCheck."""

    state: str
    reasons: tuple[str, ...] = ()
    source: str | None = None


@dataclass
class FakeWorkspace:
    """Answers checks from a table; a step is stale when an upstream that ran changed outputs."""

    states: dict[str, str] = field(default_factory=dict)
    same_outputs: set[str] = field(default_factory=set)  # steps whose re-run changes nothing
    bad_outputs: set[str] = field(default_factory=set)  # steps whose commit fails
    bad_cache: set[str] = field(default_factory=set)  # steps whose restore fails
    calls: list[tuple[str, str]] = field(default_factory=list)
    flushes: list[tuple[str, ...]] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)

    def check(self, stage: Stage, params) -> Check:
        self.calls.append(("check", stage.name))
        changed = [u for u in stage.upstream if u in self.committed and u not in self.same_outputs]
        if changed:
            return Check("stale", tuple(f"dep {u} changed" for u in changed), None)
        state = self.states.get(stage.name, "stale")
        return Check(state, (f"was {state}",) if state != "up_to_date" else (), None)

    def prepare_outputs(self, stage: Stage) -> None:
        self.calls.append(("prepare", stage.name))

    def commit(self, stage: Stage, params) -> None:
        self.calls.append(("commit", stage.name))
        if stage.name in self.bad_outputs:
            raise UserError(f"output of {stage.name} does not exist")
        self.committed.append(stage.name)

    def restore(self, stage: Stage, check) -> None:
        self.calls.append(("restore", stage.name))
        if stage.name in self.bad_cache:
            raise UserError("cache object missing")

    def flush_lock(self, order) -> None:
        self.calls.append(("flush", ""))
        self.flushes.append(tuple(order))

    def close(self) -> None:
        pass


class FakeExecutor:
    """Completes submitted tasks from a background thread, in a random order.

    It checks, when a task is submitted, what the scheduler promises: the running tasks fit
    the capacity, GPU ids are not shared, and no upstream of the task is still running.
    """

    name = "fake"

    def __init__(
        self,
        capacity: Capacity,
        *,
        upstream=None,
        returncodes=None,
        seed=0,
        hold: set[str] | None = None,
    ) -> None:
        self.capacity = capacity
        self.upstream = upstream or {}
        self.returncodes = {k: list(v) for k, v in (returncodes or {}).items()}
        self.hold = set(hold or ())  # tasks that run until cancel_all
        self.rng = random.Random(seed)
        self.cond = threading.Condition()
        self.pending: list[tuple[StepTask, Future]] = []
        self.held: list[tuple[StepTask, Future]] = []
        self.running: dict[str, StepTask] = {}
        self.finished: set[str] = set()
        self.submitted: list[StepTask] = []
        self.violations: list[str] = []
        self.closed = False
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.worker.start()

    def submit(self, task: StepTask) -> Future:
        future: Future = Future()
        with self.cond:
            self._check(task)
            self.submitted.append(task)
            self.running[task.name] = task
            (self.held if task.name in self.hold else self.pending).append((task, future))
            self.cond.notify()
        return future

    def _check(self, task: StepTask) -> None:
        tasks = [*self.running.values(), task]
        cpus = sum(t.resources.cpus for t in tasks)
        memory = sum(t.resources.memory_mb for t in tasks)
        gpus = [g for t in tasks for g in t.gpu_ids]
        if cpus > self.capacity.cpus + 1e-9:
            self.violations.append(f"{cpus} CPUs in use")
        if self.capacity.memory_mb and memory > self.capacity.memory_mb:
            self.violations.append(f"{memory} MB in use")
        if len(gpus) != len(set(gpus)) or not set(gpus) <= set(self.capacity.gpu_ids):
            self.violations.append(f"GPUs {gpus}")
        if len(task.gpu_ids) != task.resources.gpus:
            self.violations.append(f"{task.name} got GPUs {task.gpu_ids}")
        if task.name in self.running:
            self.violations.append(f"{task.name} submitted while running")
        for parent in self.upstream.get(task.name, ()):
            if parent in self.running:
                self.violations.append(f"{task.name} started while {parent} runs")

    def _work(self) -> None:
        while True:
            with self.cond:
                while not self.pending and not self.closed:
                    self.cond.wait()
                if self.closed and not self.pending:
                    return
                self.cond.wait(timeout=0.0005)  # let the scheduler submit a few more
                task, future = self.pending.pop(self.rng.randrange(len(self.pending)))
                codes = self.returncodes.get(task.name)
                code = codes.pop(0) if codes else 0
                self._end(task)
            future.set_result(_result(task, code))

    def _end(self, task: StepTask) -> None:
        self.running.pop(task.name, None)
        self.finished.add(task.name)

    def cancel_all(self) -> None:
        with self.cond:
            held, self.held = self.held, []
            for task, _ in held:
                self._end(task)
        for task, future in held:
            future.set_result(_result(task, -15))

    def shutdown(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        self.worker.join()


def _result(task: StepTask, code: int) -> StepResult:
    return StepResult(task.name, code, 0.01, code == -9, task.log_path, 0.0)


def stage(
    name: str,
    *upstream: str,
    cpus: float = 1.0,
    memory_mb: int = 0,
    gpus: int = 0,
    retries: int = 0,
    timeout_s: float | None = None,
) -> Stage:
    """A stage with a trivial command."""
    return Stage(
        name=name,
        commands=(f"echo {name}",),
        upstream=tuple(upstream),
        resources=Resources(cpus=cpus, memory_mb=memory_mb, gpus=gpus),
        retries=retries,
        timeout_s=timeout_s,
    )
