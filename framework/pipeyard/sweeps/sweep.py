"""Run a planned sweep: every point in its own worktree, shared steps once, within capacity.

    1. a worktree per point under .pipeyard/sweeps/<sweep id>/point-<n>/, sharing the DVC cache
    2. the planned runs (sharing.plan_runs), each as soon as the runs it needs have finished
       and a slot of the capacity is free; each slot has a worker process (worker.py)
    3. each finished point: its record goes to .pipeyard/runs/, a successful one becomes a DVC
       experiment and its worktree is removed; a failed one's worktree stays for inspection

Without keep_going, a failure stops the sweep from starting more runs (points not run are
`skipped`); with it, every run starts. Ctrl-C reaches the workers too: each stops its steps
and records what finished, and the sweep starts nothing more.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import session
from ..errors import EXIT_INTERRUPTED, Interrupted, PipeyardError
from ..history.shared_cache import share_cache
from ..runner.records import RECORD_FILE, RunRecord, load_record, run_dir
from ..vcs.git import add_worktree, remove_worktree
from .expand import SweepPoint
from .experiments import record_experiment
from .plan import SweepPlan
from .recording import fold_warmups, save_point_record
from .sharing import PlannedRun
from .slots import Slot
from .worker import Worker, write_spec
from .worktrees import LiveSweep, carry_changes, link_inputs, remove_stale_sweeps

# how a run in a worker ended: its record, the message of the error that stopped it, or None
# when it was interrupted
RunOutcome = RunRecord | str | None


@dataclass(frozen=True)
class PointResult:
    """How one point ended.

    status is 'succeeded', 'failed', 'interrupted' or 'skipped' (never started); run is its
    RunRecord with its warm-up run folded in (None when it never ran); metrics maps each
    metrics file to its flattened values; workspace is the worktree kept for a point that did
    not succeed; experiment is the DVC experiment name of a successful one; error is the
    message of a pipeyard error that stopped it, or of what went wrong recording it.
    """

    point: SweepPoint
    status: str
    run: RunRecord | None = None
    metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    workspace: Path | None = None
    experiment: str | None = None
    error: str | None = None

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class SweepResult:
    """Every point's result, in point order."""

    sweep_id: str
    baseline: str
    points: tuple[PointResult, ...]

    @property
    def failed(self) -> tuple[PointResult, ...]:
        """The points that did not succeed (skipped ones included)."""
        return tuple(p for p in self.points if p.status != "succeeded")


@dataclass(frozen=True)
class SweepStarted:
    """The sweep began: its id, its number of points and the slots they share."""

    sweep_id: str
    points: int
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class WarmupFinished:
    """A warm-up run ended: the shared steps computed in one point's workspace, and how."""

    point: SweepPoint
    steps: tuple[str, ...]
    status: str
    counts: Mapping[str, int] = field(default_factory=dict)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class PointFinished:
    """A point ended; done of total points have ended."""

    result: PointResult
    done: int
    total: int


def new_sweep_id(now: datetime | None = None) -> str:
    """A new sweep id like '20240131-120502-9f2c': UTC start time, then a random part."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def run_sweep(
    plan: SweepPlan, options: session.RunOptions, reporter: Callable = lambda event: None
) -> SweepResult:
    """Run every point of plan; raises Interrupted (after recording) when interrupted."""
    return _Sweep(plan, options, reporter, new_sweep_id()).run()


def step_counts(record: RunRecord) -> dict[str, int]:
    """Step status -> how many steps of the record ended with it."""
    counts: dict[str, int] = {}
    for step in record.steps.values():
        counts[step["status"]] = counts.get(step["status"], 0) + 1
    return counts


class _Sweep:
    """One sweep while it runs; the main thread decides, worker threads wait on processes."""

    def __init__(
        self, plan: SweepPlan, options: session.RunOptions, reporter: Callable, sweep_id: str
    ) -> None:
        self.plan, self.options, self.reporter, self.sweep_id = plan, options, reporter, sweep_id
        self.folder = plan.root / session.SWEEPS_DIR / sweep_id
        self.specs = self.folder / ".specs"
        self.points = {p.number: p for p in plan.points}
        self.warmups: dict[int, RunRecord] = {}
        self.errors: dict[int, str] = {}
        self.results: dict[int, PointResult] = {}
        self.stopped = False
        self.interrupted = threading.Event()

    def workspace(self, number: int) -> Path:
        return self.folder / f"point-{number}"

    def run(self) -> SweepResult:
        remove_stale_sweeps(self.plan.root)  # what killed sweeps left: worktrees, workers
        slots = self.plan.slots(len(self.plan.points), self.options.jobs)
        self.reporter(SweepStarted(self.sweep_id, len(self.plan.points), slots))
        inputs = self.plan.inputs()
        self.live = LiveSweep(self.folder)
        finished = False
        try:
            for number in self.points:
                folder = self.workspace(number)
                add_worktree(self.plan.root, folder, self.plan.baseline)
                carry_changes(self.plan.root, folder, self.plan.changes)
                share_cache(self.plan.root, folder)
                link_inputs(self.plan.root, folder, inputs)
            try:
                self.run_all(slots)
            except KeyboardInterrupt:
                self.interrupted.set()
            for number in self.points:
                if number not in self.results:
                    self.point_done(self.unfinished(number))
            shutil.rmtree(self.specs, ignore_errors=True)
            finished = True
        finally:
            self.live.close(finished)
        for folder in (self.folder, self.folder.parent):
            try:
                folder.rmdir()  # only when no point's worktree is left
            except OSError:
                break
        if self.interrupted.is_set():
            raise Interrupted()
        return SweepResult(
            self.sweep_id, self.plan.baseline, tuple(self.results[n] for n in sorted(self.results))
        )

    def run_all(self, slots: tuple[Slot, ...]) -> None:
        """Start each planned run once the runs it needs are done and a slot is free."""
        waiting = list(self.plan.runs)
        finished: set[str] = set()
        self.specs.mkdir(parents=True, exist_ok=True)
        workers = [Worker(self.specs / f"worker-{i}.log") for i in range(len(slots))]
        for worker in workers:
            self.live.add_process(worker.process.pid)
        free = list(zip(slots, workers, strict=True))
        running: dict[Future, tuple[PlannedRun, tuple[Slot, Worker]]] = {}
        try:
            with ThreadPoolExecutor(max_workers=len(slots), thread_name_prefix="sweep") as pool:
                while waiting or running:
                    ready = [] if self.stopped else [r for r in waiting if set(r.needs) <= finished]
                    while ready and free:
                        run, seat = ready.pop(0), free.pop(0)
                        waiting.remove(run)
                        running[pool.submit(self.call_worker, run, *seat)] = (run, seat)
                    if not running:
                        break  # stopped, or nothing can start
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        run, seat = running.pop(future)
                        free.append(seat)
                        if self.finished(run, future.result()):
                            finished.add(run.key)
                        elif not self.options.keep_going:
                            self.stopped = True
                        if self.options.keep_going:
                            finished.add(run.key)  # what needs it runs anyway, computing it itself
        finally:
            for worker in workers:
                worker.close()

    def finished(self, run: PlannedRun, outcome: RunOutcome) -> bool:
        """Take in the outcome of a run; True when it succeeded."""
        if run.final:
            result = self.finish(run.point, outcome)
            self.point_done(result)
            return result.status == "succeeded"
        if isinstance(outcome, RunRecord):
            self.warmups[run.point] = outcome
            status, counts = outcome.status, step_counts(outcome)
        elif outcome is None:
            status, counts = "interrupted", {}
        else:
            self.errors[run.point] = outcome
            status, counts = "failed", {}
        self.reporter(WarmupFinished(self.points[run.point], run.steps or (), status, counts))
        return status == "succeeded"

    def point_done(self, result: PointResult) -> None:
        self.results[result.point.number] = result
        self.reporter(PointFinished(result, len(self.results), len(self.points)))

    def call_worker(self, run: PlannedRun, slot: Slot, worker: Worker) -> RunOutcome:
        """Make one planned run in a worker process, within slot.

        Returns its RunRecord, an error message, or None when it was interrupted.
        """
        if self.interrupted.is_set():
            return None
        folder = self.workspace(run.point)
        handle, spec_path = tempfile.mkstemp(dir=self.specs, prefix=f"{run.key}-", suffix=".spec")
        os.close(handle)
        spec_file, result_file = Path(spec_path), Path(spec_path).with_suffix(".result.json")
        write_spec(spec_file, self.loaded_for(run), self.options_for(run, slot))
        try:
            code = worker.run(spec_file, result_file)
            try:
                result = json.loads(result_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                if code is None and self.interrupted.is_set():
                    return None
                return f"the sweep's worker process stopped: {worker.last_words()}"
        finally:
            spec_file.unlink(missing_ok=True)
            result_file.unlink(missing_ok=True)
        if result.get("error") == "interrupted" or code == EXIT_INTERRUPTED:
            self.interrupted.set()
            return None
        if "error" in result:
            return result["error"]
        return load_record(run_dir(folder, result["run_id"]) / RECORD_FILE)

    def loaded_for(self, run: PlannedRun) -> session.Loaded:
        # the worktree holds the same files as the main workspace, so the pipeline loaded
        # there compiles the same: only the root moves
        loaded = replace(self.plan.loaded[run.point], root=self.workspace(run.point))
        if run.steps is None:
            return loaded
        stages = tuple(s for s in loaded.compiled.stages if s.name in run.steps)
        return replace(loaded, compiled=replace(loaded.compiled, stages=stages))

    def options_for(self, run: PlannedRun, slot: Slot) -> session.RunOptions:
        # a forced step runs where it is computed: in a warm-up when it is shared
        computed_elsewhere = {
            step.name for step in self.plan.shared if run.point in step.points and step.runs_in != run.point
        }
        if run.steps is not None:
            force = [n for n in self.options.force if n in run.steps and n not in computed_elsewhere]
        else:
            warmed = set(next((r.steps or () for r in self.plan.runs if r.key == f"warmup-{run.point}"), ()))
            force = [n for n in self.options.force if n not in computed_elsewhere | warmed]
        return replace(
            self.options,
            overrides=self.points[run.point].overrides,
            cpus=slot.cpus,
            memory_mb=slot.memory_mb,
            gpu_ids=slot.gpu_ids,
            jobs=slot.jobs,
            force=tuple(force),
            wait=False,
            dry_run=False,
        )

    def unfinished(self, number: int) -> PointResult:
        """A point whose own run never ran: failed in its warm-up, interrupted or skipped."""
        point, folder = self.points[number], self.workspace(number)
        warmup = self.warmups.get(number)
        if number in self.errors or (warmup is not None and warmup.status != "succeeded"):
            record = self.save(number, warmup) if warmup is not None else None
            return PointResult(
                point,
                "failed",
                record,
                record.metrics if record else {},
                folder,
                None,
                self.errors.get(number),
            )
        status = "interrupted" if self.interrupted.is_set() else "skipped"
        self.discard(folder)
        return PointResult(point, status)

    def discard(self, folder: Path) -> None:
        """Remove the worktree of a point that did not fail (nothing in it to look into)."""
        try:
            remove_worktree(self.plan.root, folder)
        except PipeyardError:
            pass  # a leftover worktree is harmless; `git worktree prune` tidies it

    def save(self, number: int, record: RunRecord) -> RunRecord:
        return save_point_record(
            self.plan.root,
            self.workspace(number),
            record,
            commit=self.plan.baseline,
            dirty=bool(self.plan.changes),
        )

    def finish(self, number: int, outcome: RunOutcome) -> PointResult:
        point, folder = self.points[number], self.workspace(number)
        if outcome is None:
            self.discard(folder)
            return PointResult(point, "interrupted")
        if not isinstance(outcome, RunRecord):
            return PointResult(point, "failed", workspace=folder, error=outcome)
        warmups = [self.warmups[number]] if number in self.warmups else []
        record = self.save(number, fold_warmups(outcome, warmups))
        if record.status != "succeeded":
            return PointResult(point, record.status, record, record.metrics, workspace=folder)
        name = f"{self.sweep_id}-p{number}"
        try:
            message = f"pipeyard sweep {self.sweep_id}, point {number}: {point.label}"
            record_experiment(folder, self.plan.baseline, name, message)
            remove_worktree(self.plan.root, folder)
        except PipeyardError as error:
            return PointResult(point, "succeeded", record, record.metrics, folder, name, error.format())
        return PointResult(point, "succeeded", record, record.metrics, experiment=name)
