"""Where a project is, and the values the session passes between its steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..compile.stages import CompiledPipeline
    from ..config.project import ProjectConfig
    from ..executors.base import Executor
    from ..model import Capacity, Pipeline

SWEEPS_DIR = Path(".pipeyard") / "sweeps"  # the worktrees and markers of the sweeps of a project

RunExecutorFactory = Callable[["Capacity"], "Executor"]  # the run's capacity -> its executor


@dataclass(frozen=True)
class RunOptions:
    """What `pipeyard run` was asked to do.

    executor_factory makes the run's executor from the machine's capacity (a test's fake, a
    sweep's or an already connected cluster's); None lets the executors registry open the one
    that `executor` (else pipeyard.yaml's `executor:`, else local) names.
    """

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
    executor_factory: RunExecutorFactory | None = None


@dataclass(frozen=True)
class Loaded:
    """A pipeline with its parameters resolved and compiled to stages.

    project is pipeyard.yaml as read when the pipeline loaded: everything after the load
    (capacity, executor, registries) uses it rather than reading the file again.
    """

    root: Path
    source: str  # pipeline file, relative to root
    pipeline: Pipeline
    compiled: CompiledPipeline
    project: ProjectConfig
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
