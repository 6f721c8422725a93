"""Run a loaded pipeline: take the locks, compile, open the executor, run, record the run."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from ..cache import Workspace
from ..compile.path_checks import check_inputs_exist
from ..config.params_file import without_record
from ..config.project import ProjectConfig
from ..errors import Interrupted
from ..executors.base import Executor
from ..executors.capacity import detect_capacity
from ..executors.environments import realise_environments
from ..executors.registry import ExecutorSpec, open_executor
from ..history.notes import store_record
from ..model import Capacity
from ..runner.dvc_lock import DvcLock
from ..runner.eventlog import EventLog
from ..runner.events import Notice, Reporter
from ..runner.lock import RunLock
from ..runner.records import RunRecord, metric_paths, read_metrics, write_record
from ..runner.scheduler import Scheduler
from ..runner.summary import RunSummary
from ..runner.tracking import run_metrics
from ..vcs.git import git_state
from ._files import compile_files, remove_killed_runs_leftovers
from ._project import Loaded, RunOptions
from ._repository import require_dvc
from ._status import check_force, only_steps


def run(loaded: Loaded, options: RunOptions, reporter: Reporter) -> RunSummary:
    """Compile, then run every stale step in parallel; returns the runner's RunSummary.

    Raises Interrupted (carrying the summary, recorded like a finished run's) on Ctrl-C.
    """
    reporter = EventLog(loaded.root, reporter)  # events.jsonl per run, for `pipeyard ui`
    require_dvc(loaded.root)
    stages = only_steps(loaded.compiled.stages, options.only)
    check_inputs_exist(loaded.pipeline, loaded.root, steps=[s.name for s in stages], tracked_ok=False)
    check_force(stages, options.force)
    capacity = run_capacity(loaded.project, options)
    # DVC's lock too: dvc.lock, the cache and the outputs are DVC's files as well
    with RunLock(loaded.root, wait=options.wait) as run_lock, DvcLock(loaded.root, wait=options.wait):
        if run_lock.left_by_killed_run:
            remove_killed_runs_leftovers(loaded)
        commit, dirty = git_state(loaded.root)  # before pipeyard's own writes below
        compile_files(loaded)
        workspace = Workspace(
            loaded.root, workers=max(1, int(capacity.cpus))
        )  # hashing within the run's CPUs
        executor = open_run_executor(loaded.project, options, capacity)
        stages = realise_environments(
            stages, loaded.root, options.env_mode or "isolated", lambda text: reporter(Notice(text))
        )
        scheduler = Scheduler(
            workspace,
            executor,
            reporter,
            root=loaded.root,
            jobs=options.jobs,
            keep_going=options.keep_going,
            force=options.force,
            env=step_environment(),
        )
        try:
            summary = scheduler.run(stages, loaded.compiled.params)
        except Interrupted as interrupted:
            if interrupted.summary is not None:
                _record(loaded, replace(interrupted.summary, commit=commit), dirty)
            raise
        finally:
            executor.shutdown()
            workspace.close()
        summary = replace(summary, commit=commit)
        _record(loaded, summary, dirty)
    return summary


def run_capacity(project: ProjectConfig, options: RunOptions | None = None) -> Capacity:
    """The capacity a run schedules within: --cpus/--memory/--gpus, else pipeyard.yaml's
    `capacity:`, else what this machine has (`validate` and sweeps use it too)."""
    options = options or RunOptions()
    spec = project.capacity
    return detect_capacity(
        cpus=options.cpus if options.cpus is not None else spec.cpus,
        memory_mb=options.memory_mb if options.memory_mb is not None else spec.memory_mb,
        gpu_ids=options.gpu_ids if options.gpu_ids is not None else spec.gpu_ids,
    )


def open_run_executor(project: ProjectConfig, options: RunOptions, capacity: Capacity) -> Executor:
    """The run's executor: the caller's factory, else the registry's for executor_spec."""
    if options.executor_factory is not None:
        return options.executor_factory(capacity)
    return open_executor(executor_spec(project, options), capacity)


def executor_spec(project: ProjectConfig, options: RunOptions) -> ExecutorSpec:
    """The executor to run with: --executor/--address win over pipeyard.yaml's `executor:`."""
    configured = project.executor
    if options.executor is not None and options.executor != configured.type:
        return ExecutorSpec(type=options.executor, address=options.executor_address)
    return ExecutorSpec(
        type=configured.type,
        address=options.executor_address or configured.address,
        options=configured.options,
    )


def step_environment() -> dict[str, str]:
    """What steps add to the environment: pipeyard's own interpreter first on PATH.

    Steps run as if pipeyard's virtual environment were activated, so `python` in a command
    (and `python -m pipeyard.exec` of Python steps) is the interpreter pipeyard runs under,
    while dvc.yaml keeps the plain, machine-independent `python`.
    """
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    env = {"PATH": bin_dir + (os.pathsep + path if path else "")}
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
    return env


def _record(loaded: Loaded, summary: RunSummary, dirty: bool) -> None:
    """Write the run's record, and share it through git notes (which never raises)."""
    ran = [name for name, step in summary.steps.items() if step.status == "ran"]
    metrics = {
        **read_metrics(loaded.root, metric_paths(loaded.compiled.stages)),
        **run_metrics(loaded.root, summary.run_id, ran, loaded.compiled.stages),
    }
    record = RunRecord.from_summary(
        summary,
        root=loaded.root,
        stages=loaded.compiled.stages,
        metrics=metrics,
        dirty=dirty,
        overrides=list(loaded.overrides),
        pipeline_file=loaded.source,
    )
    write_record(loaded.root, record)
    store_record(loaded.root, record, params=without_record(loaded.compiled.params))
