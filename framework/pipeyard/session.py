"""One project on disk: load the pipeline, resolve parameters, compile, then plan or run.

This is the layer the CLI talks to. It owns no logic of its own beyond putting the layers
below it together in the right order and holding the repository's run lock while it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .config.params_file import merge_overrides, without_record
from .errors import Interrupted, ParameterError, RepositoryError, did_you_mean, known
from .model import Capacity, Pipeline

if TYPE_CHECKING:
    from .compile.stages import CompiledPipeline
    from .config.params_file import RecordedParams


SWEEPS_DIR = Path(".pipeyard") / "sweeps"  # the worktrees and markers of the sweeps of a project


@dataclass(frozen=True)
class RunOptions:
    """What `pipeyard run` was asked to do."""

    pipeline_file: str | None = None
    overrides: tuple[str, ...] = ()
    jobs: int | None = None
    keep_going: bool = False
    force: tuple[str, ...] = ()
    dry_run: bool = False
    cpus: float | None = None
    memory_mb: int | None = None
    gpu_ids: tuple[str, ...] | None = None
    wait: bool = False
    only: tuple[str, ...] = ()  # run just these steps; their upstream outputs must be present
    executor: str | None = None  # local | ray | a plug-in's name (None: pipeyard.yaml's, else local)
    executor_address: str | None = None  # a cluster's address (Ray: auto, ray://host:port)
    env_mode: str | None = None  # isolated | current | strict (None: isolated)


@dataclass(frozen=True)
class Loaded:
    """A pipeline with its parameters resolved and compiled to stages."""

    root: Path
    source: str  # pipeline file, relative to root
    pipeline: Pipeline
    compiled: CompiledPipeline
    notes: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()  # every override in force: recorded in params.yaml and new


@dataclass(frozen=True)
class StepStatus:
    """What `pipeyard status` says of one step."""

    name: str
    state: str  # up_to_date | restorable | stale
    action: str  # skip | restore | run
    reasons: tuple[str, ...] = field(default_factory=tuple)


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder upwards holding .git or .dvc (else start)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".dvc").is_dir() or (folder / ".git").exists():
            return folder
    return here


def load(
    root: Path,
    pipeline_file: str | None = None,
    overrides: Sequence[str] = (),
    *,
    reset_params: bool = False,
) -> Loaded:
    """Load, parameterize and compile the project's pipeline. It writes no files, except the
    first use of a registered component: its copy in components/_registry/ (and a registry
    pin in pipeyard.lock.yaml), both said in the notes.

    The overrides recorded in params.yaml by earlier runs (and values changed there by hand
    or by DVC) apply first, then overrides; reset_params starts from conf/ alone instead.
    """
    from .compile.dvc_stages import read_dvc_stages, with_dvc_stages
    from .compile.path_checks import check_inputs_exist
    from .compile.stages import compile_pipeline
    from .config.params import resolve_parameters
    from .config.params_file import read_params_file, with_record
    from .config.project import load_project_config
    from .loading import find_pipeline_file, input_path_overrides, is_input_path_override, load_pipeline
    from .registry import component_resolver

    project = load_project_config(root)
    path = find_pipeline_file(root, pipeline_file)
    resolver = component_resolver(project)
    state = read_params_file(root)
    given = merge_overrides(() if reset_params else state.overrides, overrides)
    pipeline = load_pipeline(path, root, resolve_component=resolver, input_paths=input_path_overrides(given))
    data_inputs = [i.name for i in pipeline.inputs if i.type.is_artifact]
    paths = tuple(o for o in given if is_input_path_override(o, data_inputs))  # data inputs: not Hydra's
    kept_paths = [o for o in paths if o not in overrides]
    overrides = [o for o in overrides if not is_input_path_override(o, data_inputs)]
    recorded, record_notes = _recorded_overrides(state, pipeline, project.conf_dir, overrides, reset_params)
    effective = merge_overrides(recorded, overrides)
    try:
        resolved = resolve_parameters(pipeline, project.conf_dir, list(effective))
    except ParameterError as error:
        said = f"{error.message} {error.hint or ''}"
        if any(o in said for o in recorded if o not in overrides):
            kept = "params.yaml records overrides of earlier runs; `pipeyard run --reset-params` drops them"
            error.hint = f"{error.hint}; {kept}" if error.hint else kept
        raise
    compiled = compile_pipeline(pipeline, resolved.tree, project)
    compiled = with_dvc_stages(compiled, read_dvc_stages(root))
    check_inputs_exist(pipeline, root)  # DVC-tracked inputs may wait for `dvc pull`
    compiled = replace(compiled, params=with_record(compiled.params, (*paths, *effective)))
    source = _relative(path, root)
    if kept_paths:
        record_notes = (
            *record_notes,
            f"params.yaml keeps the data inputs of earlier runs: {' '.join(kept_paths)} "
            "(`pipeyard run --reset-params` returns to the pipeline's own)",
        )
    notes = (*pipeline.notes, *record_notes, *resolver.notes, *resolved.notes, *compiled.notes)
    return Loaded(root, source, pipeline, compiled, tuple(notes), (*paths, *effective))


def _recorded_overrides(
    state: RecordedParams,
    pipeline: Pipeline,
    conf_dir: Path | None,
    overrides: Sequence[str],
    reset: bool,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The parameter overrides params.yaml carries over from earlier runs and edits (paths of
    data inputs, applied when the pipeline loads, left out), and notes on them."""
    from .config.params import resolve_parameters
    from .config.params_file import edits_as_overrides, override_key
    from .loading import is_input_path_override

    if reset:
        dropped = " ".join(state.overrides)
        return (), ((f"--reset-params: dropped the recorded overrides {dropped}",) if dropped else ())
    data_inputs = [i.name for i in pipeline.inputs if i.type.is_artifact]
    recorded = tuple(o for o in state.overrides if not is_input_path_override(o, data_inputs))
    notes: list[str] = []
    if state.edited:
        composed = resolve_parameters(pipeline, conf_dir, list(recorded))
        edits, lacking = edits_as_overrides(state.values, composed.tree)
        notes.extend(lacking)
        if edits:
            notes.append(
                "params.yaml was changed outside pipeyard (an editor, `dvc exp run -S`, `dvc exp apply`): "
                f"kept as overrides: {' '.join(edits)}; `pipeyard run --reset-params` returns to conf/"
            )
            recorded = merge_overrides(recorded, edits)
    new_keys = {override_key(o) for o in overrides}
    carried = [o for o in recorded if override_key(o) not in new_keys]
    if carried:
        notes.append(
            f"params.yaml keeps the overrides of earlier runs: {' '.join(carried)} "
            "(`pipeyard run --reset-params` returns to conf/)"
        )
    return recorded, tuple(notes)


def compile_files(loaded: Loaded, *, lock: bool = False) -> list[str]:
    """Write dvc.yaml, params.yaml and .gitignore entries; return the files that changed.

    lock (for `pipeyard compile`) first takes the run lock and DVC's lock, so a run or a DVC
    command never has its files rewritten under it: while one holds them this refuses.
    """
    from .compile.dvcfiles import write_dvc_files

    if not lock:
        return write_dvc_files(loaded.root, loaded.compiled, loaded.source)
    from .cache.files import remove_run_leftovers
    from .cache.workspace import cache_dir_of
    from .runner.dvc_lock import DvcLock
    from .runner.lock import RunLock

    again = "wait for it to finish, then run `pipeyard compile` again"
    with RunLock(loaded.root, busy_hint=again) as run_lock, DvcLock(loaded.root, busy_hint=again):
        if run_lock.left_by_killed_run:  # a killed run's half-written files go first
            outs = [p for s in loaded.compiled.stages for p in s.out_paths]
            remove_run_leftovers(loaded.root, outs, cache_dir_of(loaded.root))
        return write_dvc_files(loaded.root, loaded.compiled, loaded.source)


def out_of_sync(loaded: Loaded) -> list[str]:
    """The generated files that differ from what the pipeline compiles to, and dvc.lock when
    the parameter values it records for a step differ from those params.yaml must hold."""
    from .cache import Workspace
    from .compile.dvcfiles import out_of_sync as check

    stale = check(loaded.root, loaded.compiled, loaded.source)
    if (loaded.root / ".dvc").is_dir():
        with Workspace(loaded.root) as workspace:
            if any(workspace.params_differ(s, loaded.compiled.params) for s in loaded.compiled.stages):
                stale.append("dvc.lock")
    return stale


def status(loaded: Loaded, force: Sequence[str] = ()) -> list[StepStatus]:
    """What a run would do for each step, and why, without running anything."""
    from .cache import Workspace
    from .runner.predict import predict

    stages = loaded.compiled.stages
    _check_force(stages, force)
    with Workspace(loaded.root) as workspace:
        predicted, checks = predict(workspace, stages, loaded.compiled.params, force=tuple(force))
    by_name = {p.name: p for p in predicted.steps}
    return [
        StepStatus(s.name, checks[s.name].state, by_name[s.name].action, tuple(by_name[s.name].reasons))
        for s in stages
    ]

def run(loaded: Loaded, options: RunOptions, reporter: Callable) -> object:
    """Compile, then run every stale step in parallel; returns the runner's RunSummary."""
    from .cache import Workspace
    from .compile.path_checks import check_inputs_exist
    from .executors.capacity import detect_capacity
    from .executors.environments import realise_environments
    from .executors.registry import open_executor
    from .runner.eventlog import EventLog
    from .runner.events import Notice
    from .vcs.git import git_state
    from .runner.lock import RunLock
    from .runner.scheduler import Scheduler

    reporter = EventLog(loaded.root, reporter)  # events.jsonl per run, for `pipeyard ui`
    _require_dvc(loaded.root)
    stages = _only(loaded.compiled.stages, options.only)
    check_inputs_exist(loaded.pipeline, loaded.root, steps=[s.name for s in stages], tracked_ok=False)
    _check_force(stages, options.force)
    project_capacity = _project_capacity(loaded.root)
    capacity: Capacity = detect_capacity(
        cpus=options.cpus if options.cpus is not None else project_capacity.get("cpus"),
        memory_mb=options.memory_mb if options.memory_mb is not None else project_capacity.get("memory_mb"),
        gpu_ids=options.gpu_ids if options.gpu_ids is not None else project_capacity.get("gpu_ids"),
    )
    from .cache.files import remove_run_leftovers
    from .cache.workspace import cache_dir_of
    from .runner.dvc_lock import DvcLock

    # DVC's lock too: dvc.lock, the cache and the outputs are DVC's files as well
    with RunLock(loaded.root, wait=options.wait) as run_lock, DvcLock(loaded.root, wait=options.wait):
        if run_lock.left_by_killed_run:
            outs = [p for s in loaded.compiled.stages for p in s.out_paths]
            remove_run_leftovers(loaded.root, outs, cache_dir_of(loaded.root))
        commit, dirty = git_state(loaded.root)  # before pipeyard's own writes below
        compile_files(loaded)
        workspace = Workspace(loaded.root, workers=max(1, int(capacity.cpus)))  # hashing within the run's CPUs
        executor = open_executor(_executor_spec(loaded.root, options), capacity)
        stages = realise_environments(_fit_to_capacity(stages, executor.capacity, reporter), loaded.root,
                                      options.env_mode or "isolated", lambda text: reporter(Notice(text)))
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
                _record(loaded, options, replace(interrupted.summary, commit=commit), dirty)
            raise
        finally:
            executor.shutdown()
            workspace.close()
        summary = replace(summary, commit=commit)
        _record(loaded, options, summary, dirty)
    return summary


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


def _fit_to_capacity(stages, capacity: Capacity, reporter: Callable) -> tuple:
    """Stages whose compute profile allows it run on the CPU when the machine has no GPU."""
    from .runner.events import Notice

    fitted = []
    for stage in stages:
        resources = stage.resources.fitted_to(capacity)
        if resources != stage.resources:
            reporter(Notice(f"step '{stage.name}' asks for {stage.resources.gpus} GPU(s) and the machine has "
                            f"{capacity.gpus}; it runs on the CPU (its compute profile sets cpu_fallback)"))
            stage = replace(stage, resources=resources)
        fitted.append(stage)
    return tuple(fitted)


def _record(loaded: Loaded, options: RunOptions, summary, dirty: bool) -> None:
    from .runner.records import RunRecord, metric_paths, read_metrics, write_record
    from .runner.tracking import run_metrics

    ran = [name for name, step in summary.steps.items() if step.status == "ran"]
    metrics = {**read_metrics(loaded.root, metric_paths(loaded.compiled.stages)),
               **run_metrics(loaded.root, summary.run_id, ran, loaded.compiled.stages)}
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
    from .history.notes import store_record

    store_record(loaded.root, record, params=without_record(loaded.compiled.params))  # shared via git notes; never raises


def init(root: Path) -> list[str]:
    """Set up DVC and pipeyard in the git repository at root; return what was done."""
    done: list[str] = []
    if not (root / ".git").exists():
        raise RepositoryError(
            f"{root} is not a git repository",
            hint="run `git init` first (pipeyard versions pipelines with git)",
        )
    if not (root / ".dvc").is_dir():
        _dvc(root, "init", "--quiet")
        done.append("initialised DVC (.dvc/)")
    gitignore = root / ".gitignore"
    lines = gitignore.read_text().splitlines() if gitignore.exists() else []
    if "/.pipeyard/" not in lines:
        lines.append("/.pipeyard/")
        gitignore.write_text("\n".join(lines) + "\n")
        done.append("ignored .pipeyard/ in .gitignore")
    return done


def _require_dvc(root: Path) -> None:
    if not (root / ".dvc").is_dir():
        first = "" if (root / ".git").exists() else "`git init`, then "
        raise RepositoryError(
            f"{root} has no DVC repository (.dvc/ is missing)",
            hint=f"run {first}`pipeyard init` in the project root",
        )


def _check_force(stages, force: Sequence[str]) -> None:
    names = [s.name for s in stages]
    for name in force:
        if name not in names:
            raise RepositoryError(
                f"--force names unknown step '{name}'{did_you_mean(name, names)}",
                hint=f"steps: {known(names)}",
            )


def _only(stages, names: Sequence[str]) -> tuple:
    """The named steps alone (all when names is empty), cut loose from other upstream steps.

    Used where the outputs of the steps upstream are already in the workspace (a CI job
    pulled them), so only the named steps are checked, run and recorded.
    """
    if not names:
        return tuple(stages)
    known_names = [s.name for s in stages]
    for name in names:
        if name not in known_names:
            raise RepositoryError(
                f"unknown step '{name}'{did_you_mean(name, known_names)}",
                hint=f"steps: {known(known_names)}",
            )
    chosen = set(names)
    return tuple(
        replace(s, upstream=tuple(u for u in s.upstream if u in chosen))
        for s in stages
        if s.name in chosen
    )


def _executor_spec(root: Path, options: RunOptions):
    """The executor to run with: --executor/--address win over pipeyard.yaml's `executor:`."""
    from .config.project import load_project_config
    from .executors.registry import ExecutorSpec

    configured = load_project_config(root).executor
    if options.executor is not None and options.executor != configured.type:
        return ExecutorSpec(type=options.executor, address=options.executor_address)
    return ExecutorSpec(
        type=configured.type,
        address=options.executor_address or configured.address,
        options=configured.options,
    )


def _project_capacity(root: Path) -> dict:
    from .config.project import load_project_config

    spec = load_project_config(root).capacity
    return {
        "cpus": spec.cpus,
        "memory_mb": spec.memory_mb,
        "gpu_ids": tuple(spec.gpu_ids) if spec.gpu_ids is not None else None,
    }


def _dvc(root: Path, *args: str) -> None:
    dvc = Path(sys.executable).with_name("dvc")
    command = [str(dvc) if dvc.exists() else "dvc", *args]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, env=os.environ.copy(), check=False)
    if result.returncode != 0:
        raise RepositoryError(
            f"`dvc {' '.join(args)}` failed: {result.stderr.strip() or result.stdout.strip()}",
            hint="check that DVC is installed in this environment",
        )


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
