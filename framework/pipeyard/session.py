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

from .errors import Interrupted, RepositoryError, did_you_mean, known
from .model import Capacity, Pipeline


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


@dataclass(frozen=True)
class Loaded:
    """A pipeline with its parameters resolved and compiled to stages."""

    root: Path
    source: str  # pipeline file, relative to root
    pipeline: Pipeline
    compiled: object  # compile.stages.CompiledPipeline
    notes: tuple[str, ...] = ()


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


def load(root: Path, pipeline_file: str | None = None, overrides: Sequence[str] = ()) -> Loaded:
    """Load, parameterize and compile the project's pipeline. It writes no files, except the
    first use of a registered component: its copy in components/_registry/ (and a registry
    pin in pipeyard.lock.yaml), both said in the notes."""
    from .compile.stages import compile_pipeline
    from .config.params import resolve_parameters
    from .config.project import load_project_config
    from .loading import find_pipeline_file, load_pipeline
    from .registry import component_resolver

    project = load_project_config(root)
    path = find_pipeline_file(root, pipeline_file)
    resolver = component_resolver(project)
    pipeline = load_pipeline(path, root, resolve_component=resolver)
    resolved = resolve_parameters(pipeline, project.conf_dir, list(overrides))
    compiled = compile_pipeline(pipeline, resolved.tree, project)
    source = _relative(path, root)
    notes = (*resolver.notes, *resolved.notes, *compiled.notes)
    return Loaded(root, source, pipeline, compiled, tuple(notes))


def compile_files(loaded: Loaded) -> list[str]:
    """Write dvc.yaml, params.yaml and .gitignore entries; return the files that changed."""
    from .compile.dvcfiles import write_dvc_files

    return write_dvc_files(loaded.root, loaded.compiled, loaded.source)


def out_of_sync(loaded: Loaded) -> list[str]:
    """The generated files that differ from what the pipeline compiles to."""
    from .compile.dvcfiles import out_of_sync as check

    return check(loaded.root, loaded.compiled, loaded.source)


def status(loaded: Loaded, force: Sequence[str] = ()) -> list[StepStatus]:
    """What a run would do for each step, and why, without running anything."""
    from .cache import Workspace
    from .runner.plan import plan

    stages = loaded.compiled.stages
    _check_force(stages, force)
    workspace = Workspace(loaded.root)
    try:
        checks = {s.name: workspace.check(s, loaded.compiled.params) for s in stages}
    finally:
        workspace.close()
    predicted = plan(
        [s.name for s in stages],
        {s.name: s.upstream for s in stages},
        checks,
        force=tuple(force),
    )
    by_name = {p.name: p for p in predicted.steps}
    return [
        StepStatus(s.name, checks[s.name].state, by_name[s.name].action, tuple(by_name[s.name].reasons))
        for s in stages
    ]


def run(loaded: Loaded, options: RunOptions, reporter: Callable) -> object:
    """Compile, then run every stale step in parallel; returns the runner's RunSummary."""
    from .cache import Workspace
    from .executors.capacity import detect_capacity
    from .executors.local import LocalExecutor
    from .runner.gitinfo import git_state
    from .runner.lock import RunLock
    from .runner.scheduler import Scheduler

    _require_dvc(loaded.root)
    stages = _only(loaded.compiled.stages, options.only)
    _check_force(stages, options.force)
    project_capacity = _project_capacity(loaded.root)
    capacity: Capacity = detect_capacity(
        cpus=options.cpus if options.cpus is not None else project_capacity.get("cpus"),
        memory_mb=options.memory_mb if options.memory_mb is not None else project_capacity.get("memory_mb"),
        gpu_ids=options.gpu_ids if options.gpu_ids is not None else project_capacity.get("gpu_ids"),
    )
    stages = _fit_to_capacity(stages, capacity, reporter)
    with RunLock(loaded.root, wait=options.wait):
        compile_files(loaded)
        commit, dirty = git_state(loaded.root)
        workspace = Workspace(loaded.root)
        executor = LocalExecutor(capacity)
        scheduler = Scheduler(
            workspace,
            executor,
            reporter,
            root=loaded.root,
            jobs=options.jobs,
            keep_going=options.keep_going,
            force=options.force,
        )
        try:
            summary = scheduler.run(stages, loaded.compiled.params)
        except Interrupted as interrupted:
            summary = getattr(interrupted, "summary", None)
            if summary is not None:
                _record(loaded, options, replace(summary, commit=commit), dirty)
            raise
        finally:
            executor.shutdown()
            workspace.close()
        summary = replace(summary, commit=commit)
        _record(loaded, options, summary, dirty)
    return summary


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
    from .runner.records import RunRecord, write_record

    record = RunRecord.from_summary(
        summary,
        root=loaded.root,
        stages=loaded.compiled.stages,
        dirty=dirty,
        overrides=list(options.overrides),
        pipeline_file=loaded.source,
    )
    write_record(loaded.root, record)
    from .history.notes import store_record

    store_record(loaded.root, record, params=loaded.compiled.params)  # shared via git notes; never raises


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
        raise RepositoryError(
            f"{root} has no DVC repository (.dvc/ is missing)",
            hint="run `pipeyard init` in the project root",
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
