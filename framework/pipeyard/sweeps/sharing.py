"""Which steps several points of a sweep have in common, and the runs that compute them once.

A step's identity is what decides its outputs: its command, its dependency paths, the values
of the parameters it reads, its output paths and the identities of the steps it reads from.
Points with the same identity for a step would compute the same thing, so the sweep runs it
in one point (the lowest-numbered that has it) and the others restore it from the shared
run-cache, after that run finished. The upstream steps of a shared step are shared by at
least the same points, so they run in the same point or a lower-numbered one: runs only ever
wait for runs of lower-numbered points, never in a circle.

Only steps DVC's run-cache can restore are shared (a command, dependencies or parameters,
outputs, not always_changed); a step below one that is not shared is not shared either.
Everything here is pure: stages and parameter trees in, plain values out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..cache import lookup_param
from ..model import Stage


@dataclass(frozen=True)
class SharedStep:
    """A step that is the same in several points; it runs in runs_in, the others restore it."""

    name: str
    identity: str
    points: tuple[int, ...]

    @property
    def runs_in(self) -> int:
        """The point whose workspace runs the step."""
        return self.points[0]


@dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: in point's workspace, run steps (every step when None) once the
    runs named in needs have finished. final marks the point's own run; the other kind, a
    warm-up, computes the point's shared steps early so other points need not wait for the
    point's own steps."""

    key: str
    point: int
    steps: tuple[str, ...] | None
    needs: tuple[str, ...]
    final: bool


def step_identities(stages: Sequence[Stage], params: Mapping[str, Any]) -> dict[str, str | None]:
    """Step name -> identity, or None for a step that cannot be shared (not run-cacheable).

    stages are in topological order, as compiled; params is the parameter tree.
    """
    identities: dict[str, str | None] = {}
    for stage in stages:
        upstream = [identity for name in stage.upstream if (identity := identities.get(name)) is not None]
        if not _run_cacheable(stage) or len(upstream) < len(stage.upstream):
            identities[stage.name] = None
            continue
        described = {
            "cmd": stage.cmd,
            "deps": sorted(stage.deps),
            "params": {key: lookup_param(params, key)[1] for key in stage.params},
            "outs": sorted(stage.out_paths),
            "upstream": sorted(upstream),
        }
        text = json.dumps(described, sort_keys=True, default=repr)
        identities[stage.name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return identities


def shared_steps(identities: Mapping[int, Mapping[str, str | None]]) -> tuple[SharedStep, ...]:
    """The steps two or more points share; identities maps point -> step -> identity."""
    holders: dict[tuple[str, str], list[int]] = {}
    for point in sorted(identities):
        for name, identity in identities[point].items():
            if identity is not None:
                holders.setdefault((name, identity), []).append(point)
    return tuple(
        SharedStep(name, identity, tuple(points))
        for (name, identity), points in holders.items()
        if len(points) > 1
    )


def plan_runs(
    steps_of: Mapping[int, Sequence[str]],
    shared: Sequence[SharedStep],
    upstream: Mapping[str, Sequence[str]],
) -> tuple[PlannedRun, ...]:
    """The runs of a sweep, each after the runs it waits for.

    steps_of maps each point number to its step names (in topological order); upstream maps
    a step name to the steps it reads from. A point that computes shared steps for others
    does so in a warm-up run (those steps and their upstream steps) before its own run, unless
    every step of the point is shared: then its own run is the warm-up.
    """
    computed_by = {(point, step.name): step.runs_in for step in shared for point in step.points}
    runs: list[PlannedRun] = []
    sharing_run: dict[int, str] = {}  # point -> the run that computes its shared steps
    for point in sorted(steps_of):
        names = list(steps_of[point])
        own = [n for n in names if computed_by.get((point, n)) == point]
        unshared = [n for n in names if (point, n) not in computed_by]
        final_needs = set(_needs(point, names, computed_by, sharing_run))
        if own and unshared:
            wanted = set().union(*(_with_ancestors(n, upstream) for n in own))
            steps = tuple(n for n in names if n in wanted)
            key = f"warmup-{point}"
            runs.append(PlannedRun(key, point, steps, _needs(point, steps, computed_by, sharing_run), False))
            final_needs.add(key)
        runs.append(PlannedRun(f"point-{point}", point, None, tuple(sorted(final_needs)), True))
        sharing_run[point] = runs[-2].key if own and unshared else runs[-1].key
    return tuple(runs)


def _needs(
    point: int,
    names: Sequence[str],
    computed_by: Mapping[tuple[int, str], int],
    sharing_run: Mapping[int, str],
) -> tuple[str, ...]:
    """The runs of other points that compute the shared steps among names."""
    others = {computed_by[(point, n)] for n in names if computed_by.get((point, n), point) != point}
    return tuple(sorted(sharing_run[other] for other in others))


def _with_ancestors(name: str, upstream: Mapping[str, Sequence[str]]) -> set[str]:
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(upstream.get(current, ()))
    return found


def _run_cacheable(stage: Stage) -> bool:
    return bool(not stage.always_changed and stage.commands and (stage.deps or stage.params) and stage.outs)
