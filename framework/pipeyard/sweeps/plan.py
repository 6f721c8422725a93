"""Plan a sweep before running anything: its points, each point's compiled pipeline, the steps
points share, and how the capacity is split. Every user error shows up here, before any
worktree exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import session
from ..config.project import load_project_config
from ..errors import RepositoryError
from ..executors.capacity import check_capacity
from ..model import Capacity, Resources
from .expand import SweepPoint, expand_sweep
from .sharing import PlannedRun, SharedStep, plan_runs, shared_steps, step_identities
from .slots import Slot, split_capacity
from .worktrees import baseline_commit, uncommitted_changes


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep will do: points, their loaded pipelines (by point number), shared steps.

    runs are the runs to make, each after the runs it needs (see sharing.plan_runs);
    changes are the uncommitted paths of the main workspace carried into every point.
    """

    root: Path
    baseline: str
    points: tuple[SweepPoint, ...]
    loaded: Mapping[int, session.Loaded]
    shared: tuple[SharedStep, ...]
    runs: tuple[PlannedRun, ...]
    capacity: Capacity
    needs: tuple[Resources, ...]
    changes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    __hash__ = None  # type: ignore[assignment]  # holds a dict

    def slots(self, runs: int, jobs: int | None = None) -> tuple[Slot, ...]:
        """The capacity shares for runs points running at once."""
        return split_capacity(self.capacity, self.needs, runs, jobs)

    def inputs(self) -> tuple[str, ...]:
        """The dependencies no step produces: files the points read from the workspace."""
        produced: set[str] = set()
        stages = [s for loaded in self.loaded.values() for s in loaded.compiled.stages]
        for stage in stages:
            produced.update(stage.out_paths)
        found = {
            dep
            for stage in stages
            for dep in stage.deps
            if not any(dep == out or dep.startswith(out.rstrip("/") + "/") for out in produced)
        }
        return tuple(sorted(found))


def plan_sweep(root: Path, options: session.RunOptions) -> SweepPlan:
    """Expand options.overrides, load every point and find what they share.

    Raises ParameterError for a bad sweep or override, RepositoryError without a commit or a
    DVC repository, CapacityError for a step larger than the whole capacity.
    """
    root = Path(root).resolve()
    project = load_project_config(root)
    points = expand_sweep(options.overrides, project.conf_dir)
    baseline = baseline_commit(root)
    if not (root / ".dvc").is_dir():
        raise RepositoryError(f"{root} has no DVC repository (.dvc/ is missing)", hint="run `pipeyard init`")
    loaded: dict[int, session.Loaded] = {}
    notes: list[str] = []
    for point in points:
        loaded[point.number] = session.load(root, options.pipeline_file, point.overrides)
        notes.extend(n for n in loaded[point.number].notes if n not in notes)
    first = loaded[points[0].number]
    upstream = {s.name: s.upstream for s in first.compiled.stages}
    identities = {
        number: step_identities(one.compiled.stages, one.compiled.params) for number, one in loaded.items()
    }
    shared = shared_steps(identities)
    steps_of = {number: [s.name for s in one.compiled.stages] for number, one in loaded.items()}
    capacity = session.run_capacity(project, options)
    needs = tuple({s.resources for one in loaded.values() for s in one.compiled.stages})
    for one in loaded.values():
        check_capacity(one.compiled.stages, capacity, source=one.source)
    return SweepPlan(
        root=root,
        baseline=baseline,
        points=points,
        loaded=loaded,
        shared=shared,
        runs=plan_runs(steps_of, shared, upstream),
        capacity=capacity,
        needs=needs,
        changes=uncommitted_changes(root),
        notes=tuple(notes),
    )
