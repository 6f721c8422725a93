"""The one coordinator of a run: decides, dispatches and records every step.

Staleness is decided when a step becomes ready (all its upstream steps finished), so a step
whose upstream ran again but produced the same outputs is not run again. Only this class
writes through the Workspace; executors only run commands. Everything a person sees of a run
comes from the events given to the reporter.
"""

from __future__ import annotations

import bisect
import contextlib
import queue
import time
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import CapacityError, InternalError, Interrupted, PipeyardError
from ..executors.base import Executor, StepResult, StepTask
from ..model import Stage
from . import events as ev
from .admission import admit
from .allocation import ResourcePool
from .groups import GroupLimits, guarded_command
from .plan import forced_steps
from .records import logs_dir, new_run_id, step_log_path
from .signals import DeferredSignals
from .step_state import StepBook, StepState
from .summary import RunSummary
from .tracking import step_environment
from .workdir import CodeFolderGuard

if TYPE_CHECKING:
    from ..cache import StageCheck

_WAKE = object()  # put on the completion queue to wake the loop (e.g. after Ctrl-C)
_MAX_WAIT_S = 0.2
Params = Mapping[str, Any]  # params.yaml's tree: {job: {param: value}}


class Workspace(Protocol):
    """What the scheduler needs of `pipeyard.cache.Workspace` (tests pass a fake)."""

    def check(self, stage: Stage, params: Params) -> StageCheck:
        """A StageCheck: `state` ('up_to_date', 'restorable', 'stale') and `reasons`."""
        ...

    def prepare_outputs(self, stage: Stage) -> None:
        """Remove old outputs and create their parent folders."""
        ...

    def commit(self, stage: Stage, params: Params) -> object:
        """Cache the outputs of a stage that ran, and record its lock entry in memory."""
        ...

    def restore(self, stage: Stage, check: StageCheck) -> None:
        """Check the stage's outputs out of the cache and record its lock entry in memory."""
        ...

    def flush_lock(self, order: Iterable[str]) -> object:
        """Write dvc.lock atomically, stages in the given order."""
        ...


class Scheduler:
    """Runs stages in parallel within the executor's capacity, recording through a Workspace.

    jobs caps how many steps run at once (None: only capacity limits it); keep_going finishes
    every branch that does not depend on a failed step; force names steps that run whatever
    their check says (force_downstream: and every step below them).
    """

    def __init__(
        self,
        workspace: Workspace,
        executor: Executor,
        reporter: ev.Reporter = ev.ignore,
        *,
        root: Path,
        run_id: str | None = None,
        jobs: int | None = None,
        keep_going: bool = False,
        force: Collection[str] = (),
        force_downstream: bool = False,
        log_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        flush_interval_s: float = 0.5,
    ) -> None:
        if jobs is not None and jobs < 1:
            raise CapacityError(f"jobs must be at least 1, got {jobs}", hint="use --jobs 1 or more")
        self.workspace = workspace
        self.executor = executor
        self.reporter = reporter
        self.root = Path(root)
        self.run_id = run_id or new_run_id()
        self.jobs = jobs
        self.keep_going = keep_going
        self.force = tuple(force)
        self.force_downstream = force_downstream
        self.log_dir = log_dir or logs_dir(self.root, self.run_id)
        self.env = dict(env or {})
        self.flush_interval_s = flush_interval_s

    def run(self, stages: Iterable[Stage], params: Params) -> RunSummary:
        """Run the stages (in topological order) and return what happened to each.

        Steps whose compute profile sets cpu_fallback run on the CPU when the executor has no
        GPU for them (runner.admission). Raises CapacityError before anything runs when a step
        asks more than the executor's capacity can ever give, and Interrupted (with the
        summary as `.summary`) on Ctrl-C or SIGTERM after running steps were stopped and
        finished ones recorded.
        """
        admitted = admit(stages, self.executor.capacity, self.reporter)
        return _Run(self, admitted, params).execute()


class _Run:
    """One execution of a Scheduler: the ready set, the queue, what runs, what finished."""

    def __init__(self, scheduler: Scheduler, stages: tuple[Stage, ...], params: Params) -> None:
        self.s = scheduler
        self.ws = scheduler.workspace
        self.params = params
        self.book = StepBook(stages)
        self.forced = forced_steps(
            self.book.order, self.book.upstream, scheduler.force, scheduler.force_downstream
        )
        self.queued_gpu: list[int] = []  # stale steps waiting for capacity, by pipeline order
        self.queued_cpu: list[int] = []
        self.running: dict[Future[StepResult], str] = {}
        self.completions: queue.SimpleQueue[Future[StepResult] | object] = queue.SimpleQueue()
        self.pool = ResourcePool(scheduler.executor.capacity, scheduler.jobs)
        self.groups = GroupLimits()  # runner.groups: a sweep's max_concurrent_trials and timeout
        self.code_folders = CodeFolderGuard(scheduler.root, scheduler.run_id, stages, scheduler.log_dir)
        self.stop_reason: str | None = None
        self.interrupted = False
        self.lock_dirty = False
        self.last_flush = time.monotonic()

    # -- the loop ---------------------------------------------------------------------------

    def execute(self) -> RunSummary:
        started_at, start = time.time(), time.monotonic()
        self.emit(ev.RunStarted(self.s.run_id, self.book.order, self.s.executor.capacity))
        with DeferredSignals(self.on_signal):  # until dvc.lock is written
            try:
                self.loop()
            except KeyboardInterrupt:
                self.interrupted = True
                self.stop_for_interrupt()
            except BaseException:
                self.abandon()
                raise
            status: ev.RunStatus = (
                "interrupted" if self.interrupted else "failed" if self.book.any_failed() else "succeeded"
            )
            self.finish_unreached()
            self.flush(force=True)
        duration = time.monotonic() - start
        summary = RunSummary(
            run_id=self.s.run_id,
            status=status,
            steps=self.book.summary_steps(),
            duration_s=duration,
            started_at=started_at,
            finished_at=time.time(),
        )
        self.emit(ev.RunFinished(status, duration, summary.counts))
        if self.interrupted:
            raise Interrupted("the run was interrupted; finished steps are recorded", summary=summary)
        return summary

    def loop(self) -> None:
        while True:
            if self.interrupted:
                self.stop_for_interrupt()
                return
            self.decide_ready()
            self.dispatch()
            if not self.running:
                if (self.queued_cpu or self.queued_gpu) and self.stop_reason is None:
                    raise InternalError("steps are queued but none can start")
                return
            self.wait_for_completions()
            self.flush()

    def on_signal(self) -> None:
        self.interrupted = True
        self.completions.put(_WAKE)

    def emit(self, event: ev.Event) -> None:
        self.s.reporter(event)

    # -- deciding ---------------------------------------------------------------------------

    def decide_ready(self) -> None:
        while self.stop_reason is None and not self.interrupted and (name := self.book.next_ready()):
            self.decide(name)

    def decide(self, name: str) -> None:
        step = self.book[name]
        if name in self.forced:
            self.queue(name, (self.forced[name],))
            return
        check = self.ws.check(step.stage, self.params)
        reasons = tuple(check.reasons)
        if check.state == "up_to_date":
            self.finish(name, "cached", reasons)
        elif check.state == "restorable":
            try:
                self.ws.restore(step.stage, check)
            except PipeyardError as error:
                self.queue(name, (*reasons, f"could not restore: {error.message}"))
                return
            self.lock_dirty = True
            self.finish(name, "restored", reasons)
        else:
            self.queue(name, reasons)

    def queue(self, name: str, reasons: tuple[str, ...]) -> None:
        step = self.book[name]
        step.reasons = reasons
        self.emit(ev.StepQueued(name))
        self.requeue(step)

    def requeue(self, step: StepState) -> None:
        waiting = self.queued_gpu if step.stage.resources.gpus else self.queued_cpu
        bisect.insort(waiting, step.index)

    # -- dispatching ------------------------------------------------------------------------

    def dispatch(self) -> None:
        if self.stop_reason is not None or self.interrupted:
            return
        # GPU steps go first while GPUs are free; without free GPUs none of them can start.
        for waiting in (self.queued_gpu, self.queued_cpu) if self.pool.gpus_free else (self.queued_cpu,):
            started = []
            for index in waiting:
                if self.pool.full:
                    break
                stage = self.book.at(index).stage
                if self.stop_reason is not None:
                    break
                if (why := self.groups.expired(stage, time.monotonic())) is not None:
                    started.append(index)
                    self.fail(stage.name, why)
                elif self.pool.fits(stage.reserved) and self.groups.admits(stage):
                    self.start(stage.name)
                    started.append(index)
            for index in started:
                waiting.remove(index)

    def start(self, name: str) -> None:
        step = self.book[name]
        stage = step.stage
        step.gpu_ids = self.pool.take(stage.reserved)
        step.timeout_s = self.groups.take(stage, time.monotonic())
        step.attempts += 1
        self.ws.prepare_outputs(stage)
        task = StepTask(
            name=name,
            command=guarded_command(stage, stage.shell_command, self.peers(stage)),
            cwd=self.s.root,
            log_path=step_log_path(self.s.log_dir, name),
            env={
                **self.s.env,
                **step_environment(self.s.root, self.s.run_id, name),  # runner.tracking
                **stage.env,
                "PIPEYARD_RUN_ID": self.s.run_id,
                "PIPEYARD_STEP": name,
            },
            resources=stage.resources,
            gpu_ids=step.gpu_ids,
            timeout_s=step.timeout_s,
            distribution=stage.distribution,
            inputs=(*stage.deps, *(("params.yaml",) if stage.params else ())),
            outputs=stage.out_paths,
        )
        self.emit(ev.StepStarted(name, self.s.executor.name, stage.resources, step.gpu_ids, step.attempts))
        self.code_folders.started(stage)  # runner.workdir: its writes there are moved out after it
        try:
            future = self.s.executor.submit(task)
        except BaseException:
            self.pool.give(stage.reserved, step.gpu_ids)
            self.groups.give(stage)
            self.code_folders.finished(stage)
            raise
        self.running[future] = name
        future.add_done_callback(self.completions.put)

    def peers(self, stage: Stage) -> list[Stage]:
        """The stages of stage's group that finished in this run or run now (runner.groups)."""
        if stage.group is None or stage.group.termination is None:
            return []
        current = {*self.book.outcomes, *self.running.values()}
        return [s.stage for n, s in self.book.steps.items() if n in current and s.stage.group == stage.group]

    # -- collecting -------------------------------------------------------------------------

    def wait_for_completions(self) -> None:
        timeout = _MAX_WAIT_S
        if self.lock_dirty:
            due = self.last_flush + self.s.flush_interval_s - time.monotonic()
            timeout = max(0.0, min(timeout, due))
        try:
            item = self.completions.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            if isinstance(item, Future):
                self.collect(item)
            try:
                item = self.completions.get_nowait()
            except queue.Empty:
                return

    def collect(self, future: Future[StepResult]) -> None:
        name = self.running.pop(future)
        step = self.book[name]
        self.pool.give(step.stage.reserved, step.gpu_ids)
        self.groups.give(step.stage)
        result = future.result()
        self.code_folders.finished(step.stage)  # before commit hashes its code
        step.last = result
        step.duration_s += result.duration_s
        if result.ok:
            try:
                self.ws.commit(step.stage, self.params)
            except PipeyardError as error:
                self.fail(name, error.message)
                return
            self.lock_dirty = True
            self.finish(name, "ran", step.reasons)
            return
        why = (
            f"timed out after {step.timeout_s or 0:g}s"
            if result.timed_out
            else f"exit code {result.returncode}"
        )
        if self.interrupted:
            self.fail(name, "stopped: the run was interrupted")
        elif step.attempts <= step.stage.retries and self.stop_reason is None:
            step.failure.append(f"attempt {step.attempts}: {why}")
            self.requeue(step)
        else:
            self.fail(name, why)

    def fail(self, name: str, why: str) -> None:
        step = self.book[name]
        self.finish(name, "failed", (why, *step.failure, *step.reasons))
        for child in self.book.open_downstream(name):
            self.finish(child, "skipped", (f"upstream '{name}' failed",))
        if not self.s.keep_going and self.stop_reason is None and not self.interrupted:
            self.stop_reason = f"the run stopped after '{name}' failed"

    def finish(self, name: str, status: ev.StepStatus, reasons: tuple[str, ...]) -> None:
        step = self.book[name]
        outcome = step.outcome(status, reasons, self.s.executor.name)
        self.book.record(outcome)
        self.emit(
            ev.StepFinished(
                name,
                status,
                outcome.duration_s,
                reasons,
                outcome.log_path,
                outcome.returncode,
                outcome.attempts,
                outcome.timed_out,
            )
        )

    # -- stopping ---------------------------------------------------------------------------

    def stop_for_interrupt(self) -> None:
        """Kill what runs, then record what finished before the kill reached it."""
        if self.running:
            self.s.executor.cancel_all()
        while self.running:
            item = self.completions.get()
            if isinstance(item, Future):
                self.collect(item)

    def abandon(self) -> None:
        """After a framework error: stop the steps and save what was already committed."""
        with contextlib.suppress(Exception):  # the first error is the one to report
            if self.running:
                self.s.executor.cancel_all()
            for future in list(self.running):
                future.exception()
            self.flush(force=True)

    def finish_unreached(self) -> None:
        why = "the run was interrupted" if self.interrupted else self.stop_reason
        for name in self.book.unfinished():
            self.finish(name, "skipped", (why or "not reached",))

    def flush(self, force: bool = False) -> None:
        if not self.lock_dirty:
            return
        now = time.monotonic()
        if force or now - self.last_flush >= self.s.flush_interval_s:
            self.ws.flush_lock(self.book.order)
            self.lock_dirty = False
            self.last_flush = now
